"""Interrupting a run: Ctrl-C (SIGINT to ctest's process group), SIGINT to
ctest alone, and a launcher killed outright. No process of a test survives,
every record left behind is valid JSON and says what happened, and the next
run works."""

import glob
import os
import signal
import subprocess
import time
import unittest

from harness_checks import describe, load_strict_json, processes_mentioning, records_under, wait_until
from wyn_e2e import CTEST, TOOLS, Workspace, ctest_properties, linux_backend_only

SLEEPERS = 9  # one more than ctest -j8 runs at once
SLEEPER = '// EXPECT: never\nfn main() -> int {{\n    write_file("started", "x")\n{extra}    sleep_ms(25000)\n    return 0\n}}\n'
# Survivor checks: the acceptance bound, from the signal to no process left.
SURVIVOR_SECONDS = 5


# Each case bounds the time from a signal to no process left.
@ctest_properties(run_serial=True)
class Interrupts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(cls)
        files = {f"sleep{i}.wyn": SLEEPER.format(extra="") for i in range(SLEEPERS)}
        # Descendants in the test's group, and a program that ignores SIGTERM.
        files["sleep0.wyn"] = SLEEPER.format(extra="    spawn_orphan(60000)\n")
        files["sleep1.wyn"] = ('// EXPECT: never\nfn main() -> int {\n    write_file("started", "x")\n'
                               '    hang_ignoring_term()\n}\n')
        files["quick.wyn"] = '// EXPECT: quick\nfn main() -> int {\n    println("quick")\n    return 0\n}\n'
        cls.suite = cls.ws.suite("intr", files)
        cls.ws.configure([cls.suite])
        cls.ws.build()

    def started_files(self):
        return glob.glob(os.path.join(self.ws.build_dir, "wyn", "*", "t", "*", "run", "started"))

    def start_ctest(self, *args):
        for path in self.started_files():
            os.remove(path)
        proc = subprocess.Popen([CTEST, "--test-dir", self.ws.build_dir, *args], start_new_session=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.addCleanup(self.kill_leftovers)
        return proc

    def kill_leftovers(self):
        """So that a failing test does not leave sleepers behind for the next one."""
        for pid in processes_mentioning(self.ws.root):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def wait_for_running(self, count):
        running = wait_until(lambda: len(self.started_files()) >= count, 60)
        self.assertTrue(running, f"only {len(self.started_files())} tests started")
        time.sleep(0.3)  # let the last ones get past write_file into the sleep

    def assert_no_survivors(self, since):
        left = wait_until(lambda: not processes_mentioning(self.ws.root), SURVIVOR_SECONDS - (time.monotonic() - since))
        self.assertTrue(left, "processes survived the interrupt:\n" + describe(processes_mentioning(self.ws.root)))

    def this_runs_records(self):
        """Every record in the build tree (all must be valid), and those written by the last run."""
        marker = os.path.getmtime(os.path.join(self.ws.build_dir, "wyn-report", ".run-start"))
        records, recent = {}, {}
        for path in records_under(self.ws.build_dir):
            record = load_strict_json(path)
            records[record["name"]] = record
            if os.path.getmtime(path) >= marker:
                recent[record["name"]] = record
        leftovers = [p for p in glob.glob(os.path.join(self.ws.build_dir, "**", "*.tmp.*"), recursive=True)]
        self.assertEqual(leftovers, [], "half-written files")
        return records, recent

    def assert_next_run_works(self):
        proc = self.ws.ctest("-R", "^intr/quick$")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(self.ws.verdicts(), {"intr/quick": "passed"})

    def interrupt(self, send):
        proc = self.start_ctest("-j8")
        self.wait_for_running(8)
        sent = time.monotonic()
        send(proc)
        proc.communicate(timeout=30)
        self.assert_no_survivors(sent)
        _, recent = self.this_runs_records()
        interrupted = {n: r for n, r in recent.items() if r["status"] == "interrupted"}
        self.assertGreaterEqual(len(interrupted), 8, {n: (r["status"], r["reason"]) for n, r in recent.items()})
        for name, record in recent.items():
            if name != "intr/quick":
                self.assertEqual(record["status"], "interrupted", record)
        return interrupted

    def test_ctrl_c_stops_every_test_and_the_next_run_works(self):
        # A terminal's Ctrl-C: SIGINT to ctest's whole process group, launchers included.
        interrupted = self.interrupt(lambda proc: os.killpg(proc.pid, signal.SIGINT))
        for record in interrupted.values():
            self.assertIn("interrupted by SIGINT", record["reason"])
        self.assert_next_run_works()

    def test_sigint_to_ctest_alone_still_stops_every_test(self):
        # ctest dies of it and leaves its launchers behind; they notice
        # (Linux: PR_SET_PDEATHSIG; POSIX: getppid() changes) and stop their tests.
        interrupted = self.interrupt(lambda proc: os.kill(proc.pid, signal.SIGINT))
        for record in interrupted.values():
            self.assertIn("interrupted by SIGTERM", record["reason"])
        self.assert_next_run_works()

    def test_the_launcher_forwards_sighup_and_exits_128_plus_the_signal(self):
        test_dir = [d for d in glob.glob(os.path.join(self.ws.build_dir, "wyn", "*", "t", "sleep3-*"))][0]
        for path in self.started_files():
            os.remove(path)
        launcher = os.path.join(TOOLS, "bin", "wyn-launch")
        proc = subprocess.Popen([launcher, test_dir], start_new_session=True, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        self.addCleanup(self.kill_leftovers)
        self.wait_for_running(1)
        sent = time.monotonic()
        proc.send_signal(signal.SIGHUP)
        proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 128 + signal.SIGHUP)
        self.assert_no_survivors(sent)
        record = load_strict_json(os.path.join(test_dir, "result.json"))
        self.assertEqual(record["status"], "interrupted", record)
        self.assertIn("interrupted by SIGHUP", record["reason"])
        self.assertEqual(record["signal"], "SIGHUP")

    @linux_backend_only("PR_SET_PDEATHSIG (the test's main process dies with its launcher)")
    def test_a_launcher_killed_outright_leaves_an_error_record_and_no_test_process(self):
        proc = self.start_ctest("-R", "^intr/sleep2$")
        self.wait_for_running(1)
        launchers = [pid for pid in processes_mentioning(self.ws.root)
                     if b"wyn-launch" in open(f"/proc/{pid}/cmdline", "rb").read()]
        self.assertEqual(len(launchers), 1, describe(launchers))
        sent = time.monotonic()
        os.kill(launchers[0], signal.SIGKILL)
        out = proc.communicate(timeout=60)[0].decode(errors="replace")
        self.assertNotEqual(proc.returncode, 0, out)
        self.assert_no_survivors(sent)
        record = self.ws.record("intr/sleep2")
        self.assertEqual(record["status"], "harness_error", record)
        self.assertIn("did not finish", record["reason"])
        self.assertIn("harness_error", out, "the summary reports it")


if __name__ == "__main__":
    unittest.main()
