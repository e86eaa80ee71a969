"""A whole project's test gate in one ctest run: snapshot suites (generated
C and output) with WYN_BLESS, script suites with sub-checks, known-failure
lists and suites run from the repository root, through a project
CMakeLists.txt that calls wyn_add_tests() and wyn_add_script_tests()
directly."""

import glob
import json
import os
import re
import shutil
import time
import unittest
import xml.etree.ElementTree as ET

from wyn_e2e import BUILD_WYN, CMAKE, CTEST, REPO, TOOLS, Workspace, run
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
    """GENERATED_C snapshots: missing, blessed, unchanged, changed, CRLF,
    paths, and the bundled ones of the stand-in."""

    @classmethod
    def setUpClass(cls):
        ws = cls.ws = Project(cls)
        ws.project("wyn_add_tests(DIRECTORY golden SNAPSHOT GENERATED_C SNAPSHOT_SUFFIX .c.golden\n"
                   "              COMPILE_ARGS --debug)\n"
                   "wyn_add_tests(DIRECTORY outputs SNAPSHOT OUTPUT)\n"
                   f"wyn_add_tests(DIRECTORY {REPO}/wyn-tests/golden NAME bundled\n"
                   "              SNAPSHOT GENERATED_C COMPILE_ARGS --debug)\n")
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
            # --debug reached the compiler, whose `/* @NAME.wyn:N */` comment
            # and #line are written as the reference runner normalizes them.
            self.assertIn(f'/* {name}.wyn:2 */ \n#line 2 "{name}.wyn"\n', text)
            self.assertNotIn("@", text)
        self.assertFalse(os.path.exists(ws.src("golden", "module_only.c.golden")))

        # An unchanged tree passes and bless writes nothing.
        ws.git("init", "-q")
        ws.git("add", "-A")
        ws.git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "snapshots")
        self.assertEqual(ws.ctest("-R", "^golden/").returncode, 0)
        self.assertEqual(ws.ctest("-R", "^golden/", env={"WYN_BLESS": "1"}).returncode, 0)
        self.assertEqual(ws.git("status", "--porcelain"), "")

        # CRLF line ends of the snapshot compare equal.
        beta = ws.src("golden", "beta.c.golden")
        with open(beta) as f:
            blessed = f.read()
        with open(beta, "w", newline="\r\n") as f:
            f.write(blessed)
        self.assertEqual(ws.ctest("-R", "^golden/beta$").returncode, 0)
        self.assertEqual(ws.record("golden/beta")["status"], "passed")
        # A path left in a snapshot is a difference, as for the reference
        # runner, which normalizes only the generated side.
        with open(beta, "w") as f:
            f.write(blessed.replace('"beta.wyn"', '"/elsewhere/tests/golden/beta.wyn"', 1))
        self.assertNotEqual(ws.ctest("-R", "^golden/beta$").returncode, 0)
        self.assertIn('-#line 2 "/elsewhere/tests/golden/beta.wyn"\n+#line 2 "beta.wyn"\n',
                      ws.record("golden/beta")["snapshot_diff"])
        with open(beta, "w") as f:
            f.write(blessed)

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

    def test_bundled_goldens_hold_the_normalized_comments(self):
        ws = self.ws
        ws.ctest("-R", "^bundled/")
        self.assertEqual({name: ws.record(f"bundled/{name}")["status"]
                          for name in ("exit_status", "greeting", "imports_module", "outdated")},
                         {"exit_status": "passed", "greeting": "passed",
                          "imports_module": "passed", "outdated": "xfail"})
        # The outdated one differs in the program's text only.
        diff = ws.record("bundled/outdated")["snapshot_diff"]
        self.assertEqual([line for line in diff.splitlines()
                          if line[:1] in "+-" and line[:3] not in ("---", "+++")],
                         ['-  wyn_rt_println("old text", 8);', '+  wyn_rt_println("new text", 8);'])
        paths = glob.glob(os.path.join(REPO, "wyn-tests", "golden", "*.c.golden"))
        self.assertEqual(len(paths), 4)
        for path in paths:
            name = os.path.basename(path)[:-len(".c.golden")]
            with open(path) as f:
                text = f.read()
            self.assertRegex(text, rf'(?m)^/\* {name}\.wyn:\d+ \*/ \n#line \d+ "{name}\.wyn"$')
            self.assertNotIn(f"@{name}.wyn", text)

    def test_compile_args_are_part_of_the_compile(self):
        records = glob.glob(os.path.join(self.ws.build_dir, "wyn", "golden-*", "t", "alpha-*", "compile.json"))
        self.assertEqual(len(records), 1)
        with open(records[0]) as f:
            command = json.load(f)["command"]
        self.assertIn("--debug", command)


STAMPED = """// Golden: C holding a date and a run number, which change at every build.
fn main() -> int {
    println("stamp 2026-12-07 [run 7; ok")
    return 0
}
"""


class SnapshotFilters(unittest.TestCase):
    """SNAPSHOT_FILTERS: the same program and snapshot with and without
    them, an OUTPUT suite, bad filters, and a nested suite."""

    @classmethod
    def setUpClass(cls):
        ws = cls.ws = Project(cls)
        # The second pattern has an unpaired '[' and a ';': as a CMake list
        # it would swallow the words after it.
        ws.project(
            'wyn_add_tests(DIRECTORY plain SNAPSHOT GENERATED_C COMPILE_ARGS --debug)\n'
            'wyn_add_tests(DIRECTORY filtered SNAPSHOT GENERATED_C COMPILE_ARGS --debug\n'
            '              SNAPSHOT_FILTERS "[0-9]{4}-[0-9]{2}-[0-9]{2}" "<DATE>"\n'
            '                               "\\\\[run [0-9]+;" "[run N;"\n'
            '              LABELS stamped)\n'
            'wyn_add_tests(DIRECTORY outputs SNAPSHOT OUTPUT\n'
            '              SNAPSHOT_FILTERS "^/\\\\S*/wyn-[A-Za-z0-9]{6}$" "<TMP>")\n'
            f'wyn_add_tests(DIRECTORY {REPO}/wyn-tests/golden NAME bundled\n'
            '              SNAPSHOT GENERATED_C COMPILE_ARGS --debug)\n')
        ws.write("plain/stamp.wyn", STAMPED)
        ws.write("filtered/stamp.wyn", STAMPED)
        # The test's own TMPDIR, a fresh directory under the system's.
        ws.write("outputs/tmpdir.wyn",
                 'fn main() -> int {\n    print_env("TMPDIR")\n    return 0\n}\n')
        ws.write("outputs/tmpdir.out.golden", "<TMP>\n")
        ws.configure()
        ws.build()

    def test_a_filter_makes_a_changing_stamp_compare_equal(self):
        ws = self.ws
        proc = ws.ctest("-R", "^(plain|filtered)/", env={"WYN_BLESS": "1"})
        self.assertEqual(proc.returncode, 0, proc.stdout)
        with open(ws.src("plain", "stamp.c.golden")) as f:
            plain = f.read()
        with open(ws.src("filtered", "stamp.c.golden")) as f:
            filtered = f.read()
        # Blessing writes the text as compared: normalized (the '@' of the
        # compiler's comment gone), and filtered.
        for text in (plain, filtered):
            self.assertIn('/* stamp.wyn:3 */ \n#line 3 "stamp.wyn"\n', text)
            self.assertNotIn("@", text)
        self.assertIn('"stamp 2026-12-07 [run 7; ok"', plain)
        self.assertIn('"stamp <DATE> [run N; ok"', filtered)
        self.assertIn("stamped", ws.record("filtered/stamp")["labels"])  # LABELS came through

        # A later build stamps another date and run (of the same length: the
        # C holds it too): only the filtered suite still passes.
        for suite in ("plain", "filtered"):
            ws.write(f"{suite}/stamp.wyn", STAMPED.replace("2026-12-07 [run 7", "2027-01-31 [run 9"))
        ws.build()
        proc = ws.ctest("-R", "^(plain|filtered)/")
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(ws.record("filtered/stamp")["status"], "passed")
        record = ws.record("plain/stamp")
        self.assertEqual(record["status"], "failed")
        self.assertIn('+  wyn_rt_println("stamp 2027-01-31 [run 9; ok"', record["snapshot_diff"])

    def test_output_snapshots_are_filtered(self):
        ws = self.ws
        self.assertEqual(ws.ctest("-R", "^outputs/").returncode, 0)
        self.assertEqual(ws.record("outputs/tmpdir")["status"], "passed")

    def test_filters_reach_a_nested_suite_word_for_word(self):
        # When the tools are targets of the same build (FetchContent), each
        # call is written into a project of its own, configured once they
        # are built; here the "targets" are the tools already built.
        ws = Project(self)
        ws.write("golden/a.wyn", STAMPED)
        ws.project(f'set_property(GLOBAL PROPERTY _WYN_TOOL_TARGETS_DIR "{TOOLS}")\n'
                   'add_custom_target(wyn_tools)\n'
                   'wyn_add_tests(DIRECTORY golden SNAPSHOT GENERATED_C COMPILE_ARGS --debug\n'
                   '              SNAPSHOT_FILTERS "\\\\[run [0-9]+;" "" "x]=]y" "[a;b]"\n'
                   '              LABELS after)\n')
        run([CMAKE, "-S", ws.src(), "-B", ws.build_dir, "-G", "Ninja",
             f"-DWYN_COMPILER={BUILD_WYN}"], check=True)
        ws.build()
        configs = glob.glob(os.path.join(ws.build_dir, "wyn-suites", "wyn", "golden-*", "suite.json"))
        self.assertEqual(len(configs), 1)
        with open(configs[0]) as f:
            config = json.load(f)
        self.assertEqual(config["snapshot_filters"], ["\\[run [0-9]+;", "", "x]=]y", "[a;b]"])
        self.assertEqual(config["labels"], ["after"])

    def test_bad_filters_stop_the_configure_naming_the_suite_and_pattern(self):
        ws = Project(self)
        ws.write("golden/a.wyn", STAMPED)
        for filters, expected in (('"[0-9]+" "<N>" "dangling"',
                                   "SNAPSHOT_FILTERS must be pairs of a regular expression"),
                                  ('"ok" "fine" "([a-z]+" "x"', "not '([a-z]+'")):
            ws.project("wyn_add_tests(DIRECTORY golden SNAPSHOT GENERATED_C\n"
                       f"              SNAPSHOT_FILTERS {filters})\n")
            proc = ws.configure(check=False)
            self.assertNotEqual(proc.returncode, 0, proc.stdout)
            self.assertIn("wyn_add_tests: the suite " + ws.src("golden") + " has errors", proc.stdout)
            self.assertIn(expected, proc.stdout)
        ws.project("wyn_add_tests(DIRECTORY golden SNAPSHOT_FILTERS a b)\n")
        proc = ws.configure(check=False)
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("SNAPSHOT_FILTERS must be empty unless SNAPSHOT is set", proc.stdout)


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


# ARGS as a CMakeLists.txt writes them, and the words the script must get.
CMAKE_ARGS = r'''plain "with space" "it's" "say \"hi\"" "a;b" "$HOME" [=[${NOT_EXPANDED}]=] "x[" "]"
       [=[back\slash]=] "" --flag=1 "*" "$<1:gen-ex>"'''
EXPECTED_ARGS = ["plain", "with space", "it's", 'say "hi"', "a;b", "$HOME", "${NOT_EXPANDED}", "x[", "]",
                 "back\\slash", "", "--flag=1", "*", "$<1:gen-ex>"]
SCRIPT_ARGS = """#!/bin/bash
printf '%s\\0' "$@" > "$ARGS_OUT"
echo "  ok    got $# arguments"
"""


def arguments_written(path):
    """The NUL-terminated words SCRIPT_ARGS wrote."""
    with open(path, "rb") as f:
        words = f.read().split(b"\0")
    assert words[-1] == b"", words
    return [w.decode() for w in words[:-1]]


class ScriptFiles(unittest.TestCase):
    """Scripts registered by file (SCRIPT) with ARGS, and scripts that skip themselves."""

    @classmethod
    def setUpClass(cls):
        ws = cls.ws = Project(cls)
        cls.args_out = os.path.join(ws.root, "args.out")
        ws.project(f"wyn_add_script_tests(SCRIPT tools/run_args.sh ARGS {CMAKE_ARGS}\n"
                   f"                     ENV ARGS_OUT={cls.args_out})\n"
                   "wyn_add_script_tests(GLOB skips/*.sh)\n")
        ws.write("tools/run_args.sh", SCRIPT_ARGS)
        ws.write("tools/not_registered.sh", "exit 1\n")
        # As Wyn's tests/lsp/run_lsp_test.sh prints it without python3.
        ws.write("skips/lsp.sh", 'echo "== lsp =="\necho "lsp: SKIP (python3 not found)"\nexit 0\n')
        ws.write("skips/coloured.sh",
                 'printf "\\033[33mhttp-server-load: SKIP (no (usable) python3)\\033[0m \\r\\n"\n')
        ws.write("skips/skip_then_fail.sh", 'echo "sqlite: SKIP (sqlite3 not installed)"\nexit 3\n')
        ws.write("skips/partly.sh", 'echo "  ok    sites are counted"\n'
                                    'echo "  skip  GPU-run checks (no Metal on Linux)"\n')
        ws.write("skips/all_skipped.sh", 'echo "  skip  fd-leak check (no lsof)"\necho "  skip  load"\n')
        ws.write("skips/mentions.sh", 'echo "prints \'lsp: SKIP (python3 not found)\' when it skips"\n'
                                      'echo "  lsp: SKIP (an indented line is not the script\'s)"\n')
        ws.configure()
        cls.proc = ws.ctest("-j4")

    def test_a_script_given_by_file_is_one_test_named_after_its_directory_and_stem(self):
        names = self.ws.ctest_names()
        self.assertIn("tools/run_args", names)
        self.assertEqual([n for n in names if n.startswith("tools/")], ["tools/run_args"])

    def test_its_arguments_reach_it_exactly(self):
        self.assertEqual(self.ws.record("tools/run_args")["status"], "passed")
        self.assertEqual(arguments_written(self.args_out), EXPECTED_ARGS)

    def test_a_skip_line_and_exit_0_is_skipped_with_its_reason_everywhere(self):
        record = self.ws.record("skips/lsp")
        self.assertEqual(record["status"], "skipped")
        self.assertEqual(record["reason"], "python3 not found")
        self.assertEqual(self.ws.record("skips/coloured")["reason"], "no (usable) python3")
        # CTest: skipped, neither passed nor failed.
        self.assertRegex(self.proc.stdout, r"skips/lsp \.+\*+Skipped")
        self.assertIn("skips/lsp (Skipped)", self.proc.stdout)
        # The terminal summary names it with its reason; JUnit has <skipped message>.
        self.assertIn("Skipped:\n  skips/all_skipped: every sub-check was skipped", self.proc.stdout)
        self.assertIn("  skips/lsp: python3 not found\n", self.proc.stdout)
        self.assertEqual(self.ws.summary()["counts"]["skipped"], 3)
        tree = ET.parse(os.path.join(self.ws.build_dir, "wyn-report", "junit.xml"))
        skipped = {case.get("name"): case.find("skipped").get("message")
                   for case in tree.iter("testcase") if case.find("skipped") is not None}
        self.assertEqual(skipped, {"lsp": "python3 not found", "coloured": "no (usable) python3",
                                   "all_skipped": "every sub-check was skipped: fd-leak check (no lsof); load"})

    def test_a_skip_line_with_a_non_zero_exit_is_a_failure_saying_why(self):
        record = self.ws.record("skips/skip_then_fail")
        self.assertEqual(record["status"], "failed")
        self.assertIn("exit code 3", record["reason"])
        self.assertIn("it printed 'sqlite: SKIP (sqlite3 not installed)' (line 1), but a script that "
                      "skips itself must exit 0", record["reason"])
        self.assertIn("skips/skip_then_fail (Failed)", self.proc.stdout)

    def test_skipped_sub_checks_are_recorded_and_skip_the_script_only_when_nothing_else_ran(self):
        record = self.ws.record("skips/partly")
        self.assertEqual(record["status"], "passed")
        self.assertEqual([(c["name"], c["ok"], c["skipped"], c["details"]) for c in record["subchecks"]],
                         [("sites are counted", True, False, ""),
                          ("GPU-run checks", True, True, "no Metal on Linux")])
        self.assertEqual(self.ws.record("skips/all_skipped")["status"], "skipped")
        self.assertEqual(self.ws.record("skips/mentions")["status"], "passed")

    def test_every_script_test_may_exit_77(self):
        for name, test in self.ws.ctest_names().items():
            props = {p["name"]: p["value"] for p in test.get("properties", [])}
            self.assertEqual(props.get("SKIP_RETURN_CODE"), 77, name)


class ScriptArguments(unittest.TestCase):
    """One script with several sets of arguments, and the mistakes around it."""

    def test_the_same_script_twice_needs_a_name_each_and_gets_its_own_arguments(self):
        ws = Project(self)
        ws.write("fuzz/run_fuzz.sh", 'echo "  ok    seed $1 count $2"\n')
        ws.project("wyn_add_script_tests(SCRIPT fuzz/run_fuzz.sh ARGS 1 60)\n"
                   "wyn_add_script_tests(SCRIPT fuzz/run_fuzz.sh ARGS 2 60)\n")
        proc = ws.configure(check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("two suites are named 'fuzz': fuzz/run_fuzz.sh ARGS 1 60 and "
                      "fuzz/run_fuzz.sh ARGS 2 60; give one of them a NAME", " ".join(proc.stdout.split()))

        ws.project("wyn_add_script_tests(SCRIPT fuzz/run_fuzz.sh ARGS 1 60)\n"
                   "wyn_add_script_tests(SCRIPT fuzz/run_fuzz.sh ARGS 2 60 NAME fuzz-seed2)\n")
        ws.configure()
        self.assertEqual(sorted(ws.ctest_names()), ["fuzz-seed2/run_fuzz", "fuzz/run_fuzz"])
        self.assertEqual(ws.ctest("-j2").returncode, 0)
        self.assertEqual(ws.record("fuzz/run_fuzz")["subchecks"][0]["name"], "seed 1 count 60")
        self.assertEqual(ws.record("fuzz-seed2/run_fuzz")["subchecks"][0]["name"], "seed 2 count 60")

    def test_a_file_given_twice_a_missing_file_and_no_script_are_configure_errors(self):
        ws = Project(self)
        ws.write("fuzz/run_fuzz.sh", "exit 0\n")
        for body, message in (
                ("SCRIPT fuzz/run_fuzz.sh fuzz/run_fuzz.sh", "given twice to suite 'fuzz'"),
                ("GLOB fuzz/*.sh SCRIPT fuzz/run_fuzz.sh", "given twice to suite 'fuzz'"),
                ("SCRIPT fuzz/missing.sh", "the SCRIPT " + ws.src("fuzz", "missing.sh") + " does not exist"),
                ("ARGS 1 60", "GLOB or SCRIPT is required")):
            with self.subTest(body=body):
                ws.project(f"wyn_add_script_tests({body})\n")
                proc = ws.configure(check=False)
                self.assertNotEqual(proc.returncode, 0)
                self.assertIn(message, " ".join(proc.stdout.split()))

    def test_arguments_reach_the_script_through_a_nested_suite_project_too(self):
        # When wyn-ctest is part of the build (FetchContent), each call is
        # recorded into a project of its own, configured once the tools are
        # built. Here the prebuilt tools stand in for the tool targets.
        ws = Project(self)
        args_out = os.path.join(ws.root, "args.out")
        ws.write("tools/run_args.sh", SCRIPT_ARGS)
        ws.write("CMakeLists.txt", f"""cmake_minimum_required(VERSION 3.25)
project(nested NONE)
add_custom_target(wyn_tools)
set_property(GLOBAL PROPERTY _WYN_TOOL_TARGETS_DIR "{TOOLS}")
list(APPEND CMAKE_MODULE_PATH "{REPO}/cmake")
include(WynTests)
enable_testing()
wyn_add_script_tests(SCRIPT tools/run_args.sh ARGS {CMAKE_ARGS}
                     ENV ARGS_OUT={args_out})
""")
        run([CMAKE, "-S", ws.src(), "-B", ws.build_dir, "-G", "Ninja",
             f"-DWYN_COMPILE_CACHE_DIR={ws.cache_dir}", f"-DWYN_COMPILER={BUILD_WYN}"], check=True)
        ws.build()
        self.assertEqual(sorted(ws.ctest_names()), ["tools/run_args"])
        self.assertEqual(ws.ctest().returncode, 0)
        self.assertEqual(arguments_written(args_out), EXPECTED_ARGS)


class BundledGateScripts(unittest.TestCase):
    """The bundled example's script suites (wyn-tests/CMakeLists.txt)."""

    def test_passes_a_known_failure_a_skip_and_the_fuzz_with_its_arguments(self):
        ws = Workspace(self)
        ws.configure([], "-DWYN_BUNDLED_GATE=ON")  # script suites need no build
        proc = ws.ctest("-R", "^(scripts|fuzz)/")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(ws.verdicts(), {"scripts/run_build_test": "passed",
                                         "scripts/run_orphan_test": "passed",
                                         "scripts/run_version_test": "xfail",
                                         "scripts/run_lsp_test": "skipped",
                                         "fuzz/run_fuzz": "passed"})
        self.assertIn("wyn-ctest summary: 5 tests: 3 passed, 1 xfail, 1 skipped", proc.stdout)
        self.assertEqual(ws.record("scripts/run_lsp_test")["reason"], "the compiler has no lsp command")
        # ARGS 1 20: seed 1, twenty literals, one sub-check each.
        checks = ws.record("fuzz/run_fuzz")["subchecks"]
        self.assertEqual(len(checks), 20)
        self.assertTrue(all(c["ok"] and not c["skipped"] for c in checks))


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


# Like the real stdlib suite's test_file_system_existing: exits 2 or 3
# unless started where Makefile and src/ are.
EXISTING = """fn main() -> int {
    require_file("Makefile", 2)
    require_dir("src", 3)
    return 0
}
"""
WHERE = """fn main() -> int {
    print_env("PWD")
    print_env("TMPDIR")
    write_file("written/by_test.txt", "written by where.wyn")
    return 0
}
"""


class WorkingDirectory(unittest.TestCase):
    """One directory over two suites: run in per-test scratch directories
    (the default) and from the project's root (WORKING_DIRECTORY)."""

    @classmethod
    def setUpClass(cls):
        ws = cls.ws = Project(cls)
        ws.project("wyn_add_tests(DIRECTORY stdlib NAME scratch)\n"
                   "wyn_add_tests(DIRECTORY stdlib NAME rooted\n"
                   "              WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})\n")
        ws.write("Makefile", "test:\n")
        ws.write("src/main.c", "")
        ws.write("stdlib/existing.wyn", EXISTING)
        ws.write("stdlib/where.wyn", WHERE)
        ws.configure()
        ws.build()
        cls.proc = ws.ctest("-j2")

    def output_lines(self, name):
        return self.ws.record(name)["output"].splitlines()

    def test_the_default_scratch_directory_fails_where_the_root_passes(self):
        record = self.ws.record("scratch/existing")
        self.assertEqual(record["status"], "failed")
        self.assertEqual(record["exit_code"], 2)
        scratch = os.path.join(record["test_dir"], "run")
        self.assertEqual(self.output_lines("scratch/existing"),
                         [f"require_file: 'Makefile' is not a file in {scratch}"])
        record = self.ws.record("rooted/existing")
        self.assertEqual(record["status"], "passed", record["reason"])

    def test_pwd_is_the_directory_tmpdir_stays_the_tests_own(self):
        pwd, tmpdir = self.output_lines("rooted/where")
        self.assertEqual(pwd, self.ws.src())
        record = self.ws.record("rooted/where")
        # Fresh, short and outside the build tree, gone once the test is over.
        self.assertRegex(os.path.basename(tmpdir), r"^wyn-[A-Za-z0-9]{6}$")
        self.assertFalse(tmpdir.startswith(record["test_dir"]), tmpdir)
        self.assertFalse(os.path.exists(tmpdir), tmpdir)
        # What it writes by a relative path lands in the shared directory.
        with open(self.ws.src("written", "by_test.txt")) as f:
            self.assertEqual(f.read(), "written by where.wyn")
        scratch_tmpdir = self.output_lines("scratch/where")[1]
        self.assertNotEqual(scratch_tmpdir, tmpdir)

    def test_the_result_cache_never_replays_a_test_of_the_shared_directory(self):
        ws = self.ws
        cache = {"WYN_RESULT_CACHE": "1"}
        for _ in range(2):
            ws.ctest("-j2", env=cache)
        self.assertTrue(ws.record("scratch/where")["cached"])
        self.assertEqual(ws.record("rooted/where")["status"], "passed")
        self.assertFalse(ws.record("rooted/where")["cached"])
        self.assertFalse(ws.record("rooted/existing")["cached"])
        self.assertFalse(os.path.exists(os.path.join(ws.record("rooted/existing")["test_dir"],
                                                     "result-cache.json")))
        # What the key could not see changes the verdict at once.
        makefile = ws.src("Makefile")
        os.rename(makefile, makefile + ".away")
        try:
            ws.ctest("-R", "^rooted/existing$", env=cache)
            record = ws.record("rooted/existing")
            self.assertEqual((record["status"], record["exit_code"]), ("failed", 2))
        finally:
            os.rename(makefile + ".away", makefile)
        ws.ctest("-R", "^rooted/existing$", env=cache)
        self.assertEqual(ws.record("rooted/existing")["status"], "passed")


class MissingWorkingDirectory(unittest.TestCase):
    def test_a_missing_directory_is_an_error_naming_the_suite_and_the_directory(self):
        ws = Project(self)
        ws.project("wyn_add_tests(DIRECTORY stdlib NAME rooted WORKING_DIRECTORY checkout)\n")
        ws.write("stdlib/hello.wyn", program("hello"))
        ws.write("checkout/Makefile", "test:\n")
        ws.configure()
        ws.build()
        self.assertEqual(ws.ctest().returncode, 0)
        checkout = ws.src("checkout")  # relative to the calling CMakeLists.txt
        shutil.rmtree(checkout)
        self.assertNotEqual(ws.ctest().returncode, 0)
        record = ws.record("rooted/hello")
        self.assertEqual(record["status"], "harness_error")
        self.assertEqual(record["reason"],
                         f"the working directory of suite rooted, {checkout}, cannot be entered: "
                         "No such file or directory")
        proc = ws.configure(check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(f"wyn_add_tests: the WORKING_DIRECTORY {checkout} of suite 'rooted' is not a "
                      "directory", " ".join(proc.stdout.split()))


if __name__ == "__main__":
    unittest.main()
