"""Incremental builds: Ninja recompiles exactly what a change affects."""

import os
import shutil
import time
import unittest

from wyn_e2e import BUILD_WYN, LEGACY_WYN, Workspace, run

HELLO = '// EXPECT: {text}\nfn main() -> int {{\n    println("{text}")\n    return 0\n}}\n'
MODULE = 'fn greet() {\n    println("from the module")\n}\n'
IMPORTER = ('// EXPECT: from the module\nimport { greet } from greeting\nfn main() -> int {\n'
            '    greet()\n    return 0\n}\n')


def bump_mtime(path):
    """Moves the mtime clearly past the outputs', whatever the file system's granularity."""
    later = time.time() + 2
    os.utime(path, (later, later))


class Incremental(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self)
        files = {f"t{i}.wyn": HELLO.format(text=f"hello {i}") for i in range(4)}
        files["greeting.wyn"] = MODULE
        files["uses_a.wyn"] = IMPORTER
        files["uses_b.wyn"] = IMPORTER
        files["sub/other.wyn"] = HELLO.format(text="other")
        self.suite = self.ws.suite("inc", files)

    def build_and_count(self, compiler=BUILD_WYN, style_args=()):
        self.ws.build()
        return self.ws.compiles()

    def test_nothing_changed_means_nothing_to_do(self):
        self.ws.configure([self.suite])
        self.assertEqual(self.build_and_count(), 7)  # every file but the module
        self.assertEqual(self.build_and_count(), 0)
        explain = run(["ninja", "-C", self.ws.build_dir, "-n", "-d", "explain"], check=True)
        self.assertIn("no work to do", explain.stdout)
        self.assertNotIn("is dirty", explain.stdout)

    def test_touching_one_test_recompiles_exactly_that_test(self):
        self.ws.configure([self.suite])
        self.build_and_count()
        bump_mtime(os.path.join(self.suite, "t2.wyn"))
        self.ws.build()
        with open(self.ws.compile_log) as f:
            dirs = f.read().split()
        self.assertEqual(len(dirs), 1)
        self.assertIn("t2-", dirs[0])
        os.remove(self.ws.compile_log)

    def test_touching_a_module_recompiles_exactly_its_importers(self):
        self.ws.configure([self.suite])
        self.build_and_count()
        bump_mtime(os.path.join(self.suite, "greeting.wyn"))
        self.ws.build()
        with open(self.ws.compile_log) as f:
            dirs = sorted(os.path.basename(os.path.dirname(d)) for d in f.read().split())
        self.assertEqual([d.split("-")[0] for d in dirs], ["uses_a", "uses_b"])

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

    def test_replacing_the_compiler_recompiles_everything(self):
        compiler = os.path.join(self.ws.root, "bin", "wyn")
        os.makedirs(os.path.dirname(compiler))
        shutil.copy2(BUILD_WYN, compiler)
        shutil.copytree(os.path.join(os.path.dirname(BUILD_WYN), "runtime"),
                        os.path.join(self.ws.root, "bin", "runtime"))
        self.ws.configure([self.suite], f"-DWYN_COMPILER={compiler}")
        self.assertEqual(self.build_and_count(), 7)
        replacement = compiler + ".new"
        shutil.copy(BUILD_WYN, replacement)
        os.replace(replacement, compiler)
        bump_mtime(compiler)
        self.assertEqual(self.build_and_count(), 7)

    def test_changing_a_legacy_runtime_source_recompiles_everything(self):
        root = os.path.join(self.ws.root, "wynroot")
        shutil.copytree(os.path.join(os.path.dirname(LEGACY_WYN), "src"), os.path.join(root, "src"))
        self.ws.configure([self.suite], f"-DWYN_COMPILER={LEGACY_WYN}", f"-DWYN_ROOT={root}")
        self.assertEqual(self.build_and_count(), 7)
        self.assertEqual(self.build_and_count(), 0)
        runtime = sorted(f for f in os.listdir(os.path.join(root, "src")) if f.endswith(".c"))[0]
        bump_mtime(os.path.join(root, "src", runtime))
        self.assertEqual(self.build_and_count(), 7)
        self.assertEqual(self.ws.ctest("-j4").returncode, 0)

    def test_a_new_file_is_picked_up_by_the_next_build(self):
        self.ws.configure([self.suite])
        self.ws.build()
        self.ws.ctest("-j4")
        self.ws.write("inc/sub/new_test.wyn", HELLO.format(text="brand new"))
        self.ws.build()
        self.assertEqual(self.ws.compiles(), 1 + 7)  # the new test (+ the first build's 7)
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


if __name__ == "__main__":
    unittest.main()
