"""The compile cache and the result cache, end to end: what runs the compiler
(counted by a logging compiler launcher), what runs a test program (proved by
a file the program writes), and that damage to the cache never changes a
verdict."""

import json
import os
import random
import re
import shutil
import tempfile
import threading
import time
import unittest

from clones import VERDICTS, WYN_COMPILES, Clone
from wyn_e2e import BUILD_WYN, CMAKE, CTEST, TOOLS, Workspace, run, set_codegen_tag

HELLO = '// EXPECT: {text}\nfn main() -> int {{\n    println("{text}")\n    return 0\n}}\n'
MODULE = 'fn greet() {\n    println("from the module")\n}\n'
IMPORTER = ('// EXPECT: from the module\nimport { greet } from greeting\nfn main() -> int {\n'
            '    greet()\n    return 0\n}\n')
BROKEN = 'fn main() -> int {\n    println("x")\n    frobnicate()\n}\n'
FILES = {
    "a.wyn": HELLO.format(text="alpha"),
    "b.wyn": HELLO.format(text="beta"),
    "greeting.wyn": MODULE,
    "uses.wyn": IMPORTER,
    "broken.wyn": BROKEN,
}
COMPILED = ["a", "b", "broken", "uses"]  # the files the compiler runs for


def short(test_dir):
    return re.sub(r"-[0-9a-f]{12}$", "", os.path.basename(test_dir))


def later(path):
    t = time.time() + 2
    os.utime(path, (t, t))


class CompileCache(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self)
        self.src = self.ws.suite("cc", FILES)

    def full_run(self, *definitions, env=None):
        self.ws.configure([self.src], *definitions)
        self.build(env)
        self.ws.ctest("-j4", check=False)
        return self.ws.verdicts()

    def build(self, env=None):
        return run([CMAKE, "--build", self.ws.build_dir], env=env, check=True)

    def verdicts_after_build(self, env=None):
        self.build(env)
        self.ws.ctest("-j4")
        return self.ws.verdicts()

    def cache_record(self, name):
        for d in self.build_test_dirs():
            if short(d) == name:
                with open(os.path.join(d, "compile-cache.json")) as f:
                    return json.load(f)
        raise AssertionError(name)

    def build_test_dirs(self):
        suites = os.path.join(self.ws.build_dir, "wyn")
        return [os.path.join(suites, s, "t", t) for s in os.listdir(suites)
                if os.path.isdir(os.path.join(suites, s, "t")) for t in os.listdir(os.path.join(suites, s, "t"))]

    def stats(self):
        proc = run([os.path.join(TOOLS, "bin", "wyn-cache"), "stats", "--json", self.ws.cache_dir], check=True)
        return json.loads(proc.stdout)

    def test_touch_git_stash_pop_and_checkout_and_back_invoke_no_compiler(self):
        run(["git", "init", "-q", self.src], check=True)
        git = ["git", "-C", self.src, "-c", "user.name=t", "-c", "user.email=t@t"]
        run(git + ["add", "."], check=True)
        run(git + ["commit", "-qm", "suite"], check=True)
        run(git + ["checkout", "-qb", "other"], check=True)
        with open(os.path.join(self.src, "b.wyn"), "w") as f:
            f.write(HELLO.format(text="beta on the other branch"))
        run(git + ["commit", "-qam", "other"], check=True)
        run(git + ["checkout", "-q", "-"], check=True)
        with open(os.path.join(self.src, "a.wyn"), "a") as f:
            f.write("// NOTE: uncommitted\n")  # something for git stash to stash

        first = self.full_run()
        self.assertEqual(self.ws.compiled_tests(), COMPILED)
        self.assertEqual(first["cc/a"], "passed")
        self.assertEqual(first["cc/broken"], "compile_error")

        for path in FILES:
            later(os.path.join(self.src, path))
        self.assertEqual(self.verdicts_after_build(), first)
        self.assertEqual(self.ws.compiled_tests(), [])

        run(git + ["stash", "-q"], check=True)
        run(git + ["stash", "pop", "-q"], check=True)
        self.assertEqual(self.verdicts_after_build(), first)
        self.assertEqual(self.ws.compiled_tests(), [])

        run(git + ["stash", "-q"], check=True)
        run(git + ["checkout", "-q", "other"], check=True)
        self.build()
        self.assertEqual(self.ws.compiled_tests(), ["a", "b"])  # a without the stashed line, b changed
        run(git + ["checkout", "-q", "-"], check=True)
        run(git + ["stash", "pop", "-q"], check=True)
        self.assertEqual(self.verdicts_after_build(), first)
        self.assertEqual(self.ws.compiled_tests(), [])

    def test_a_fresh_build_directory_with_the_same_cache_invokes_no_compiler(self):
        first = self.full_run()
        self.assertEqual(self.ws.compiled_tests(), COMPILED)
        record = self.ws.record("cc/broken")
        self.ws.build_dir = os.path.join(self.ws.root, "build-2")
        self.assertEqual(self.full_run(), first)
        self.assertEqual(self.ws.compiled_tests(), [])
        for name in COMPILED:
            self.assertEqual(self.cache_record(name)["lookup"], "hit", name)
        # The failure was replayed with its diagnostics, not reduced to "failed".
        replayed = self.ws.record("cc/broken")
        self.assertEqual(replayed["status"], "compile_error")
        self.assertIn("frobnicate", replayed["diagnostics"])
        self.assertEqual(replayed["diagnostics"], record["diagnostics"])
        self.assertEqual(replayed["reason"], record["reason"])
        stats = self.stats()
        self.assertEqual((stats["hits"], stats["misses"], stats["entries"]), (4, 4, 4))

    def test_a_variable_the_compiler_reads_recompiles_everything_and_back_nothing(self):
        first = self.full_run()
        self.ws.compiled_tests()
        # One byte more in CC: the stand-in does not read CC (neither real
        # compiler does), so the programs stay good, but the cache cannot
        # know what a compiler's C toolchain reads. The value the
        # compiler sees is the one captured when cmake last ran, as for CC itself.
        self.ws.configure([self.src], env={"CC": "cc "})
        self.assertEqual(self.verdicts_after_build(), first)
        self.assertEqual(self.ws.compiled_tests(), COMPILED)
        self.assertEqual(self.cache_record("a")["parts"]["env/CC"], "=cc ")
        self.assertEqual(self.verdicts_after_build(env={"CC": "not-a-compiler"}), first)
        self.assertEqual(self.ws.compiled_tests(), [])
        self.ws.configure([self.src])  # CC unset again: all cached
        self.assertEqual(self.verdicts_after_build(), first)
        self.assertEqual(self.ws.compiled_tests(), [])
        # A variable the compiler does not read re-runs no compile step at all.
        self.ws.configure([self.src], env={"WYN_UNRELATED_SETTING": "1"})
        proc = self.build()
        self.assertNotIn("Compiling Wyn test", proc.stdout)

    def test_damaged_entries_between_runs_recompile_exactly_those_tests(self):
        first = self.full_run()
        self.ws.compiled_tests()
        entry = {name: os.path.join(self.ws.cache_dir, "entries", self.cache_record(name)["key"][:2],
                                    self.cache_record(name)["key"]) for name in COMPILED}
        size = os.path.getsize(entry["a"])
        os.truncate(entry["a"], size // 2)
        with open(entry["b"], "r+b") as f:
            f.seek(size - 100)
            byte = f.read(1)
            f.seek(size - 100)
            f.write(bytes([byte[0] ^ 0x20]))
        os.remove(entry["uses"])
        for name in ("stats.json", "config.json"):
            with open(os.path.join(self.ws.cache_dir, name), "w") as f:
                f.write("{ not json")
        for path in FILES:
            later(os.path.join(self.src, path))
        self.assertEqual(self.verdicts_after_build(), first)
        self.assertEqual(self.ws.compiled_tests(), ["a", "b", "uses"])
        self.assertGreaterEqual(self.stats()["corrupt"], 2)

    def test_damage_during_a_build_never_changes_a_verdict(self):
        first = self.full_run()
        self.ws.compiled_tests()
        stop = threading.Event()

        def vandal():
            rng = random.Random(7)
            while not stop.is_set():
                for dirpath, _, names in os.walk(os.path.join(self.ws.cache_dir, "entries")):
                    for name in names:
                        path = os.path.join(dirpath, name)
                        try:
                            size = os.path.getsize(path)
                            if rng.random() < 0.5:
                                os.truncate(path, rng.randrange(size) if size else 0)
                            else:
                                with open(path, "r+b") as f:
                                    f.seek(rng.randrange(size))
                                    f.write(bytes([rng.randrange(256)]))
                        except (OSError, ValueError):
                            pass
                time.sleep(0.01)

        thread = threading.Thread(target=vandal)
        thread.start()
        try:
            for _ in range(2):
                for path in FILES:
                    later(os.path.join(self.src, path))
                self.assertEqual(self.verdicts_after_build(), first)
        finally:
            stop.set()
            thread.join()
        for path in FILES:
            later(os.path.join(self.src, path))
        self.assertEqual(self.verdicts_after_build(), first)

    def test_a_compile_failing_for_lack_of_resources_is_not_cached(self):
        flaky = os.path.join(self.ws.root, "flaky.sh")
        with open(flaky, "w") as f:
            f.write("#!/bin/sh\necho 'clang: error: posix_spawn failed: Resource temporarily unavailable'\n"
                    "exit 1\n")
        os.chmod(flaky, 0o755)
        self.ws.configure([self.src], f"-DWYN_COMPILER_LAUNCHER={flaky}")
        self.ws.build()
        self.ws.ctest("-j4")
        self.assertEqual(self.ws.verdicts()["cc/a"], "compile_error")
        self.assertIn("not stored: transient", self.cache_record("a").get("note", ""))
        self.assertEqual(self.stats()["entries"], 0)
        # With a working machine again, the tests compile for real and pass.
        self.assertEqual(self.full_run()["cc/a"], "passed")
        self.assertEqual(self.ws.compiled_tests(), COMPILED)

    def test_cache_off_recompiles_on_touch_and_writes_no_cache(self):
        self.full_run("-DWYN_COMPILE_CACHE=OFF")
        self.assertEqual(self.ws.compiled_tests(), COMPILED)
        later(os.path.join(self.src, "a.wyn"))
        self.build()
        self.assertEqual(self.ws.compiled_tests(), ["a"])
        self.assertFalse(os.path.exists(os.path.join(self.ws.cache_dir, "entries")))
        self.assertEqual(self.cache_record("a")["lookup"], "off")

    def test_wyn_cache_stats_clear_and_size_bound(self):
        self.full_run()
        self.ws.compiled_tests()
        tool = os.path.join(TOOLS, "bin", "wyn-cache")
        text = run([tool, "stats", self.ws.cache_dir], check=True).stdout
        self.assertRegex(text, r"misses\s+4")
        self.assertRegex(text, r"entries\s+4")
        stats = self.stats()
        self.assertGreater(stats["size"], 0)
        # A bound smaller than the cache: the next store evicts down to it.
        run([tool, "max-size", str(stats["size"] // 2), self.ws.cache_dir], check=True)
        with open(os.path.join(self.src, "a.wyn"), "a") as f:
            f.write("\n")
        self.build()
        self.assertEqual(self.ws.compiled_tests(), ["a"])
        stats = self.stats()
        self.assertLessEqual(stats["size"], stats["max_size"])
        self.assertGreater(stats["evictions"], 0)
        run([tool, "clear", self.ws.cache_dir], check=True)
        self.assertEqual(self.stats()["entries"], 0)
        self.ws.build_dir = os.path.join(self.ws.root, "build-2")
        self.full_run()
        self.assertEqual(self.ws.compiled_tests(), COMPILED)
        self.assertEqual(run([tool, "frobnicate"]).returncode, 2)


PASS = ('// EXPECT: ran\nfn main() -> int {\n    write_file("trace.txt", "ran")\n    println("ran")\n'
        '    return 0\n}\n')
FAIL = ('// EXPECT: never\nfn main() -> int {\n    write_file("trace.txt", "ran")\n    println("ran")\n'
        '    return 0\n}\n')
OPTED_OUT = '// NO_CACHE: reads the machine state\n' + PASS


class ResultCache(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(cls)
        cls.src = cls.ws.suite("rc", {"pass.wyn": PASS, "fail.wyn": FAIL, "opted_out.wyn": OPTED_OUT})

    def setUp(self):
        self.ws.configure([self.src], "-DWYN_RESULT_CACHE=ON")
        self.ws.build()
        self.ws.ctest("-j4")  # whatever the previous test left, this run is fresh

    def ran(self):
        """The tests whose program ran in the last ctest (it writes run/trace.txt)."""
        names = set()
        for name, status in self.ws.verdicts().items():
            if os.path.exists(os.path.join(self.ws.record(name)["test_dir"], "run", "trace.txt")):
                names.add(name.split("/")[1])
        return names

    def ctest(self, env=None):
        """Clears every scratch directory, then runs ctest."""
        for name in self.ws.verdicts():
            trace = os.path.join(self.ws.record(name)["test_dir"], "run", "trace.txt")
            if os.path.exists(trace):
                os.remove(trace)
        return run([CTEST, "--test-dir", self.ws.build_dir, "-j4"], env=env)

    def test_an_unchanged_passing_test_is_not_run_a_failing_one_always_is(self):
        proc = self.ctest()
        self.assertEqual(self.ran(), {"fail", "opted_out"})
        record = self.ws.record("rc/pass")
        self.assertEqual((record["status"], record["cached"], record["run_seconds"]), ("passed", True, 0))
        self.assertEqual(self.ws.record("rc/fail")["status"], "failed")
        self.assertFalse(self.ws.record("rc/opted_out")["cached"])
        self.assertEqual(self.ws.summary()["cached"], 1)
        self.assertIn("1 cached", proc.stdout)
        self.ctest()
        self.assertEqual(self.ran(), {"fail", "opted_out"})

    def test_a_changed_program_expectation_or_environment_runs_again(self):
        path = os.path.join(self.src, "pass.wyn")
        with open(path, "w") as f:
            f.write(PASS.replace("return 0", 'println("more")\n    return 0'))
        self.ws.build()
        self.ctest()
        self.assertIn("pass", self.ran())
        self.ctest()
        self.assertNotIn("pass", self.ran())
        with open(path, "w") as f:
            f.write("// ARGS: x\n" + PASS)
        self.ws.build()
        self.ctest()
        self.assertIn("pass", self.ran())
        self.ctest(env={"WYN_SOME_SETTING": "changed"})
        self.assertIn("pass", self.ran(), "the program inherits the environment")
        with open(path, "w") as f:
            f.write(PASS)
        self.ws.build()

    def test_the_environment_overrides_the_setting_for_one_run(self):
        self.ctest(env={"WYN_RESULT_CACHE": "0"})
        self.assertIn("pass", self.ran())
        self.assertFalse(self.ws.record("rc/pass")["cached"])
        self.ctest()
        self.assertNotIn("pass", self.ran())
        self.ws.configure([self.src], "-DWYN_RESULT_CACHE=OFF")
        self.ctest()
        self.assertIn("pass", self.ran())
        self.ctest(env={"WYN_RESULT_CACHE": "1"})
        self.assertNotIn("pass", self.ran())


class EarlyCutoff(unittest.TestCase):
    def test_a_new_compiler_runs_again_exactly_the_programs_whose_executable_changed(self):
        ws = Workspace(self)
        files = {f"t{i}.wyn": HELLO.format(text=f"t{i}") for i in range(6)}
        for i in (1, 4):  # their generated C carries the compiler's codegen tag
            files[f"t{i}.wyn"] = "// standin: tagged\n" + files[f"t{i}.wyn"]
        src = ws.suite("cut", files)
        # A compiler of our own, with its runtime beside it, to rebuild in place.
        compiler_dir = os.path.join(ws.root, "wyn")
        shutil.copytree(os.path.dirname(BUILD_WYN), compiler_dir, symlinks=True)
        compiler = os.path.join(compiler_dir, "wyn")
        ws.configure([src], f"-DWYN_COMPILER={compiler}", "-DWYN_RESULT_CACHE=ON")
        ws.build()
        self.assertEqual(ws.ctest("-j4").returncode, 0)
        self.assertEqual(ws.compiles(), 6)
        ran = lambda: sorted(n.split("/")[1] for n in ws.verdicts() if not ws.record(n)["cached"])
        self.assertEqual(ran(), [f"t{i}" for i in range(6)])

        set_codegen_tag(compiler, "2")
        ws.build()
        self.assertEqual(ws.compiles(), 6, "a new compiler recompiles every test")
        self.assertEqual(ws.ctest("-j4").returncode, 0)
        self.assertEqual(ran(), ["t1", "t4"], "only the programs that changed run again")
        self.assertEqual(set(ws.verdicts().values()), {"passed"})

        # Without the result cache, every program runs.
        self.assertEqual(run([CTEST, "--test-dir", ws.build_dir, "-j4"],
                             env={"WYN_RESULT_CACHE": "0"}).returncode, 0)
        self.assertEqual(ran(), [f"t{i}" for i in range(6)])


class TwoClones(unittest.TestCase):
    """Keys hold contents, never where the checkout or the build tree is."""

    def test_a_second_clone_elsewhere_reuses_every_compile(self):
        root = tempfile.mkdtemp(prefix="wyn-e2e-clones-")
        self.addCleanup(shutil.rmtree, root, ignore_errors=True)
        cache = os.path.join(root, "cache")
        first = Clone(root, "first", cache)
        second = Clone(root, "deeper/path/second clone", cache)
        self.assertEqual(first.full_run(), VERDICTS)
        self.assertEqual(first.wyn_compiles(), WYN_COMPILES)
        self.assertEqual(second.full_run(), VERDICTS)
        self.assertEqual(second.wyn_compiles(), 0, "the second clone must reuse every compile")
        first_keys = {n: r["key"] for n, r in first.cache_records().items() if "key" in r}
        second_keys = {n: r["key"] for n, r in second.cache_records().items() if "key" in r}
        self.assertEqual(len(first_keys), WYN_COMPILES)
        self.assertEqual(first_keys, second_keys)
        for record in second.cache_records().values():
            self.assertNotIn(root, json.dumps(record.get("parts", {})))
        # A real difference still misses: another compiler binary in the second clone.
        with open(os.path.join(second.src, "tools", "wyn"), "ab") as f:
            f.write(b"\0")
        second.build()
        self.assertEqual(second.wyn_compiles(), WYN_COMPILES)


if __name__ == "__main__":
    unittest.main()
