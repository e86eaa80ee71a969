"""A whole project's test gate in one ctest run: snapshot suites (generated
C and output) with WYN_BLESS, script suites with sub-checks, and
known-failure lists, through a project CMakeLists.txt that calls
wyn_add_tests() and wyn_add_script_tests() directly."""

import glob
import json
import os
import re
import time
import unittest
import xml.etree.ElementTree as ET

from wyn_e2e import BUILD_WYN, CTEST, REPO, Workspace, run
from test_reports import CTRF_SCHEMA, schema_errors, xmllint_schema

PROJECT = """cmake_minimum_required(VERSION 3.25)
project(gate NONE)
list(APPEND CMAKE_MODULE_PATH "{repo}/cmake")
include(WynTests)
enable_testing()
{body}
"""


def program(text):
    return 'fn main() -> int {\n    println("' + text + '")\n    return 0\n}\n'


class Project(Workspace):
    """A workspace whose source is a project of its own (src/CMakeLists.txt)."""

    def project(self, body):
        self.write("CMakeLists.txt", PROJECT.format(repo=REPO, body=body))

    def configure(self, *definitions, check=True, env=None):
        # A project of its own has no default compiler: it names one.
        return super().configure([], f"-DWYN_COMPILER={BUILD_WYN}", *definitions, check=check, env=env,
                                 source=os.path.join(self.root, "src"))

    def ctest(self, *args, env=None, check=False):
        return run([CTEST, "--test-dir", self.build_dir, *args], env=env, check=check)

    def src(self, *parts):
        return os.path.join(self.root, "src", *parts)

    def git(self, *args):
        return run(["git", "-C", self.src(), *args], check=True).stdout


class Snapshots(unittest.TestCase):
    """GENERATED_C snapshots: missing, blessed, unchanged, changed, CRLF, paths."""

    @classmethod
    def setUpClass(cls):
        ws = cls.ws = Project(cls)
        ws.project("wyn_add_tests(DIRECTORY golden SNAPSHOT GENERATED_C SNAPSHOT_SUFFIX .c.golden\n"
                   "              COMPILE_ARGS --debug)\n"
                   "wyn_add_tests(DIRECTORY outputs SNAPSHOT OUTPUT)\n")
        for name in ("alpha", "beta", "gamma"):
            ws.write(f"golden/{name}.wyn", "// Golden: " + name + "\n" + program(name))
        ws.write("golden/module_only.wyn", "fn helper() -> int {\n    return 1\n}\n")
        ws.write("outputs/hello.wyn", program("hello"))
        ws.write("outputs/hello.out.golden", "hello\r\n")
        ws.write("outputs/wrong.wyn", program("actual"))
        ws.write("outputs/wrong.out.golden", "expected\n")
        ws.configure()
        ws.build()

    def test_snapshot_lifecycle(self):
        ws = self.ws
        # Missing snapshots fail, naming the file to write.
        proc = ws.ctest("-R", "^golden/")
        self.assertNotEqual(proc.returncode, 0)
        for name in ("alpha", "beta", "gamma"):
            record = ws.record(f"golden/{name}")
            self.assertEqual(record["status"], "failed")
            self.assertIn("no snapshot " + ws.src("golden", name + ".c.golden"), record["reason"])
        self.assertEqual(glob.glob(ws.src("golden", "*.c.golden")), [])

        # Bless creates them, prints each path and reports the tests passed.
        proc = ws.ctest("-V", "-R", "^golden/", env={"WYN_BLESS": "1"})
        self.assertEqual(proc.returncode, 0, proc.stdout)
        for name in ("alpha", "beta", "gamma"):
            path = ws.src("golden", name + ".c.golden")
            self.assertIn("snapshot written: " + path, proc.stdout)
            record = ws.record(f"golden/{name}")
            self.assertEqual(record["status"], "passed")
            self.assertTrue(record["snapshot_written"])
            self.assertIn("snapshot written", record["reason"])
            with open(path) as f:
                text = f.read()
            # --debug reached the compiler: #line names the source, normalized.
            self.assertRegex(text, rf'#line 2 "{name}.wyn"')
        self.assertFalse(os.path.exists(ws.src("golden", "module_only.c.golden")))

        # An unchanged tree passes and bless writes nothing.
        ws.git("init", "-q")
        ws.git("add", "-A")
        ws.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "snapshots")
        self.assertEqual(ws.ctest("-R", "^golden/").returncode, 0)
        self.assertEqual(ws.ctest("-R", "^golden/", env={"WYN_BLESS": "1"}).returncode, 0)
        self.assertEqual(ws.git("status", "--porcelain"), "")

        # CRLF line ends, and absolute or relative paths to the file, compare equal.
        beta = ws.src("golden", "beta.c.golden")
        with open(beta) as f:
            text = f.read()
        text = text.replace('"beta.wyn"', '"/elsewhere/checkout/tests/golden/beta.wyn"', 1)
        text = text.replace('"beta.wyn"', '"tests/golden/beta.wyn"')
        with open(beta, "w", newline="\r\n") as f:
            f.write(text)
        self.assertEqual(ws.ctest("-R", "^golden/beta$").returncode, 0)
        self.assertEqual(ws.record("golden/beta")["status"], "passed")

        # A changed generated C (here: a snapshot that no longer matches it)
        # fails with a unified diff; the record holds all of it.
        alpha = ws.src("golden", "alpha.c.golden")
        gamma = ws.src("golden", "gamma.c.golden")
        for path in (alpha, gamma):
            with open(path) as f:
                text = f.read()
            with open(path, "w") as f:
                f.write(text.replace("alpha", "ALPHA").replace("gamma", "GAMMA"))
        ws.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "edited")
        proc = ws.ctest("-R", "^golden/")
        self.assertNotEqual(proc.returncode, 0)
        record = ws.record("golden/alpha")
        self.assertEqual(record["status"], "failed")
        self.assertIn("differs from the snapshot", record["reason"])
        self.assertIn("--- " + alpha, record["reason"])
        self.assertIn("@@ ", record["reason"])
        self.assertRegex(record["snapshot_diff"], r'(?m)^-.*ALPHA.*$')
        self.assertRegex(record["snapshot_diff"], r'(?m)^\+.*alpha.*$')

        # Bless of one test rewrites exactly its file.
        proc = ws.ctest("-R", "^golden/alpha$", env={"WYN_BLESS": "1"})
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(ws.git("status", "--porcelain"), " M golden/alpha.c.golden\n")
        self.assertEqual(ws.ctest("-R", "^golden/alpha$").returncode, 0)
        self.assertEqual(ws.record("golden/alpha")["status"], "passed")
        self.assertEqual(ws.ctest("-R", "^golden/gamma$").returncode, 8)

    def test_output_snapshots(self):
        ws = self.ws
        ws.ctest("-R", "^outputs/")
        self.assertEqual(ws.record("outputs/hello")["status"], "passed")
        wrong = ws.record("outputs/wrong")
        self.assertEqual(wrong["status"], "failed")
        self.assertIn("the output differs", wrong["reason"])
        self.assertIn("-expected\n+actual\n", wrong["snapshot_diff"])

    def test_compile_args_are_part_of_the_compile(self):
        records = glob.glob(os.path.join(self.ws.build_dir, "wyn", "golden-*", "t", "alpha-*", "compile.json"))
        self.assertEqual(len(records), 1)
        with open(records[0]) as f:
            command = json.load(f)["command"]
        self.assertIn("--debug", command)


SCRIPT_THREE = """#!/bin/bash
echo "== three checks =="
echo "  ok    compiler answers"
echo "  FAIL  undefined name is reported (got nothing)"
echo "  ok    exit status"
exit 1
"""
SCRIPT_PASS = """#!/bin/bash
set -e
tmp=$(mktemp -d)
case "$WYN" in /*) echo "  ok    WYN is absolute" ;; *) echo "  FAIL  WYN is absolute ($WYN)"; exit 1 ;; esac
printf 'fn main() -> int {\\n    println("hi")\\n    return 0\\n}\\n' > "$tmp/t.wyn"
"$WYN" build "$tmp/t.wyn" -o "$tmp/t" > /dev/null && "$tmp/t" | grep -q hi && echo "  ok    builds and runs"
echo "cwd=$PWD" > "$tmp/../where.txt"
echo "GREETING=$GREETING"
"""
SCRIPT_TAP = """#!/bin/bash
echo "1..3"
echo "ok 1 - parses"
echo "not ok 2 - type checks"
echo "ok 3 - runs"
exit 2
"""
SCRIPT_HANG = """#!/bin/bash
echo "  ok    started"
sleep 300 &
echo $! > "$MARK"
sleep 300
"""


class Scripts(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ws = cls.ws = Project(cls)
        cls.mark = os.path.join(ws.root, "hang.pid")
        ws.project("wyn_add_script_tests(GLOB errors/run_*_test.sh NAME errors TIMEOUT 2\n"
                   f"  ENV GREETING=hello MARK={cls.mark} LABELS gate)\n")
        ws.write("errors/run_three_test.sh", SCRIPT_THREE)
        ws.write("errors/run_pass_test.sh", SCRIPT_PASS)
        ws.write("errors/run_tap_test.sh", SCRIPT_TAP)
        ws.write("errors/run_hang_test.sh", SCRIPT_HANG)
        ws.write("errors/helper.sh", "exit 1\n")
        ws.configure()
        ws.build()
        cls.proc = ws.ctest("-j4")

    def test_each_script_is_a_test_named_after_its_file(self):
        self.assertEqual(sorted(self.ws.ctest_names()),
                         ["errors/run_hang_test", "errors/run_pass_test", "errors/run_tap_test",
                          "errors/run_three_test"])
        self.assertNotEqual(self.proc.returncode, 0)

    def test_a_failing_sub_check_is_named_in_the_reason(self):
        record = self.ws.record("errors/run_three_test")
        self.assertEqual(record["status"], "failed")
        self.assertIn("undefined name is reported (got nothing)", record["reason"])
        self.assertNotIn("compiler answers", record["reason"])
        self.assertEqual([(c["name"], c["ok"]) for c in record["subchecks"]],
                         [("compiler answers", True), ("undefined name is reported", False),
                          ("exit status", True)])
        self.assertIn("undefined name is reported", self.proc.stdout)  # the terminal summary

    def test_tap_output_likewise(self):
        record = self.ws.record("errors/run_tap_test")
        self.assertEqual(record["status"], "failed")
        self.assertIn("type checks", record["reason"])
        self.assertEqual(len(record["subchecks"]), 3)

    def test_wyn_is_the_absolute_compiler_and_cwd_its_directory(self):
        record = self.ws.record("errors/run_pass_test")
        self.assertEqual(record["status"], "passed", record["reason"])
        self.assertIn("GREETING=hello", record["output"])
        self.assertEqual([c["name"] for c in record["subchecks"]],
                         ["WYN is absolute", "builds and runs"])

    def test_a_hanging_script_times_out_and_leaves_no_process(self):
        record = self.ws.record("errors/run_hang_test")
        self.assertEqual(record["status"], "timeout")
        with open(self.mark) as f:
            pid = int(f.read())
        deadline = time.time() + 5
        while os.path.exists(f"/proc/{pid}") and time.time() < deadline:
            time.sleep(0.1)
        self.assertFalse(os.path.exists(f"/proc/{pid}"), "the script's background sleep survived")

    def test_reports_show_sub_checks_and_stay_valid(self):
        reports = os.path.join(self.ws.build_dir, "wyn-report")
        tree = ET.parse(os.path.join(reports, "junit.xml"))
        outs = [e.text or "" for e in tree.iter("system-out")]
        self.assertTrue(any("FAIL  undefined name is reported" in o for o in outs), outs)
        with open(os.path.join(reports, "report.html")) as f:
            self.assertIn("undefined name is reported", f.read())
        self.assertEqual(schema_errors(os.path.join(reports, "ctrf.json"), CTRF_SCHEMA), "")


class EditedScriptsRunAgain(unittest.TestCase):
    def test_result_cache_keys_on_script_and_compiler(self):
        ws = Project(self)
        compiler = os.path.join(ws.root, "bin", "wyn")
        os.makedirs(os.path.dirname(compiler))
        with open(compiler, "w") as f:
            f.write("#!/bin/sh\necho v1\n")
        os.chmod(compiler, 0o755)
        ws.project(f"wyn_add_script_tests(GLOB checks/*.sh COMPILER {compiler})\n")
        script = ws.write("checks/version.sh", 'echo "  ok    $("$WYN")"\n')
        ws.configure("-DWYN_RESULT_CACHE=ON")
        ws.build()
        self.assertEqual(ws.ctest().returncode, 0)
        self.assertFalse(ws.record("checks/version")["cached"])
        self.assertEqual(ws.ctest().returncode, 0)
        self.assertTrue(ws.record("checks/version")["cached"])
        with open(script, "a") as f:
            f.write("echo edited\n")
        ws.ctest()
        self.assertFalse(ws.record("checks/version")["cached"])
        self.assertIn("edited", ws.record("checks/version")["output"])
        ws.ctest()
        with open(compiler, "w") as f:
            f.write("#!/bin/sh\necho v2\n")
        ws.ctest()
        record = ws.record("checks/version")
        self.assertFalse(record["cached"])
        self.assertEqual(record["subchecks"][0]["name"], "v2")


KNOWN = """# known failures of the stdlib suite
listed_fails.wyn fail
listed_hangs.wyn hang   # watchdog
listed_crashes.wyn fail
listed_passes.wyn flaky
not_a_test.wyn fail
this line is malformed
"""


class KnownFailures(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ws = cls.ws = Project(cls)
        ws.project("wyn_add_tests(DIRECTORY stdlib KNOWN_FAILURES stdlib/known_failures.txt)\n"
                   "wyn_add_tests(DIRECTORY strict KNOWN_FAILURES strict/known.txt KNOWN_FAILURES_STRICT)\n"
                   "wyn_add_script_tests(GLOB scripts/*.sh KNOWN_FAILURES scripts/known.txt)\n")
        files = {
            "listed_fails.wyn": "fn main() -> int {\n    return 3\n}\n",
            "listed_hangs.wyn": "// TIMEOUT: 1\nfn main() -> int {\n    hang()\n}\n",
            "listed_crashes.wyn": "fn main() -> int {\n    crash()\n}\n",
            "listed_passes.wyn": program("fine"),
            "unlisted_fails.wyn": "fn main() -> int {\n    return 4\n}\n",
            "unlisted_passes.wyn": program("fine"),
        }
        for name, text in files.items():
            ws.write("stdlib/" + name, text)
        ws.write("stdlib/known_failures.txt", KNOWN)
        ws.write("strict/fixed.wyn", program("fine"))
        ws.write("strict/broken.wyn", "fn main() -> int {\n    frobnicate()\n}\n")
        ws.write("strict/known.txt", "fixed.wyn fail\nbroken.wyn fail\n")
        ws.write("scripts/run_old_test.sh", 'echo "  FAIL  old bug"\nexit 1\n')
        ws.write("scripts/known.txt", "run_old_test.sh fail\n")
        cls.configure = ws.configure()
        ws.build()
        cls.proc = ws.ctest("-j4")

    def test_listed_failures_of_every_kind_are_xfail_naming_the_line(self):
        list_file = self.ws.src("stdlib", "known_failures.txt")
        for name, line in (("listed_fails", 2), ("listed_hangs", 3), ("listed_crashes", 4)):
            record = self.ws.record("stdlib/" + name)
            self.assertEqual(record["status"], "xfail", record)
            self.assertTrue(record["reason"].startswith(f"known failure, listed at {list_file}:{line}"),
                            record["reason"])
        self.assertIn("timed out", self.ws.record("stdlib/listed_hangs")["reason"])
        self.assertIn("SIGSEGV", self.ws.record("stdlib/listed_crashes")["reason"])
        record = self.ws.record("scripts/run_old_test")
        self.assertEqual(record["status"], "xfail")

    def test_unlisted_tests_are_judged_as_ever(self):
        self.assertEqual(self.ws.record("stdlib/unlisted_fails")["status"], "failed")
        self.assertEqual(self.ws.record("stdlib/unlisted_passes")["status"], "passed")
        self.assertFalse(self.ws.record("stdlib/unlisted_passes")["fixed"])

    def test_a_listed_pass_is_fixed_and_listed_in_every_summary(self):
        record = self.ws.record("stdlib/listed_passes")
        self.assertEqual(record["status"], "passed")
        self.assertTrue(record["fixed"])
        line = self.ws.src("stdlib", "known_failures.txt") + ":5"
        self.assertEqual(record["known_failure"], line)
        summary = self.ws.summary()
        self.assertIn({"name": "stdlib/listed_passes", "listed_at": line}, summary["fixed"])
        self.assertIn("Fixed", self.proc.stdout)
        self.assertIn(line, self.proc.stdout)
        reports = os.path.join(self.ws.build_dir, "wyn-report")
        for report in ("summary.md", "report.html"):
            with open(os.path.join(reports, report)) as f:
                self.assertIn("failures.txt:5", f.read(), report)  # Markdown escapes the _

    def test_strict_mode_makes_a_listed_pass_an_xpass(self):
        self.assertEqual(self.ws.record("strict/fixed")["status"], "xpass")
        self.assertEqual(self.ws.record("strict/broken")["status"], "xfail")
        self.assertIn("Undefined function 'frobnicate'", self.ws.record("strict/broken")["reason"])

    def test_the_gate_fails_only_for_unlisted_and_strict_failures(self):
        self.assertNotEqual(self.proc.returncode, 0)
        failed = set(re.findall(r"\d+ - (\S+) \(Failed\)", self.proc.stdout))
        self.assertEqual(failed, {"stdlib/unlisted_fails", "strict/fixed"}, self.proc.stdout)

    def test_unknown_names_and_malformed_lines_are_warnings_with_file_and_line(self):
        out = self.configure.stdout
        list_file = self.ws.src("stdlib", "known_failures.txt")
        self.assertIn("CMake Warning", out)
        self.assertIn(f"{list_file}:6: 'not_a_test.wyn' matches no test", out)
        self.assertIn(f"{list_file}:7:", out)

    def test_junit_both_flavours_and_ctrf_stay_valid(self):
        reports = os.path.join(self.ws.build_dir, "wyn-report")
        self.assertEqual(schema_errors(os.path.join(reports, "ctrf.json"), CTRF_SCHEMA), "")
        ET.parse(os.path.join(reports, "junit.xml"))
        self.ws.configure("-DWYN_JUNIT_FLAVOR=strict")
        self.ws.ctest("-j4")
        status, output = xmllint_schema(os.path.join(reports, "junit.xml"))
        self.assertEqual(status, 0, output)


if __name__ == "__main__":
    unittest.main()
