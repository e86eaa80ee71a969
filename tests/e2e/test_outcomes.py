"""Every outcome is reported with the right status and a reason a person understands."""

import os
import time
import unittest

from wyn_e2e import Workspace, ctest_properties, run

PROGRAMS = {
    "wrong_output.wyn": '// EXPECT: right\n// EXPECT: second\nfn main() -> int {\n    println("wrong")\n'
                        '    println("second")\n    return 0\n}\n',
    "compile_error.wyn": "fn main() -> int {\n    println(\"x\")\n    frobnicate()\n}\n",
    "compiler_crash.wyn": "// standin: abort\nfn main() -> int {\n    return 0\n}\n",
    "segfault.wyn": '// EXPECT: before\nfn main() -> int {\n    println("before")\n    crash()\n}\n',
    "aborts.wyn": "fn main() -> int {\n    abort()\n}\n",
    "exit139.wyn": "fn main() -> int {\n    return 139\n}\n",
    "nonzero.wyn": "fn main() -> int {\n    return 3\n}\n",
    "expected_exit.wyn": "// EXPECT_EXIT: 3\nfn main() -> int {\n    return 3\n}\n",
    "expect_error_ok.wyn": "// EXPECT_ERROR: Undefined function 'nope'\nfn main() -> int {\n    nope()\n}\n",
    "expect_error_compiles.wyn": "// EXPECT_ERROR: something\nfn main() -> int {\n    return 0\n}\n",
    "hangs.wyn": "// TIMEOUT: 2\nfn main() -> int {\n    spawn_orphan(60000)\n    hang()\n}\n",
    "ignores_term.wyn": "// TIMEOUT: 1\nfn main() -> int {\n    hang_ignoring_term()\n}\n",
    "skipped.wyn": "// SKIP: not on this machine\nfn main() -> int {\n    crash()\n}\n",
    "xfail.wyn": "// XFAIL: known bug\n// EXPECT: fixed\nfn main() -> int {\n    println(\"broken\")\n}\n",
    "xpass.wyn": "// XFAIL: was a bug\nfn main() -> int {\n    return 0\n}\n",
}


def processes_mentioning(text):
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(pid)
        except OSError:
            pass
    return found


class Outcomes(unittest.TestCase):
    @classmethod
    @ctest_properties(run_serial=True)  # the run the time bounds are read from
    def setUpClass(cls):
        cls.ws = Workspace(cls)
        cls.suite = cls.ws.suite("outcomes", PROGRAMS)
        cls.ws.configure([cls.suite])
        cls.ws.build()
        cls.started = time.time()
        cls.proc = cls.ws.ctest("-j8", "--output-on-failure")
        cls.elapsed = time.time() - cls.started
        # summary.json describes the last ctest run; some tests below run ctest again.
        cls.records = {t["name"]: t for t in cls.ws.summary()["tests"]}

    def check(self, name, status, *reason_parts):
        record = self.records[f"outcomes/{name}"]
        self.assertEqual(record["status"], status, record)
        for part in reason_parts:
            self.assertIn(part, record["reason"], record)
        return record

    def test_ctest_fails_and_the_summary_lists_the_failures(self):
        self.assertNotEqual(self.proc.returncode, 0)
        self.assertIn("wyn-ctest summary: 15 tests", self.proc.stdout)
        self.assertIn("Failures:", self.proc.stdout)

    def test_wrong_output_shows_the_diff(self):
        record = self.check("wrong_output", "failed", "output line 1 is 'wrong', expected 'right'")
        self.assertEqual(record["diff"], [{"line": 1, "expected": "right", "actual": "wrong",
                                           "missing_actual": False}])
        self.assertIn("expected 'right'", self.proc.stdout)

    def test_compile_error_carries_the_diagnostics(self):
        record = self.check("compile_error", "compile_error", "status 1", "Undefined function 'frobnicate'")
        self.assertIn("frobnicate", record["diagnostics"])
        self.assertNotIn("\x1b", record["diagnostics"])

    def test_compiler_crash_names_the_signal(self):
        record = self.check("compiler_crash", "compile_error", "crashed with SIGABRT")
        self.assertIn("LLVM ERROR", record["diagnostics"])

    def test_program_crashes_name_the_signal_even_after_the_right_output(self):
        self.check("segfault", "crashed", "SIGSEGV")
        self.check("aborts", "crashed", "SIGABRT")

    def test_exit_139_is_an_exit_code_not_a_signal(self):
        record = self.check("exit139", "failed", "exit code 139")
        self.assertEqual(record["signal"], "")
        self.assertEqual(record["exit_code"], 139)

    def test_exit_policy_and_expect_exit(self):
        self.check("nonzero", "failed", "exit code 3, expected 0")
        self.check("expected_exit", "passed")

    def test_expect_error(self):
        self.check("expect_error_ok", "passed")
        self.check("expect_error_compiles", "failed", "compiled successfully")

    def test_timeout_kills_the_whole_group_grandchildren_included(self):
        record = self.check("hangs", "timeout", "timed out after 2 s")
        self.assertEqual(record["signals_sent"][0], "SIGTERM")
        self.assertLess(record["run_seconds"], 2 + 2 + 1)
        self.assertEqual(processes_mentioning(self.ws.build_dir), [])

    def test_a_program_ignoring_sigterm_is_killed_after_the_grace(self):
        record = self.check("ignores_term", "timeout")
        self.assertEqual(record["signals_sent"], ["SIGTERM", "SIGKILL"])

    def test_skip_xfail_and_xpass(self):
        self.check("skipped", "skipped", "not on this machine")
        self.check("xfail", "xfail", "known bug")
        self.check("xpass", "xpass", "was a bug")
        listing = run(["ctest", "--test-dir", self.ws.build_dir, "-R", "outcomes/skipped"]).stdout
        self.assertIn("Skipped", listing)


if __name__ == "__main__":
    unittest.main()
