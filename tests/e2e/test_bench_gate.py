"""The benchmark's gate profile (bench/gen_gate.py, bench/gate/): its checkout
passes its own Makefile steps, which are the steps the README's gate project
registers, and the reference-style runners it carries fail the steps whose
tests break, so that the baselines do the work they are timed for."""

import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from wyn_e2e import REPO, TOOLS

sys.path.insert(0, os.path.join(REPO, "bench"))
import gen_gate  # noqa: E402

STEPS = os.path.join(REPO, "bench", "gate", "steps.sh")


class BenchGate(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="wyn-bench-gate-")
        self.addCleanup(shutil.rmtree, self.work, ignore_errors=True)
        self.checkout = os.path.join(self.work, "checkout")
        # The stand-in at its own cost, laid out as the bench lays it out.
        shutil.copytree(os.path.join(TOOLS, "standin", "build"), self.checkout, symlinks=True)
        self.info = gen_gate.generate(self.checkout, quick=True)
        gen_gate.write_goldens(self.info, os.path.join(self.checkout, "wyn"), dict(os.environ))

    def steps(self, mode):
        """{step: exit code} of one run of the Makefile's steps on a copy."""
        copy = os.path.join(self.work, f"copy-{mode}")
        shutil.copytree(self.checkout, copy, symlinks=True)
        tsv = os.path.join(self.work, f"{mode}.tsv")
        argv = ["bash", STEPS, mode] + (["2"] if mode == "parallel" else []) + [copy, tsv]
        proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              stdin=subprocess.DEVNULL, timeout=240)
        with open(tsv) as f:
            results = {step: int(rc) for rc, _, step in (line.rstrip("\n").split("\t") for line in f)}
        self.assertEqual(sorted(results), sorted(self.info["steps"]))
        return proc.returncode, results, tsv + ".d"

    def test_every_step_passes_and_the_readme_gate_registers_it(self):
        rc, results, logs = self.steps("serial")
        self.assertEqual(rc, 0, results)
        self.assertEqual(set(results.values()), {0})
        with open(os.path.join(logs, "tests_lsp_run_lsp_test.sh.log")) as f:
            self.assertIn("lsp: SKIP (", f.read())
        with open(os.path.join(logs, "tests_stdlib_run_stdlib_tests.sh.log")) as f:
            self.assertIn("1 known failures, 0 new failures", f.read())
        # The README's gate project names every script step the Makefile runs.
        with open(os.path.join(REPO, "README.md")) as f:
            readme = f.read().split("## Replacing a project's test gate", 1)[1].split("\n## ", 1)[0]
        for step in self.info["steps"]:
            script = step.split()[0]
            if script.startswith("tests/errors/"):
                self.assertIn("GLOB tests/errors/run_*_test.sh", readme)
            elif script not in ("tests/run_bdd.sh", "tests/golden/run_golden_tests.sh",
                                "tests/stdlib/run_stdlib_tests.sh"):
                self.assertIn(script, readme)
        fuzz = [step for step in self.info["steps"] if step.startswith("tests/fuzz/run_fuzz.sh ")]
        self.assertIn(fuzz[0].replace("run_fuzz.sh ", "run_fuzz.sh ARGS "), readme)

    def test_a_broken_test_fails_its_step_and_only_it(self):
        tests = os.path.join(self.checkout, "tests")
        golden = os.path.join(tests, "golden", self.info["goldens"][0] + ".c.golden")
        with open(golden, "a") as f:
            f.write("/* not what the compiler generates */\n")
        def replace_in(path, old, new):
            with open(path) as f:
                text = f.read()
            self.assertIn(old, text, path)
            with open(path, "w") as f:
                f.write(text.replace(old, new))

        replace_in(os.path.join(tests, "expect", "plain_000.wyn"),
                   "// EXPECT: program 0 says hello", "// EXPECT: program 0 says goodbye")
        with open(os.path.join(tests, "stdlib", "known_failures.txt"), "w") as f:
            f.write("# nothing listed: the failing program is a new failure\n")
        replace_in(os.path.join(tests, "errors", "run_removed_syntax_test.sh"),
                   '[ "$out" = "built removed_syntax 0" ]', '[ "$out" = "something else" ]')
        rc, results, _ = self.steps("parallel")
        self.assertNotEqual(rc, 0)
        failed = sorted(step for step, code in results.items() if code != 0)
        self.assertEqual(failed, sorted(["tests/run_bdd.sh", "tests/golden/run_golden_tests.sh",
                                         "tests/stdlib/run_stdlib_tests.sh",
                                         "tests/errors/run_removed_syntax_test.sh"]))


if __name__ == "__main__":
    unittest.main()
