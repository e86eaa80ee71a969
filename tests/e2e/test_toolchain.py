"""The toolchain cache (wyn-cc in front of the C compiler the Wyn compiler
runs, with a memo per build directory and ccache behind it), end to end: it
never changes a verdict, an output or an exit code, whatever the compiler
style, the file names, the flags, the state of ccache's directory or the
presence of ccache; a user's own compiler wrapper still runs; and an edited
runtime source is compiled exactly once while every test links again."""

import json
import os
import shutil
import unittest

from wyn_e2e import BUILD_WYN, LEGACY_WYN, REPO, TOOLS, Workspace, ctest_properties, run

BUNDLED = [os.path.join(REPO, "wyn-tests", "examples"), os.path.join(REPO, "wyn-tests", "errors")]
OK = '// EXPECT: {text}\nfn main() -> int {{\n    println("{text}")\n    return 0\n}}\n'
EXIT_7 = '// EXPECT_EXIT: 7\n// EXPECT: seven\nfn main() -> int {\n    println("seven")\n    return 7\n}\n'
BROKEN = 'fn main() -> int {\n    println("x")\n    frobnicate()\n}\n'
HOSTILE_NAMES = ["with space", "-leading dash", "single'quote", 'double"quote', "semi;colon $x"]
STYLES = {
    "legacy": ["-DWYN_COMPILER_STYLE=legacy", f"-DWYN_COMPILER={LEGACY_WYN}"],
    "build": ["-DWYN_COMPILER_STYLE=build", f"-DWYN_COMPILER={BUILD_WYN}"],
}
# One more flag in the stand-in's C toolchain command (WYN_STANDIN_CC_FLAGS):
# valid for gcc and clang, unknown to the wrapper, so every such command
# passes through.
UNKNOWN_FLAG = "-fno-ident"


def path_without(program):
    """PATH with `program` hidden: each directory holding it is replaced by a
    directory of links to everything else it holds."""
    shadow_root = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"wyn-e2e-no-{program}-{os.getpid()}")
    entries = []
    for i, d in enumerate(os.environ.get("PATH", "").split(os.pathsep)):
        if not d or not os.path.isdir(d):
            continue
        if not os.path.exists(os.path.join(d, program)):
            entries.append(d)
            continue
        shadow = os.path.join(shadow_root, str(i))
        os.makedirs(shadow, exist_ok=True)
        for name in os.listdir(d):
            if name != program and not os.path.lexists(os.path.join(shadow, name)):
                os.symlink(os.path.join(d, name), os.path.join(shadow, name))
        entries.append(shadow)
    return os.pathsep.join(entries), shadow_root


def words(text):
    """`text` with every run of blanks made one blank: CMake re-wraps long messages."""
    return " ".join(text.split())


class Toolchain(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self)
        self.toolchain = os.path.join(self.ws.cache_dir, "toolchain")

    def run_in(self, name, dirs, *definitions, env=None, check_ctest=False):
        """Configures, builds and tests `dirs` in build directory `name`; the
        results by test name, normalised so two build directories compare."""
        self.ws.build_dir = os.path.join(self.ws.root, name)
        self.ws.configure(dirs, *definitions, env=env)
        run(["cmake", "--build", self.ws.build_dir], env=env, check=True)
        proc = run(["ctest", "--test-dir", self.ws.build_dir, "-j4"], env=env)
        if check_ctest:
            self.assertEqual(proc.returncode, 0, proc.stdout)
        return self.results()

    def results(self):
        out = {}
        for t in self.ws.summary()["tests"]:
            fields = {k: t.get(k) for k in ("status", "exit_code", "signal", "output", "reason", "diagnostics")}
            out[t["name"]] = json.loads(json.dumps(fields).replace(self.ws.build_dir, "<build>"))
        return out

    def stats(self):
        proc = run([os.path.join(TOOLS, "bin", "wyn-cache"), "stats", "--json", self.ws.cache_dir], check=True)
        return json.loads(proc.stdout)["toolchain"]

    def zero(self):
        run([os.path.join(TOOLS, "bin", "wyn-cache"), "zero", self.ws.cache_dir], check=True)

    def assert_same_results(self, dirs, *definitions, env=None):
        """Off, then on with a cold cache, then on with a warm one (memo and ccache): alike."""
        off = self.run_in("build-off", dirs, "-DWYN_TOOLCHAIN_CACHE=OFF", "-DWYN_COMPILE_CACHE=OFF",
                          *definitions, env=env)
        self.assertFalse(os.path.exists(os.path.join(self.toolchain, "counters")))
        cold = self.run_in("build-on", dirs, "-DWYN_TOOLCHAIN_CACHE=ON", "-DWYN_COMPILE_CACHE=OFF",
                           *definitions, env=env)
        self.assertEqual(cold, off)
        self.assertGreater(len(off), 0)
        cold_stats = self.stats()
        run(["cmake", "--build", self.ws.build_dir, "--target", "clean"], check=True)
        warm = self.run_in("build-on", dirs, *definitions, env=env)
        self.assertEqual(warm, off)
        return off, cold_stats, self.stats()

    @ctest_properties(processors=2, timeout=600)  # six builds of the bundled suites
    def test_bundled_suite_gives_identical_results_in_both_styles(self):
        for style, definitions in STYLES.items():
            with self.subTest(style=style):
                shutil.rmtree(self.ws.cache_dir, ignore_errors=True)
                _, cold, warm = self.assert_same_results(BUNDLED, *definitions)
                self.assertGreater(cold["splits"], 0, cold)
                self.assertGreater(cold["compiles"], 0, cold)
                # The warm run compiled nothing again: every object came from the memo.
                self.assertEqual(warm["compiles"], cold["compiles"], warm)
                self.assertGreater(warm["memo_hits"], cold["memo_hits"], warm)
                self.assertGreater(warm["splits"], cold["splits"], warm)
                self.assertIsNotNone(cold["ccache"], cold)
                self.assertGreater(cold["ccache"]["misses"], 0, cold)
                text = run([os.path.join(TOOLS, "bin", "wyn-cache"), "stats", self.ws.cache_dir], check=True).stdout
                for line in ("toolchain cache", "memo hits", "ccache hits", "commands split", "passed through"):
                    self.assertIn(line, text)
                run([os.path.join(TOOLS, "bin", "wyn-cache"), "clear", self.ws.cache_dir], check=True)
                self.assertFalse(os.path.exists(os.path.join(self.toolchain, "ccache")))

    @ctest_properties(processors=2, timeout=600)  # twelve builds
    def test_hostile_file_names_and_an_unknown_flag_give_identical_results(self):
        files = {f"{name}.wyn": OK.format(text=name.replace('"', "'")) for name in HOSTILE_NAMES}
        files["exit seven.wyn"] = EXIT_7
        files["broken.wyn"] = BROKEN
        suite = self.ws.suite("hostile", files)
        for style, definitions in STYLES.items():
            with self.subTest(style=style):
                shutil.rmtree(self.ws.cache_dir, ignore_errors=True)
                results, cold, _ = self.assert_same_results([suite], *definitions)
                self.assertEqual(results["hostile/with space"]["status"], "passed")
                self.assertEqual(results["hostile/exit seven"]["status"], "passed")
                self.assertEqual(results["hostile/broken"]["status"], "compile_error")
                self.assertGreaterEqual(cold["splits"], len(HOSTILE_NAMES) + 1, cold)
                shutil.rmtree(self.ws.cache_dir)
                with_flag = dict(os.environ, WYN_STANDIN_CC_FLAGS=UNKNOWN_FLAG)
                flagged, _, _ = self.assert_same_results([suite], *definitions, env=with_flag)
                self.assertEqual(flagged, results)
                stats = self.stats()
                # Every C compiler command the stand-in ran had the unknown flag:
                # none was split, each was passed through and counted.
                self.assertEqual(stats["splits"], 0, stats)
                self.assertGreaterEqual(stats["pass_throughs"], len(HOSTILE_NAMES) + 1, stats)

    @ctest_properties(processors=2, timeout=600)  # four legacy builds of the bundled suites
    def test_a_corrupted_or_deleted_ccache_directory_changes_no_verdict(self):
        definitions = STYLES["legacy"] + ["-DWYN_COMPILE_CACHE=OFF", "-DWYN_TOOLCHAIN_CACHE=ON"]
        first = self.run_in("build-1", BUNDLED, *definitions)
        ccache_dir = os.path.join(self.toolchain, "ccache")
        damaged = 0
        for dirpath, _, filenames in os.walk(ccache_dir):
            for name in filenames:
                with open(os.path.join(dirpath, name), "r+b") as f:
                    size = len(f.read())
                    f.seek(0)
                    f.write(b"\xff" * max(size, 16))
                damaged += 1
        self.assertGreater(damaged, 0)
        # A new build directory has no memo: every object is asked of ccache.
        self.assertEqual(self.run_in("build-2", BUNDLED, *definitions), first)
        shutil.rmtree(ccache_dir)
        self.assertEqual(self.run_in("build-3", BUNDLED, *definitions), first)
        shutil.rmtree(ccache_dir)
        with open(ccache_dir, "w") as f:
            f.write("not a directory")  # ccache cannot work at all: the compiler runs alone
        self.assertEqual(self.run_in("build-4", BUNDLED, *definitions), first)

    def test_without_ccache_on_path_the_cache_is_off_and_the_suite_passes(self):
        path, shadow = path_without("ccache")
        self.addCleanup(shutil.rmtree, shadow, ignore_errors=True)
        env = {"PATH": path}
        self.assertIsNone(shutil.which("ccache", path=path))
        suite = self.ws.suite("plain", {"a.wyn": OK.format(text="a"), "b.wyn": EXIT_7})
        proc = self.ws.configure([suite], env=env)
        self.assertIn("toolchain cache off (ccache not found", words(proc.stdout))
        self.assertIn("apt-get install ccache", words(proc.stdout))
        run(["cmake", "--build", self.ws.build_dir], env=env, check=True)
        self.assertEqual(run(["ctest", "--test-dir", self.ws.build_dir], env=env).returncode, 0)
        self.assertEqual(set(self.ws.verdicts().values()), {"passed"})
        self.assertFalse(os.path.exists(self.toolchain))

        self.ws.build_dir = os.path.join(self.ws.root, "build-on")
        proc = self.ws.configure([suite], "-DWYN_TOOLCHAIN_CACHE=ON", env=env, check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("ccache is not on PATH", words(proc.stdout))
        self.assertIn("apt-get install ccache", words(proc.stdout))

    def test_configure_says_whether_the_cache_is_on(self):
        suite = self.ws.suite("plain", {"a.wyn": OK.format(text="a")})
        self.assertIn("toolchain cache on (", self.ws.configure([suite]).stdout)  # AUTO, ccache here
        self.assertIn("toolchain cache off (WYN_TOOLCHAIN_CACHE=OFF)",
                      self.ws.configure([suite], "-DWYN_TOOLCHAIN_CACHE=OFF").stdout)
        proc = self.ws.configure([suite], "-DWYN_TOOLCHAIN_CACHE=sometimes", check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("TOOLCHAIN_CACHE must be one of AUTO, ON, OFF", words(proc.stdout))

    def test_a_users_own_clang_wrapper_earlier_on_path_is_still_called(self):
        bin_dir = os.path.join(self.ws.root, "user-bin")
        os.makedirs(bin_dir)
        log = os.path.join(self.ws.root, "user-clang.log")
        with open(os.path.join(bin_dir, "clang"), "w") as f:
            f.write(f'#!/bin/sh\necho called >> "{log}"\nexec cc "$@"\n')
        os.chmod(os.path.join(bin_dir, "clang"), 0o755)
        # The legacy stand-in links with the clang of PATH, as the real one does.
        env = {"PATH": bin_dir + os.pathsep + os.environ["PATH"]}
        suite = self.ws.suite("plain", {"a.wyn": OK.format(text="a"), "b.wyn": EXIT_7})
        results = self.run_in("build", [suite], *STYLES["legacy"], "-DWYN_TOOLCHAIN_CACHE=ON",
                              env=env, check_ctest=True)
        self.assertEqual({r["status"] for r in results.values()}, {"passed"})
        with open(log) as f:
            calls = len(f.readlines())
        # At least each test's link went through the user's clang.
        self.assertGreaterEqual(calls, 2)
        self.assertGreater(self.stats()["splits"], 0)

    def test_runtime_source_changed_compiles_that_source_once_and_relinks_every_test(self):
        root = os.path.join(self.ws.root, "wynroot")
        shutil.copytree(os.path.join(os.path.dirname(LEGACY_WYN), "src"), os.path.join(root, "src"))
        runtime = sorted(f for f in os.listdir(os.path.join(root, "src")) if f.endswith(".c"))
        files = {f"t{i}.wyn": OK.format(text=f"hello {i}") for i in range(6)}
        suite = self.ws.suite("rt", files)
        self.run_in("build", [suite], *STYLES["legacy"], f"-DWYN_ROOT={root}", "-DWYN_TOOLCHAIN_CACHE=ON",
                    check_ctest=True)
        self.zero()
        with open(os.path.join(root, "src", runtime[0]), "a") as f:
            f.write("/* edited */\n")
        run(["cmake", "--build", self.ws.build_dir], check=True)
        self.assertEqual(run(["ctest", "--test-dir", self.ws.build_dir, "-j4"]).returncode, 0)
        stats = self.stats()
        self.assertEqual(stats["compiles"], 1, stats)  # the edited source, once
        self.assertEqual(stats["splits"], len(files), stats)  # every test linked again
        self.assertEqual(stats["memo_hits"], len(files) * len(runtime) - 1, stats)
        self.assertEqual(set(self.ws.verdicts().values()), {"passed"})


if __name__ == "__main__":
    unittest.main()
