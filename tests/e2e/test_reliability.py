"""The reliability suite: misbehaving test programs run end to end through
real cmake, ninja and ctest, and nothing they do can hang the harness, crash
it, fool it or make it lose results (docs/guarantees.md). Time bounds are the
acceptance bounds of the guarantees, not measurements."""

import glob
import os
import time
import unittest
import xml.etree.ElementTree as ElementTree

from harness_checks import describe, load_strict_json, processes_mentioning, records_under
from wyn_e2e import BUILD_WYN, REPO, TOOLS, Workspace, ctest_properties, run, snapshot

GRACE = 2  # WYN_TIMEOUT_GRACE's default
OUTPUT_CAP = 10 << 20  # WYN_OUTPUT_LIMIT_MB's default, in bytes
FIVE_GIB = 5 << 30


def program(*statements, directives=()):
    lines = [f"// {d}" for d in directives] + ["fn main() -> int {"]
    lines += [f"    {s}" for s in statements] + ["}"]
    return "\n".join(lines) + "\n"


def wyn_string(data):
    """A stand-in string literal holding exactly these bytes."""
    return '"' + "".join(f"\\x{b:02x}" for b in data) + '"'


# Every byte value, then sequences that are not UTF-8 (overlong, surrogate,
# out of range, truncated, stray continuation) and noncharacters that are.
EVERY_BYTE = bytes(range(256))
NOT_UTF8 = b"\xc0\xaf|\xed\xa0\x80|\xf8\x88\x80\x80\x80|\xf4\x90\x80\x80|\xe2\x82|\x80|\xff\xfe"
NONCHARACTERS = "\ufffe\uffff".encode()

PROGRAMS = {
    "infinite.wyn": program("spawn_orphan(60000)", "hang()", directives=["TIMEOUT: 2"]),
    "ignores_term.wyn": program("hang_ignoring_term()", directives=["TIMEOUT: 1"]),
    "grandchild.wyn": program('println("parent done")', "spawn_orphan(60000)", "return 0",
                              directives=["EXPECT: parent done"]),
    "flood.wyn": program(f"flood({FIVE_GIB})", "return 0"),
    "stderr_only.wyn": program("flood_stderr(1048576)", "return 0"),
    "bytes.wyn": program(f"print({wyn_string(EVERY_BYTE)})", f"println({wyn_string(NOT_UTF8)})",
                         f"println({wyn_string(NONCHARACTERS)})", "return 0",
                         directives=["EXPECT: something else"]),
    "segv.wyn": program('println("right")', "crash()", directives=["EXPECT: right"]),
    "abort.wyn": program('println("right")', "abort()", directives=["EXPECT: right"]),
    "fpe.wyn": program('println("right")', "fpe()", directives=["EXPECT: right"]),
    "exit139.wyn": program('println("right")', "return 139", directives=["EXPECT: right"]),
    "limits.wyn": program('print_file("/proc/self/limits")', "return 0"),
    "hog.wyn": program("alloc_mb(6144)", "return 0"),
    "hog_directive.wyn": program("alloc_mb(40)", "alloc_mb(40)", "return 0",
                                 directives=["MEMORY_LIMIT: 64"]),
    "cpu.wyn": program("burn_ms(10000)", "return 0", directives=["CPU_LIMIT: 1"]),
    "flaky.wyn": program('fail_times("../flaky-count", 1)', 'println("ok")', "return 0",
                         directives=["EXPECT: ok"]),
}


def disk_usage(path):
    total = 0
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
    return total


class Misbehaviour(unittest.TestCase):
    """One suite of misbehaving programs, run once with ctest -j8."""

    @classmethod
    @ctest_properties(run_serial=True)  # the run the time bounds are read from
    def setUpClass(cls):
        cls.ws = Workspace(cls)
        cls.suite = cls.ws.suite("rel", PROGRAMS)
        # A raw invalid byte in an EXPECT line of the source, too.
        with open(os.path.join(cls.suite, "bytes.wyn"), "rb+") as f:
            source = f.read().replace(b"something else", b"something \xff else")
            f.seek(0)
            f.write(source)
        cls.ws.configure([cls.suite])
        cls.ws.build()
        cls.proc = cls.ws.ctest("-j8", "--output-on-failure")
        cls.records = {t["name"].split("/", 1)[1]: t for t in cls.ws.summary()["tests"]}

    def record(self, name, status=None, *reason_parts):
        record = self.records[name]
        if status:
            self.assertEqual(record["status"], status, record)
        for part in reason_parts:
            self.assertIn(part, record["reason"], record)
        return record

    def launcher_lag(self, record):
        """Seconds from the program's end to the launcher's last act (writing the record)."""
        written = os.path.getmtime(os.path.join(record["test_dir"], "result.json"))
        return written - (record["start_time"] + record["run_seconds"])

    def test_every_test_ran_and_no_process_survived(self):
        self.assertEqual(len(self.records), len(PROGRAMS), sorted(self.records))
        self.assertEqual(processes_mentioning(self.ws.root), [],
                         describe(processes_mentioning(self.ws.root)))

    def test_an_infinite_loop_times_out_within_the_timeout_grace_and_a_second(self):
        record = self.record("infinite", "timeout", "timed out after 2 s")
        self.assertEqual(record["signals_sent"][0], "SIGTERM")
        self.assertLess(record["run_seconds"], 2 + GRACE + 1)
        self.assertLess(record["run_seconds"] + self.launcher_lag(record), 2 + GRACE + 1)

    def test_a_program_ignoring_sigterm_is_killed_at_the_end_of_the_grace(self):
        record = self.record("ignores_term", "timeout")
        self.assertEqual(record["signals_sent"], ["SIGTERM", "SIGKILL"])
        self.assertEqual(record["signal"], "SIGKILL")
        self.assertGreaterEqual(record["run_seconds"], 1 + GRACE - 0.1)
        self.assertLess(record["run_seconds"], 1 + GRACE + 1)

    def test_a_grandchild_holding_stdout_is_a_leak_and_costs_under_a_second(self):
        record = self.record("grandchild", "failed", "left", "behind")
        self.assertTrue(record["leaked"])
        self.assertEqual(record["exit_code"], 0)
        self.assertLess(self.launcher_lag(record), 1.0)

    def test_five_gib_of_output_fails_fast_with_bounded_disk_and_memory(self):
        record = self.record("flood", "failed", "output limit of 10 MiB")
        self.assertEqual(record["limit_exceeded"], "output")
        self.assertLess(record["run_seconds"], 10)
        self.assertGreater(record["output_bytes"], OUTPUT_CAP)
        self.assertLessEqual(os.path.getsize(record["output_file"]), OUTPUT_CAP)
        self.assertLess(disk_usage(record["test_dir"]), OUTPUT_CAP + (2 << 20))
        # The launcher's peak RSS, from wait4 on a launcher started directly
        # (the command ctest runs), with the flood going through it again.
        launcher = os.path.join(TOOLS, "bin", "wyn-launch")
        started = time.monotonic()
        pid = os.posix_spawn(launcher, [launcher, record["test_dir"]], dict(os.environ),
                             file_actions=[(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)])
        _, status, usage = os.wait4(pid, 0)
        self.assertLess(time.monotonic() - started, 10)
        self.assertEqual(os.waitstatus_to_exitcode(status), 1)
        self.assertLess(usage.ru_maxrss, 64 * 1024, "KiB of launcher peak RSS")

    def test_a_mib_on_stderr_alone_does_not_deadlock(self):
        record = self.record("stderr_only", "passed")
        self.assertEqual(record["output_bytes"], 1 << 20)

    def test_every_record_is_strict_json_whatever_the_output(self):
        record = self.record("bytes", "failed")
        paths = records_under(self.ws.build_dir)
        self.assertEqual(len(paths), len(PROGRAMS))
        paths += glob.glob(os.path.join(self.ws.build_dir, "wyn-report", "*.json"))
        for path in paths:
            load_strict_json(path)
        strict = load_strict_json(os.path.join(record["test_dir"], "result.json"))
        self.assertIn("\\xc0\\xaf|\\xed\\xa0\\x80|", strict["output"], "invalid bytes are escaped")
        self.assertIn("\ufffe\uffff", strict["output"], "noncharacters are valid UTF-8 and kept")
        self.assertIn("\x00\x01", strict["output"])
        with open(record["output_file"], "rb") as f:
            self.assertTrue(f.read().startswith(EVERY_BYTE + NOT_UTF8), "the raw bytes are kept")
        self.assertEqual(strict["output_bytes"], 256 + len(NOT_UTF8) + 1 + len(NONCHARACTERS) + 1)
        junit = os.path.join(self.ws.build_dir, "wyn-report", "junit.xml")
        if os.path.exists(junit):
            ElementTree.parse(junit)

    def test_crashes_after_the_right_output_fail_with_the_signal_named(self):
        for name, signal in (("segv", "SIGSEGV"), ("abort", "SIGABRT"), ("fpe", "SIGFPE")):
            record = self.record(name, "crashed", signal)
            self.assertEqual(record["signal"], signal)
            self.assertEqual(record["exit_code"], -1)
            self.assertEqual(record["diff"], [])
        record = self.record("exit139", "failed", "exit code 139")
        self.assertEqual(record["exit_code"], 139)
        self.assertEqual(record["signal"], "")

    def test_no_core_file_and_the_default_limits_apply(self):
        cores = [p for p in glob.glob(os.path.join(self.ws.root, "**", "core*"), recursive=True)
                 if os.path.isfile(p)]
        self.assertEqual(cores, [])
        # The stand-in's crash() lowers RLIMIT_CORE itself, so look at what
        # the harness gives every program.
        limits = {}
        for line in self.record("limits", "passed")["output"].splitlines()[1:]:
            name, soft = line[:26].strip(), line[26:].split()[0]
            limits[name] = soft
        self.assertEqual(limits["Max core file size"], "0")
        self.assertEqual(limits["Max address space"], str(4096 << 20))
        self.assertEqual(limits["Max open files"], "1024")

    def test_a_memory_hog_is_stopped_and_reported_as_a_resource_limit(self):
        record = self.record("hog", "failed", "memory limit of 4096 MiB")
        self.assertEqual(record["limit_exceeded"], "memory")
        self.assertLess(record["max_rss_kib"], 256 * 1024, "the memory was never granted")
        record = self.record("hog_directive", "failed", "memory limit of 64 MiB")
        self.assertEqual(record["limit_exceeded"], "memory")

    def test_the_cpu_limit_stops_a_busy_program(self):
        record = self.record("cpu", "failed", "CPU limit of 1 s")
        self.assertEqual(record["limit_exceeded"], "cpu")
        self.assertLess(record["cpu_seconds"], 5)

    def test_a_test_that_fails_then_passes_under_repeat_is_flaky(self):
        record = self.record("flaky", "failed")
        self.assertEqual(record["attempts"], [], "one run, no history")
        os.remove(os.path.join(record["test_dir"], "flaky-count"))
        proc = self.ws.ctest("-R", "^rel/flaky$", "--repeat", "until-pass:3")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        record = self.ws.record("rel/flaky")
        self.assertEqual(record["status"], "flaky", record)
        self.assertIn("passed on attempt 2", record["reason"])
        self.assertEqual([a["status"] for a in record["attempts"]], ["failed", "flaky"])
        self.assertEqual(self.ws.summary()["counts"]["flaky"], 1)
        self.assertIn("1 flaky", proc.stdout)

    def test_a_corrupt_record_is_reported_as_an_error(self):
        path = os.path.join(self.record("stderr_only")["test_dir"], "result.json")
        with open(path, "rb") as f:
            original = f.read()
        self.addCleanup(lambda: open(path, "wb").write(original))
        with open(path, "w") as f:
            f.write('{"status": "passed", ')
        config = os.path.join(self.ws.build_dir, "wyn", "report.json")
        proc = run([os.path.join(TOOLS, "bin", "wyn-report"), "summary", config])
        self.assertIn("harness_error  rel/stderr_only: unreadable record", proc.stdout)
        self.assertEqual(self.ws.verdicts()["rel/stderr_only"], "harness_error")


class LeakPolicyWarn(unittest.TestCase):
    def test_a_leak_is_a_warning_under_the_warn_policy(self):
        ws = Workspace(self)
        suite = ws.suite("warn", {"grandchild.wyn": PROGRAMS["grandchild.wyn"]})
        ws.configure([suite], "-DWYN_LEAK_POLICY=warn")
        ws.build()
        self.assertEqual(ws.ctest().returncode, 0)
        record = ws.record("warn/grandchild")
        self.assertEqual(record["status"], "passed")
        self.assertTrue(record["leaked"])
        self.assertIn("warning", record["reason"])
        self.assertEqual(processes_mentioning(ws.root), [])


SCRIPT_PROJECT = """cmake_minimum_required(VERSION 3.25)
project(orphans NONE)
list(APPEND CMAKE_MODULE_PATH "{repo}/cmake")
include(WynTests)
enable_testing()
wyn_add_script_tests(GLOB scripts/run_*_test.sh NAME scripts COMPILER "{compiler}")
"""


class OrphansOfAScript(unittest.TestCase):
    """The bundled script gate that kills `wyn run` (SIGKILL, SIGTERM,
    SIGINT) and polls kill -0 until the program it started is gone. That
    program is orphaned; where the launcher adopts it (the Linux backend's
    subreaper) the launcher must reap it the moment it dies, as init does,
    or it stays a zombie that kill -0 still finds until the script ends."""

    def test_the_script_sees_the_program_of_a_killed_wyn_run_go(self):
        ws = Workspace(self)
        ws.write("CMakeLists.txt", SCRIPT_PROJECT.format(repo=REPO, compiler=BUILD_WYN))
        with open(os.path.join(REPO, "wyn-tests", "scripts", "run_orphan_test.sh")) as f:
            ws.write("scripts/run_orphan_test.sh", f.read())
        ws.configure([], source=os.path.join(ws.root, "src"))
        ws.build()
        proc = ws.ctest("--output-on-failure")
        record = ws.record("scripts/run_orphan_test")
        self.assertEqual(record["status"], "passed", record["reason"])
        self.assertEqual(proc.returncode, 0, proc.stdout)
        checks = {c["name"]: c["ok"] for c in record["subchecks"]}
        for signal, status in (("KILL", 137), ("TERM", 143), ("INT", 130)):
            name = f"SIG{signal} on wyn run: the program is gone and wyn run exits {status}"
            self.assertTrue(checks.get(name), checks)
        self.assertEqual(len(checks), 7, checks)
        self.assertFalse(record["leaked"])
        self.assertEqual(processes_mentioning(ws.root), [], describe(processes_mentioning(ws.root)))


# One program for all 64 tests (in d00/t.wyn ... d63/t.wyn, so it compiles
# once): it counts its runs in ./out.txt and in $TMPDIR/x. A directory shared
# with another test, or left over from an earlier run, shows as a count above 1.
ISOLATED = """// EXPECT: 1
// EXPECT: 1
// EXPECT: 1
// EXPECT: 1
fn main() -> int {
    count_file("out.txt")
    count_tmp("x")
    sleep_ms(20)
    print_file("out.txt")
    print_tmp("x")
    return 0
}
"""


class Isolation(unittest.TestCase):
    @ctest_properties(processors=2, timeout=600)
    def test_64_tests_writing_the_same_names_at_j64_twenty_times(self):
        ws = Workspace(self)
        suite = ws.suite("iso", {f"d{i:02d}/t.wyn": ISOLATED for i in range(64)})
        before = snapshot(suite)
        ws.configure([suite])
        ws.build()
        for attempt in range(20):
            proc = ws.ctest("-j64")
            self.assertEqual(proc.returncode, 0, f"run {attempt + 1}:\n{proc.stdout}")
            counts = ws.summary()["counts"]
            self.assertEqual((counts["total"], counts["passed"]), (64, 64), counts)
        self.assertEqual(snapshot(suite), before)


if __name__ == "__main__":
    unittest.main()
