"""The reports wyn-report writes after every ctest run (docs/reports.md):
JUnit in both flavors against the published schema, CTRF against its
schema, the Markdown summary, the trace timeline, the HTML page as Chromium
renders it (its search and filters used as a person would); the terminal
summary, the IDE listing, --rerun-failed and the CI script."""

import json
import os
import shutil
import struct
import subprocess
import tempfile
import unittest
import xml.etree.ElementTree as ET
import zlib

from browser import Chromium, chromium_or_skip
from wyn_e2e import CTEST, REPO, TOOLS, Workspace, ctest_properties, run

SCHEMAS = os.environ.get("WYN_SHARED_SCHEMAS", os.path.join(REPO, "..", "shared", "schemas"))
JUNIT_XSD = os.path.join(SCHEMAS, "junit-ant", "JUnit.xsd")
CTRF_SCHEMA = os.path.join(SCHEMAS, "ctrf", "ctrf.schema.json")
# Debian's python3-jsonschema is installed for the system interpreter, which
# need not be the one running these tests.
SYSTEM_PYTHON = os.environ.get("WYN_SYSTEM_PYTHON", "/usr/bin/python3")

# One test per outcome, and one whose output holds everything that breaks
# XML or JSON: NUL, ESC, bytes that are not UTF-8, and "]]>".
KINDS = {
    "wrong_output.wyn": '// EXPECT: right\nfn main() -> int {\n    println("wrong")\n    return 0\n}\n',
    "compile_error.wyn": "fn main() -> int {\n    frobnicate()\n}\n",
    "segfault.wyn": '// EXPECT: before\nfn main() -> int {\n    println("before")\n    crash()\n}\n',
    "hangs.wyn": "// TIMEOUT: 1\nfn main() -> int {\n    hang()\n}\n",
    "nonzero.wyn": "fn main() -> int {\n    return 3\n}\n",
    "skipped.wyn": "// SKIP: not on this machine\nfn main() -> int {\n    crash()\n}\n",
    "xfail.wyn": '// XFAIL: known bug\n// EXPECT: fixed\nfn main() -> int {\n    println("broken")\n}\n',
    "xpass.wyn": "// XFAIL: was a bug\nfn main() -> int {\n    return 0\n}\n",
    "hostile.wyn": ('// EXPECT: clean\nfn main() -> int {\n'
                    '    print("nul\\x00 esc\\x1b[31m bad\\xff\\xfe end]]> <b>&amp;\\x0d\\n")\n'
                    '    eprintln("]]>\\x01")\n    return 0\n}\n'),
}
MORE = {
    "ok.wyn": '// EXPECT: ok\n// LABELS: smoke fast\nfn main() -> int {\n    println("ok")\n}\n',
    "dir/slow.wyn": '// EXPECT: slow\nfn main() -> int {\n    sleep_ms(300)\n    println("slow")\n}\n',
}
# The real reason each failure must name (not CTest's "Failed").
REASONS = {
    "kinds/wrong_output": "output line 1 is 'wrong', expected 'right'",
    "kinds/compile_error": "Undefined function 'frobnicate'",
    "kinds/segfault": "SIGSEGV",
    "kinds/hangs": "timed out after 1 s",
    "kinds/nonzero": "exit code 3, expected 0",
    "kinds/xpass": "marked XFAIL: was a bug",
    "kinds/hostile": "expected 'clean'",
}


def schema_errors(document_path, schema_path):
    """Errors of a JSON document against a JSON schema (draft-07), checked by
    the system's python3-jsonschema; skips when that module is missing."""
    if not os.path.exists(schema_path):
        raise unittest.SkipTest(f"no schema at {schema_path} (set WYN_SHARED_SCHEMAS)")
    script = ("import json, sys, jsonschema\n"
              "schema = json.load(open(sys.argv[1])); doc = json.load(open(sys.argv[2]))\n"
              "v = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())\n"
              "for e in v.iter_errors(doc): print(list(e.absolute_path), e.message)\n")
    if shutil.which(SYSTEM_PYTHON) is None or subprocess.run(
            [SYSTEM_PYTHON, "-c", "import jsonschema"], capture_output=True).returncode != 0:
        raise unittest.SkipTest(f"{SYSTEM_PYTHON} lacks jsonschema: apt-get install python3-jsonschema")
    proc = subprocess.run([SYSTEM_PYTHON, "-c", script, schema_path, document_path],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise AssertionError(f"the schema check itself failed:\n{proc.stderr}")
    return proc.stdout


def xmllint_schema(xml_path):
    """(exit status, output) of xmllint validating against the Ant JUnit XSD."""
    if shutil.which("xmllint") is None:
        raise unittest.SkipTest("xmllint is not installed: apt-get install libxml2-utils")
    if not os.path.exists(JUNIT_XSD):
        raise unittest.SkipTest(f"no schema at {JUNIT_XSD} (set WYN_SHARED_SCHEMAS)")
    proc = subprocess.run(["xmllint", "--noout", "--schema", JUNIT_XSD, xml_path],
                          capture_output=True, text=True)
    return proc.returncode, proc.stdout + proc.stderr


def png_pixels(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA PNG."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour = header[:4]
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format {header}"
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - channels] if x >= channels else 0
            b = previous[x]
            c = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + a) & 0xff
            elif kind == 2:
                line[x] = (line[x] + b) & 0xff
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xff
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xff
        rows.append([tuple(line[x:x + 3]) for x in range(0, stride, channels)])
        previous = line
    return width, height, rows


class Reports(unittest.TestCase):
    """One run with failures of every kind, and every report it leaves."""

    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(cls)
        cls.suites = [cls.ws.suite("kinds", KINDS), cls.ws.suite("more", MORE)]
        cls.ws.configure(cls.suites, "-DWYN_TIMEOUT_GRACE=1")
        cls.ws.build()
        cls.proc = cls.ws.ctest("-j4")
        cls.reports = os.path.join(cls.ws.build_dir, "wyn-report")
        cls.tests = {t["name"]: t for t in cls.ws.summary()["tests"]}

    def path(self, name):
        return os.path.join(self.reports, name)

    def test_ctest_fails_and_every_report_is_written(self):
        self.assertNotEqual(self.proc.returncode, 0)
        for name in ("summary.json", "junit.xml", "ctrf.json", "summary.md", "trace.json", "report.html"):
            self.assertTrue(os.path.isfile(self.path(name)), name)
        self.assertEqual(len(self.tests), len(KINDS) + len(MORE))

    def test_terminal_summary_is_counts_failures_slowest_and_time(self):
        out = self.proc.stdout[self.proc.stdout.index("wyn-ctest summary:"):]
        self.assertIn("wyn-ctest summary: 11 tests: 2 passed, 3 failed, 1 compile_error, 1 crashed, "
                      "1 timeout, 1 xpass, 1 xfail, 1 skipped", out)
        failures = out[out.index("Failures:"):out.index("Slowest runs:")]
        for name, reason in REASONS.items():
            self.assertIn(name, failures)
            self.assertIn(reason, failures)
        self.assertNotIn("\x1b", out)  # the hostile output's ESC is shown, not sent
        self.assertIn("\\x1b[31m", failures)
        slowest = out[out.index("Slowest runs:"):out.index("Time:")].splitlines()[1:]
        self.assertLessEqual(len(slowest), 10)
        self.assertIn("kinds/hangs", slowest[0])
        self.assertRegex(out, r"Time: compile \d+\.\d\d s wall \(\d+ compile steps\), run \d+\.\d\d s wall")

    def test_default_junit_parses_with_one_suite_per_directory_and_real_reasons(self):
        root = ET.parse(self.path("junit.xml")).getroot()
        suites = {s.get("name"): s for s in root.findall("testsuite")}
        self.assertEqual(sorted(suites), ["kinds", "more"])
        self.assertEqual(suites["kinds"].get("tests"), "9")
        cases = {}
        for suite in suites.values():
            for case in suite.findall("testcase"):
                props = {p.get("name"): p.get("value") for p in case.iter("property")}
                cases[props["wyn.test"]] = (case, props)
                self.assertTrue(case.get("classname") and case.get("name") and case.get("file"))
                float(case.get("time"))
                float(props["wyn.compile_seconds"]), float(props["wyn.run_seconds"])
        self.assertEqual(set(cases), set(self.tests))
        case, _ = cases["more/dir/slow"]
        self.assertEqual((case.get("classname"), case.get("name")), ("more.dir", "slow"))
        self.assertTrue(case.get("file").endswith("more/dir/slow.wyn"))
        for name, reason in REASONS.items():
            case, _ = cases[name]
            failure = case.find("failure")
            self.assertIsNotNone(failure, name)
            self.assertIn(reason, failure.get("message"), name)
            self.assertNotEqual(failure.get("message"), "Failed")
        self.assertEqual(cases["kinds/skipped"][0].find("skipped").get("message"), "not on this machine")
        self.assertIsNone(cases["kinds/xfail"][0].find("failure"))
        self.assertEqual(cases["kinds/xfail"][1]["wyn.status"], "xfail")
        self.assertIn("before", cases["kinds/segfault"][0].find("system-out").text)
        self.assertIn("frobnicate", cases["kinds/compile_error"][0].find("system-err").text)

    def test_hostile_output_is_escaped_visibly_in_junit_and_valid_in_every_json(self):
        root = ET.parse(self.path("junit.xml")).getroot()
        hostile = [c for c in root.iter("testcase") if c.get("name") == "hostile"][0]
        out = hostile.find("system-out").text
        self.assertIn("nul\\x00 esc\\x1b[31m bad\\xff\\xfe end]]> <b>&amp;\r\n", out)
        self.assertIn("]]>\\x01", out)
        self.assertIn("\\x1b[31m", hostile.find("failure").get("message"))
        for name in ("summary.json", "ctrf.json", "trace.json"):
            with open(self.path(name), encoding="utf-8") as f:
                json.load(f)  # strict: a raw control character or bad UTF-8 fails here
        record = self.tests["kinds/hostile"]
        self.assertIn("\x00", record["output"])  # summary.json keeps the data exact
        self.assertIn("\\xff", record["output"])

    def test_strict_junit_validates_against_the_ant_schema_and_default_does_not(self):
        status, output = xmllint_schema(self.path("junit.xml"))
        self.assertNotEqual(status, 0, "the default flavor has extensions the Ant schema rejects")
        self.assertIn("file", output)
        # The flavor is a cache setting; `wyn-report summary` rewrites the reports on demand.
        self.ws.configure(self.suites, "-DWYN_TIMEOUT_GRACE=1", "-DWYN_JUNIT_FLAVOR=strict")
        self.addCleanup(self.restore_default_flavor)
        config = os.path.join(self.ws.build_dir, "wyn", "report.json")
        with open(config) as f:
            self.assertEqual(json.load(f)["junit_flavor"], "strict")
        strict = os.path.join(self.ws.root, "strict")
        os.makedirs(strict)
        run([os.path.join(TOOLS, "bin", "wyn-report"), "merge", "--junit", "strict", strict, self.ws.build_dir],
            check=True)
        run([os.path.join(TOOLS, "bin", "wyn-report"), "summary", config], check=True)
        for path in (os.path.join(strict, "junit.xml"), self.path("junit.xml")):
            status, output = xmllint_schema(path)
            self.assertEqual(status, 0, output)
            root = ET.parse(path).getroot()
            messages = {f.get("message") for f in root.iter("failure")}
            for reason in REASONS.values():
                self.assertTrue(any(reason in m for m in messages), reason)

    def restore_default_flavor(self):
        self.ws.configure(self.suites, "-DWYN_TIMEOUT_GRACE=1", "-DWYN_JUNIT_FLAVOR=default")
        run([os.path.join(TOOLS, "bin", "wyn-report"), "summary",
             os.path.join(self.ws.build_dir, "wyn", "report.json")], check=True)

    def test_ctrf_validates_against_its_schema(self):
        errors = schema_errors(self.path("ctrf.json"), CTRF_SCHEMA)
        self.assertEqual(errors, "")
        with open(self.path("ctrf.json")) as f:
            ctrf = json.load(f)["results"]
        summary = ctrf["summary"]
        self.assertEqual((summary["tests"], summary["passed"], summary["failed"], summary["skipped"]), (11, 3, 7, 1))
        statuses = {t["name"]: (t["status"], t["rawStatus"]) for t in ctrf["tests"]}
        self.assertEqual(statuses["kinds/xfail"], ("passed", "xfail"))
        self.assertEqual(statuses["kinds/segfault"], ("failed", "crashed"))
        messages = {t["name"]: t.get("message", "") for t in ctrf["tests"]}
        for name, reason in REASONS.items():
            self.assertIn(reason, messages[name])

    def test_a_document_breaking_the_ctrf_schema_is_caught(self):
        with open(self.path("ctrf.json")) as f:
            broken = json.load(f)
        broken["results"]["tests"][0]["status"] = "xfail"
        path = os.path.join(self.ws.root, "broken-ctrf.json")
        with open(path, "w") as f:
            json.dump(broken, f)
        self.assertIn("status", schema_errors(path, CTRF_SCHEMA))

    def test_trace_has_one_event_per_compile_and_per_run(self):
        with open(self.path("trace.json")) as f:
            trace = json.load(f)
        events = [e for e in trace["traceEvents"] if e["ph"] == "X"]
        for e in events:
            self.assertIsInstance(e["ts"], int)
            self.assertGreater(e["dur"], 0)
            self.assertIsInstance(e["pid"], int)
            self.assertIsInstance(e["tid"], int)
        compiles = sorted(e["name"] for e in events if e["cat"] == "compile")
        runs = sorted(e["name"] for e in events if e["cat"] == "run")
        self.assertEqual(compiles, sorted(self.tests))  # every file had its compile step
        ran = sorted(set(self.tests) - {"kinds/skipped", "kinds/compile_error"})
        self.assertEqual(runs, ran)
        lanes = {e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M" and e["name"] == "thread_name"}
        self.assertIn("ninja job 1", lanes)
        self.assertIn("ctest job 1", lanes)

    def test_markdown_summary_has_counts_failures_and_slowest(self):
        with open(self.path("summary.md")) as f:
            md = f.read()
        self.assertTrue(md.startswith("## Wyn tests: 7 of 11 failed"), md[:80])
        self.assertIn("| crashed | 1 |", md)
        self.assertIn("| kinds/segfault | crashed | the program was killed by SIGSEGV |", md)
        self.assertIn("### Slowest tests", md)
        self.assertNotIn("\x1b", md)

    def test_html_report_is_self_contained(self):
        with open(self.path("report.html"), encoding="utf-8") as f:
            html = f.read()
        self.assertIn('id="count-total"><b>11</b>', html)
        for name, reason in REASONS.items():
            self.assertIn(name, html)
        # One inline script (the table's search and filters), nothing loaded.
        self.assertEqual(html.count("<script"), 1)
        self.assertIn("<script>", html)
        for external in ("src=", "href=", "@import", "url(", "fetch(", "XMLHttpRequest"):
            self.assertNotIn(external, html)
        # Without scripts the controls stay hidden and every row is there.
        self.assertIn('<div id="test-controls" hidden>', html)
        self.assertEqual(html.count("<tr data-status="), 11)

    @ctest_properties(processors=2)
    def test_html_report_renders_filters_searches_and_shows_diffs_in_chromium(self):
        browser = Chromium(chromium_or_skip(), tempfile.mkdtemp(dir=self.ws.root))
        self.addCleanup(browser.close)
        # Half scale: a quarter of the pixels to decode, the colours stay solid.
        browser.open("file://" + self.path("report.html"), 1100, 2600, scale=0.5)
        shot = os.path.join(self.ws.root, "report.png")
        browser.screenshot(shot)
        width, height, rows = png_pixels(shot)
        self.assertEqual((width, height), (550, 1300))
        counts = {}
        for row in rows:
            for px in row:
                counts[px] = counts.get(px, 0) + 1
        # Not blank: no one colour (the background) covers nearly everything.
        self.assertLess(max(counts.values()), 0.97 * width * height, f"{len(counts)} colours")

        def area(rgb):
            return sum(n for px, n in counts.items() if all(abs(a - b) <= 8 for a, b in zip(px, rgb)))
        self.assertGreater(area((0x1a, 0x7f, 0x37)), 300, "the green 'passed' count box")
        self.assertGreater(area((0xcf, 0x22, 0x2e)), 800, "the red failure count boxes and badges")
        self.assertGreater(area((0x09, 0x69, 0xda)), 500, "the bars of the slowest-tests chart")
        self.assertGreater(area((0x82, 0x50, 0xdf)), 500, "the compile bars")

        # The DOM after the page's script ran: the controls it shows, the
        # rows a filter and a search leave visible (rendered, not only not
        # hidden: the script opens the collapsed table).
        visible_rows = """Array.from(document.querySelectorAll("#test-table tr[data-status]"))
            .filter(row => row.getClientRects().length > 0).map(row => row.cells[0].textContent)"""
        everything = sorted(self.tests)
        failing = sorted(n for n, t in self.tests.items()
                         if t["status"] not in ("passed", "xfail", "skipped", "flaky"))
        passed = sorted(n for n, t in self.tests.items() if t["status"] == "passed")
        self.assertEqual(len(failing), 7)
        self.assertTrue(browser.evaluate('document.getElementById("test-controls").getClientRects().length > 0'))
        self.assertEqual(browser.evaluate('document.getElementById("test-shown").textContent'),
                         f"{len(everything)} of {len(everything)} shown")
        browser.click('#test-filters button[data-filter="failing"]')
        self.assertEqual(sorted(browser.evaluate(visible_rows)), failing)
        browser.click("#test-search")
        browser.type("HANG")  # any case, names and reasons
        self.assertEqual(browser.evaluate(visible_rows), ["kinds/hangs"])
        self.assertEqual(browser.evaluate('document.getElementById("test-shown").textContent'),
                         f"1 of {len(everything)} shown")
        browser.click('#test-filters button[data-filter="passed"]')
        self.assertEqual(browser.evaluate(visible_rows), [])
        browser.evaluate('document.getElementById("test-search").select()')
        browser.call("Input.dispatchKeyEvent", {"type": "keyDown", "key": "Backspace", "code": "Backspace",
                                                "windowsVirtualKeyCode": 8})
        browser.call("Input.dispatchKeyEvent", {"type": "keyUp", "key": "Backspace", "code": "Backspace",
                                                "windowsVirtualKeyCode": 8})
        self.assertEqual(sorted(browser.evaluate(visible_rows)), passed)
        browser.click("#test-search")
        browser.type("'right' 'wrong'")  # words of a reason (all of them), not of a name
        browser.click('#test-filters button[data-filter="all"]')
        self.assertEqual(browser.evaluate(visible_rows), ["kinds/wrong_output"])

        # A failing test's diff, laid out on the page: expected against actual.
        diff = browser.evaluate("""(() => {
            const article = Array.from(document.querySelectorAll("#failures article"))
                .find(a => a.querySelector("h3").textContent.includes("kinds/wrong_output"));
            const table = article.querySelector("table.diff");
            return {height: table.getBoundingClientRect().height,
                    rows: Array.from(table.rows).map(r => Array.from(r.cells).map(c => c.textContent))};
        })()""")
        self.assertGreater(diff["height"], 0)
        self.assertEqual(diff["rows"], [["line", "expected", "actual"], ["1", "right", "wrong"]])
        self.assertEqual(browser.console_errors(), [])

    def test_ide_listing_has_names_labels_and_the_source_location(self):
        tests = self.ws.ctest_names()
        self.assertEqual(set(tests), set(self.tests))
        props = {p["name"]: p["value"] for p in tests["more/ok"]["properties"]}
        self.assertEqual(sorted(props["LABELS"]), ["fast", "more", "smoke"])
        version = run([CTEST, "--version"]).stdout.split()[2]
        if tuple(int(x) for x in version.split(".")[:2]) >= (3, 30):
            self.assertTrue(props["DEF_SOURCE_LINE"].endswith("more/ok.wyn:1"), props)
        else:
            # CTest before 3.30 lists no custom properties; the registration sets it anyway.
            self.assertNotIn("DEF_SOURCE_LINE", props)
            registration = ""
            for dirpath, _, files in os.walk(os.path.join(self.ws.build_dir, "wyn")):
                if "ctest-tests.cmake" in files:
                    with open(os.path.join(dirpath, "ctest-tests.cmake")) as f:
                        registration += f.read()
            self.assertIn("DEF_SOURCE_LINE [=[" + os.path.join(self.suites[1], "ok.wyn") + ":1]=]", registration)


class RerunFailed(unittest.TestCase):
    def test_rerun_failed_runs_what_failed_even_after_tests_were_added(self):
        ws = Workspace(self)
        suite = ws.suite("rr", {
            "ok.wyn": '// EXPECT: ok\nfn main() -> int {\n    println("ok")\n}\n',
            "bad_output.wyn": '// EXPECT: yes\nfn main() -> int {\n    println("no")\n}\n',
            "bad_exit.wyn": "fn main() -> int {\n    return 4\n}\n",
        })
        ws.full_run([suite])
        self.assertEqual(ws.verdicts(), {"rr/ok": "passed", "rr/bad_output": "failed", "rr/bad_exit": "failed"})
        proc = ws.ctest("--rerun-failed")
        self.assertNotEqual(proc.returncode, 0)
        self.assertEqual(ws.verdicts(), {"rr/bad_output": "failed", "rr/bad_exit": "failed"})
        self.assertIn("wyn-ctest summary: 2 tests", proc.stdout)
        # Fix one, add a test that sorts first (CTest's numbers all move), rebuild.
        ws.write("rr/bad_output.wyn", '// EXPECT: yes\nfn main() -> int {\n    println("yes")\n}\n')
        ws.write("rr/aaa_new.wyn", '// EXPECT: new\nfn main() -> int {\n    println("new")\n}\n')
        ws.build()
        ws.ctest("--rerun-failed")
        self.assertEqual(ws.verdicts(), {"rr/bad_output": "passed", "rr/bad_exit": "failed"})
        ws.ctest("--rerun-failed")
        self.assertEqual(ws.verdicts(), {"rr/bad_exit": "failed"})


class FlakyTests(unittest.TestCase):
    def test_a_test_passing_when_run_again_is_reported_as_flaky_everywhere(self):
        ws = Workspace(self)
        suite = ws.suite("fl", {
            "flaky.wyn": ('// EXPECT: ok\nfn main() -> int {\n    fail_times("../flaky-count", 1)\n'
                          '    println("ok")\n    return 0\n}\n'),
            "ok.wyn": '// EXPECT: ok\nfn main() -> int {\n    println("ok")\n}\n',
        })
        ws.configure([suite])
        ws.build()
        proc = ws.ctest("-j2", "--repeat", "until-pass:2")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(ws.verdicts(), {"fl/flaky": "flaky", "fl/ok": "passed"})
        self.assertIn("Flaky (passed when run again):\n  fl/flaky: attempt 1 failed", proc.stdout)
        reports = os.path.join(ws.build_dir, "wyn-report")

        case = [c for c in ET.parse(os.path.join(reports, "junit.xml")).getroot().iter("testcase")
                if c.get("name") == "flaky"][0]
        self.assertIsNone(case.find("failure"))
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        self.assertEqual((props["wyn.status"], props["wyn.attempts"]), ("flaky", "2"))
        self.assertTrue(props["wyn.earlier_attempts"].startswith("attempt 1 failed"), props)

        self.assertEqual(schema_errors(os.path.join(reports, "ctrf.json"), CTRF_SCHEMA), "")
        with open(os.path.join(reports, "ctrf.json")) as f:
            ctrf = json.load(f)["results"]
        self.assertEqual(ctrf["summary"]["flaky"], 1)
        test = [t for t in ctrf["tests"] if t["name"] == "fl/flaky"][0]
        self.assertEqual((test["status"], test["flaky"], test["retries"]), ("passed", True, 1))
        self.assertEqual([a["status"] for a in test["retryAttempts"]], ["failed", "passed"])

        with open(os.path.join(reports, "trace.json")) as f:
            runs = [e for e in json.load(f)["traceEvents"] if e.get("cat") == "run" and e["name"] == "fl/flaky"]
        self.assertEqual(len(runs), 2)


def fresh_clone(destination):
    """The files a clone of the repository has: tracked and untracked-but-not-ignored
    files of a git checkout, else the tree without build directories."""
    if os.path.isdir(os.path.join(REPO, ".git")):
        files = run(["git", "-C", REPO, "ls-files", "-co", "--exclude-standard", "-z"], check=True).stdout
        for relative in filter(None, files.split("\0")):
            source = os.path.join(REPO, relative)
            if os.path.isfile(source):
                os.makedirs(os.path.dirname(os.path.join(destination, relative)), exist_ok=True)
                shutil.copy2(source, os.path.join(destination, relative))
    else:
        shutil.copytree(REPO, destination, dirs_exist_ok=True,
                        ignore=lambda d, names: [n for n in names if n.startswith("build") or n == ".git"])


class CiScript(unittest.TestCase):
    @ctest_properties(processors=2)
    def test_ci_script_publishes_every_report_and_fails_exactly_when_a_test_failed(self):
        ws = Workspace(self)
        clone = os.path.join(ws.root, "clone")
        fresh_clone(clone)
        script = os.path.join(clone, "ctest-scripts", "ci.cmake")
        failing = ws.suite("ci", {
            "good.wyn": '// EXPECT: good\nfn main() -> int {\n    println("good")\n}\n',
            "skip.wyn": "// SKIP: later\nfn main() -> int {\n}\n",
            "xfail.wyn": "// XFAIL: known\nfn main() -> int {\n    return 1\n}\n",
            "bad.wyn": '// EXPECT: good\nfn main() -> int {\n    println("bad")\n}\n',
        })
        artifacts = os.path.join(ws.root, "artifacts")
        step_summary = os.path.join(ws.root, "step-summary.md")

        def ci(*dirs):
            # The tools of this build stand in for the configure-time build a fresh clone would do.
            return run([CTEST, "-S", script, f"-DWYN_BUILD_DIR={ws.build_dir}", "-DWYN_JOBS=2",
                        f"-DWYN_ARTIFACTS_DIR={artifacts}", "-DWYN_TEST_DIRS=" + ";".join(dirs),
                        f"-DWYN_CONFIGURE_OPTIONS=-DWYN_TOOLS_DIR={TOOLS}"],
                       env={"GITHUB_STEP_SUMMARY": step_summary})

        proc = ci(failing)
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("tests failed", proc.stdout)
        for name in ("junit.xml", "ctrf.json", "summary.md", "trace.json", "report.html", "summary.json"):
            self.assertTrue(os.path.isfile(os.path.join(ws.build_dir, "wyn-report", name)), name)
            self.assertTrue(os.path.isfile(os.path.join(artifacts, name)), name)
        with open(step_summary) as f:
            self.assertIn("## Wyn tests: 1 of 4 failed", f.read())

        os.remove(os.path.join(failing, "bad.wyn"))  # skipped and xfail remain: not failures
        proc = ci(failing)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        with open(os.path.join(artifacts, "summary.json")) as f:
            counts = json.load(f)["counts"]
        self.assertEqual((counts["total"], counts["passed"], counts["skipped"], counts["xfail"]), (3, 1, 1, 1),
                         proc.stdout)


if __name__ == "__main__":
    unittest.main()
