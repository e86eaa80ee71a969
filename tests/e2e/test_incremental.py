"""Incremental builds: Ninja re-runs exactly the compile steps a change
affects, and the compile cache runs the compiler only when a content changed.

Each case checks both layers: which compile steps Ninja ran (from the build
output) and which compiler invocations happened (logged by a counting
compiler launcher)."""

import os
import re
import shutil
import time
import unittest

from wyn_e2e import BUILD_WYN, LEGACY_WYN, REPO, Workspace, ctest_properties, run

HELLO = '// EXPECT: {text}\nfn main() -> int {{\n    println("{text}")\n    return 0\n}}\n'
MODULE = 'fn greet() {\n    println("from the module")\n}\n'
IMPORTER = ('// EXPECT: from the module\nimport { greet } from greeting\nfn main() -> int {\n'
            '    greet()\n    return 0\n}\n')
TESTS = ["sub.other", "t0", "t1", "t2", "t3", "uses_a", "uses_b"]  # every file but the module
STEPS = sorted(TESTS + ["greeting"])  # the module has a step too: it may become a test


def bump_mtime(path):
    """Moves the mtime clearly past the outputs', whatever the file system's granularity."""
    later = time.time() + 2
    os.utime(path, (later, later))


def append_byte(path, byte=b"\n"):
    with open(path, "ab") as f:
        f.write(byte)
    bump_mtime(path)


def stepped(build_output):
    """The test ids whose compile step Ninja ran, without their hash suffix."""
    return sorted(re.sub(r"-[0-9a-f]{12}$", "", m) for m in
                  re.findall(r"Compiling Wyn test \S+: (\S+)", build_output))


class Incremental(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self)
        files = {f"t{i}.wyn": HELLO.format(text=f"hello {i}") for i in range(4)}
        files["greeting.wyn"] = MODULE
        files["uses_a.wyn"] = IMPORTER
        files["uses_b.wyn"] = IMPORTER
        files["sub/other.wyn"] = HELLO.format(text="other")
        self.suite = self.ws.suite("inc", files)

    def build(self):
        """(steps Ninja ran, compiler invocations)."""
        proc = self.ws.build()
        return stepped(proc.stdout), self.ws.compiled_tests()

    def test_nothing_changed_means_nothing_to_do(self):
        self.ws.configure([self.suite])
        self.assertEqual(self.build(), (STEPS, TESTS))
        # Nothing at all is out of date: not in a dry run, which re-stats no
        # output, and not in a real build.
        dry = run(["ninja", "-C", self.ws.build_dir, "-n", "-d", "explain"], check=True)
        # -d explain prints a line for each output it finds out of date.
        self.assertEqual(dry.stdout.splitlines()[-1:], ["ninja: no work to do."], dry.stdout)
        self.assertNotIn("ninja explain:", dry.stdout)
        real = run(["ninja", "-C", self.ws.build_dir], check=True)
        self.assertIn("ninja: no work to do.", real.stdout, real.stdout)
        self.assertEqual(self.ws.compiled_tests(), [])

    def test_touching_one_test_reruns_its_step_and_the_cache_skips_the_compiler(self):
        self.ws.configure([self.suite])
        self.build()
        bump_mtime(os.path.join(self.suite, "t2.wyn"))
        self.assertEqual(self.build(), (["t2"], []))
        append_byte(os.path.join(self.suite, "t2.wyn"))
        self.assertEqual(self.build(), (["t2"], ["t2"]))

    def test_a_module_change_recompiles_exactly_its_importers(self):
        self.ws.configure([self.suite])
        self.build()
        module = os.path.join(self.suite, "greeting.wyn")
        bump_mtime(module)
        self.assertEqual(self.build(), (["greeting", "uses_a", "uses_b"], []))
        append_byte(module)
        self.assertEqual(self.build(), (["greeting", "uses_a", "uses_b"], ["uses_a", "uses_b"]))

    def test_editing_a_module_changes_the_importers_verdict(self):
        self.ws.configure([self.suite])
        self.ws.build()
        self.assertEqual(self.ws.ctest("-j4").returncode, 0)
        with open(os.path.join(self.suite, "greeting.wyn"), "w") as f:
            f.write(MODULE.replace("from the module", "changed"))
        self.ws.build()
        self.ws.ctest("-j4")
        self.assertEqual(self.ws.verdicts()["inc/uses_a"], "failed")
        self.assertIn("'changed'", self.ws.record("inc/uses_a")["reason"])

    def test_a_different_compiler_binary_recompiles_everything_an_identical_copy_nothing(self):
        compiler = os.path.join(self.ws.root, "bin", "wyn")
        os.makedirs(os.path.dirname(compiler))
        shutil.copy2(BUILD_WYN, compiler)
        shutil.copytree(os.path.join(os.path.dirname(BUILD_WYN), "runtime"),
                        os.path.join(self.ws.root, "bin", "runtime"))
        self.ws.configure([self.suite], f"-DWYN_COMPILER={compiler}")
        self.assertEqual(self.build(), (STEPS, TESTS))
        replacement = compiler + ".new"
        shutil.copy(BUILD_WYN, replacement)
        os.replace(replacement, compiler)
        bump_mtime(compiler)
        self.assertEqual(self.build(), (STEPS, []))
        append_byte(compiler, b"\0")  # still a working ELF file, but another binary
        self.assertEqual(self.build(), (STEPS, TESTS))
        self.assertEqual(self.ws.ctest("-j4").returncode, 0)

    def test_changing_a_legacy_runtime_source_recompiles_everything(self):
        root = os.path.join(self.ws.root, "wynroot")
        shutil.copytree(os.path.join(os.path.dirname(LEGACY_WYN), "src"), os.path.join(root, "src"))
        self.ws.configure([self.suite], f"-DWYN_COMPILER={LEGACY_WYN}", f"-DWYN_ROOT={root}")
        self.assertEqual(self.build(), (STEPS, TESTS))
        self.assertEqual(self.build(), ([], []))
        runtime = sorted(f for f in os.listdir(os.path.join(root, "src")) if f.endswith(".c"))[0]
        bump_mtime(os.path.join(root, "src", runtime))
        self.assertEqual(self.build(), (TESTS, []))
        append_byte(os.path.join(root, "src", runtime), b"/* one more byte */\n")
        self.assertEqual(self.build(), (TESTS, TESTS))
        self.assertEqual(self.ws.ctest("-j4").returncode, 0)

    def test_a_new_file_is_picked_up_by_the_next_build(self):
        self.ws.configure([self.suite])
        self.ws.build()
        self.ws.ctest("-j4")
        self.ws.compiled_tests()
        self.ws.write("inc/sub/new_test.wyn", HELLO.format(text="brand new"))
        self.ws.build()
        self.assertEqual(self.ws.compiled_tests(), ["sub.new_test"])
        proc = self.ws.ctest("-j4")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(self.ws.verdicts()["inc/sub/new_test"], "passed")

    def test_a_removed_file_disappears_and_a_changed_label_needs_no_configure(self):
        self.ws.configure([self.suite])
        self.ws.build()
        os.remove(os.path.join(self.suite, "t3.wyn"))
        self.ws.build()
        self.assertNotIn("inc/t3", self.ws.ctest_names())
        path = os.path.join(self.suite, "t1.wyn")
        with open(path) as f:
            text = f.read()
        with open(path, "w") as f:
            f.write("// LABELS: fresh\n" + text)
        proc = self.ws.build()
        self.assertNotIn("Re-running CMake", proc.stdout)
        labels = {p["name"]: p["value"] for p in self.ws.ctest_names()["inc/t1"]["properties"]}["LABELS"]
        self.assertIn("fresh", labels)

    def test_running_ctest_after_an_edit_without_building_is_reported_not_hidden(self):
        self.ws.configure([self.suite])
        self.ws.build()
        with open(os.path.join(self.suite, "t0.wyn"), "a") as f:
            f.write("// NOTE: edited\n")
        self.ws.ctest("-j4")
        record = self.ws.record("inc/t0")
        self.assertEqual(record["status"], "harness_error")
        self.assertIn("run cmake --build", record["reason"])



class OwnTools(unittest.TestCase):
    """The configuration people get: no WYN_TOOLS_DIR, so the first configure
    builds the tools inside the build directory, and their sources become
    configure dependencies. That must not cost the no-op build its "no work
    to do" (a CONFIGURE_DEPENDS glob would: it runs on every build)."""

    @ctest_properties(processors=2, timeout=1200)  # builds the tools: 80 s idle, 12 min under load seen
    def test_a_build_with_its_own_tools_has_nothing_to_do_until_a_tool_source_changes(self):
        ws = Workspace(self)
        # A copy of the project, so that touching a tool's source leaves the checkout alone.
        source = os.path.join(ws.root, "wyn-ctest")
        os.makedirs(source)
        for part in ("CMakeLists.txt", "cmake", "generator"):
            copy = shutil.copytree if os.path.isdir(os.path.join(REPO, part)) else shutil.copy2
            copy(os.path.join(REPO, part), os.path.join(source, part))
        suite = ws.suite("own", {"t0.wyn": HELLO.format(text="hello")})
        ws.configure([suite], source=source, tools=None)
        ws.build()
        self.assertEqual(ws.compiled_tests(), ["t0"])
        dry = run(["ninja", "-C", ws.build_dir, "-n", "-d", "explain"], check=True)
        self.assertEqual(dry.stdout.splitlines()[-1:], ["ninja: no work to do."], dry.stdout)
        self.assertNotIn("ninja explain:", dry.stdout)
        # An edited tool source re-runs cmake, which rebuilds the tools.
        bump_mtime(os.path.join(source, "generator", "util", "text.cpp"))
        dry = run(["ninja", "-C", ws.build_dir, "-n", "-d", "explain"], check=True)
        self.assertIn("build.ninja older than most recent input", dry.stdout)
        self.assertIn(os.path.join("generator", "util", "text.cpp"), dry.stdout)


if __name__ == "__main__":
    unittest.main()
