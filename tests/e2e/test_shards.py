"""Sharding across machines (WYN_SHARD=K/N): the shards partition the suite,
recorded durations balance them, and their results merge into the reports
of one run."""

import json
import os
import shutil
import unittest
import xml.etree.ElementTree as ET

from test_reports import CTRF_SCHEMA, schema_errors
from wyn_e2e import CTEST, REPO, TOOLS, Workspace, ctest_properties, run

# Uneven run times (sleep_ms), and outcomes other than a pass.
SLEEPS = [900, 650, 500, 400, 300, 250, 150, 100, 50]
FILES = {f"t{i:02d}.wyn": f'// EXPECT: {ms}\nfn main() -> int {{\n    sleep_ms({ms})\n    println("{ms}")\n}}\n'
         for i, ms in enumerate(SLEEPS)}
FILES.update({
    "bad.wyn": '// EXPECT: good\nfn main() -> int {\n    println("bad")\n}\n',
    "skip.wyn": "// SKIP: not today\nfn main() -> int {\n}\n",
    "known.wyn": "// XFAIL: known bug\nfn main() -> int {\n    crash()\n}\n",
})
WYN_REPORT = os.path.join(TOOLS, "bin", "wyn-report")


def tests_of(summary_path):
    with open(summary_path) as f:
        return {t["name"]: t for t in json.load(f)["tests"]}


class Shards(unittest.TestCase):
    @classmethod
    @ctest_properties(processors=2, timeout=600)  # four builds and runs
    def setUpClass(cls):
        # A first, unsharded run: the reference, and the durations to balance by.
        cls.whole = Workspace(cls)
        suite = cls.whole.suite("uneven", FILES)
        cls.whole.full_run([suite])
        cls.durations = os.path.join(cls.whole.root, "previous-summary.json")
        shutil.copy(os.path.join(cls.whole.build_dir, "wyn-report", "summary.json"), cls.durations)
        # Three machines, each with its own build of the same sources.
        cls.shards, cls.accounts = [], []
        for k in (1, 2, 3):
            ws = Workspace(cls)
            ws.suite("uneven", FILES)
            cls.accounts.append(ws.configure([os.path.join(ws.root, "src", "uneven")], f"-DWYN_SHARD={k}/3",
                                             f"-DWYN_SHARD_DURATIONS={cls.durations}").stdout)
            ws.build()
            ws.ctest("-j4")
            cls.shards.append(ws)
        # CI passes each shard's wyn-report directory on as an artifact; a
        # build directory works as well.
        artifact = os.path.join(cls.whole.root, "artifact-2")
        shutil.copytree(os.path.join(cls.shards[1].build_dir, "wyn-report"), artifact)
        cls.merged = os.path.join(cls.whole.root, "merged")
        cls.merge = run([WYN_REPORT, "merge", cls.merged, cls.shards[0].build_dir, artifact,
                         cls.shards[2].build_dir])

    def test_each_shard_says_what_it_took(self):
        for k, account in enumerate(self.accounts, 1):
            self.assertRegex(account, rf"suite 'uneven' \(.*\): shard {k}/3 \(balanced by the durations in "
                                      rf".*previous-summary.json\): \d+ of 12 tests")

    def test_shards_partition_the_suite(self):
        names = [set(s.verdicts()) for s in self.shards]
        self.assertEqual(set.union(*names), set(self.whole.verdicts()))
        self.assertEqual(sum(len(n) for n in names), 12)
        for n in names:
            self.assertTrue(n, "every shard has tests")
        # A shard compiles only its own tests.
        for ws, n in zip(self.shards, names):
            with open(os.path.join(ws.build_dir, ".ninja_log")) as f:
                compiled = sum("compile.json" in line and not line.split("\t")[3].startswith("/") for line in f)
            self.assertEqual(compiled, len(n))

    def test_recorded_durations_balance_the_shards_within_20_percent(self):
        recorded = {name: t["compile_seconds"] + t["run_seconds"] for name, t in tests_of(self.durations).items()}
        totals = [sum(recorded[n] for n in s.verdicts()) for s in self.shards]
        mean = sum(totals) / 3
        for total in totals:
            self.assertLessEqual(abs(total - mean), 0.2 * mean, (totals, recorded))

    def test_merged_reports_equal_the_unsharded_run(self):
        self.assertEqual(self.merge.returncode, 0, self.merge.stdout)
        self.assertIn("wyn-ctest summary: 12 tests:", self.merge.stdout)
        whole = tests_of(os.path.join(self.whole.build_dir, "wyn-report", "summary.json"))
        merged = tests_of(os.path.join(self.merged, "summary.json"))
        self.assertEqual(list(merged), sorted(whole))
        self.assertEqual({n: (t["status"], t["reason"]) for n, t in merged.items()},
                         {n: (t["status"], t["reason"]) for n, t in whole.items()})
        with open(os.path.join(self.merged, "summary.json")) as f:
            merged_counts = json.load(f)["counts"]
        self.assertEqual(merged_counts, self.whole.summary()["counts"])

        def junit(path):
            cases = {}
            for case in ET.parse(path).getroot().iter("testcase"):
                outcome = [(c.tag, c.get("message")) for c in case if c.tag in ("failure", "error", "skipped")]
                cases[(case.get("classname"), case.get("name"))] = outcome
            return cases
        self.assertEqual(junit(os.path.join(self.merged, "junit.xml")),
                         junit(os.path.join(self.whole.build_dir, "wyn-report", "junit.xml")))
        self.assertEqual(schema_errors(os.path.join(self.merged, "ctrf.json"), CTRF_SCHEMA), "")
        with open(os.path.join(self.merged, "ctrf.json")) as f:
            merged_summary = json.load(f)["results"]["summary"]
        with open(os.path.join(self.whole.build_dir, "wyn-report", "ctrf.json")) as f:
            whole_summary = json.load(f)["results"]["summary"]
        for key in ("tests", "passed", "failed", "skipped", "other"):
            self.assertEqual(merged_summary[key], whole_summary[key], key)

    def test_merge_script_fails_exactly_when_a_test_failed(self):
        script = os.path.join(REPO, "ctest-scripts", "merge.cmake")
        shards = ";".join(ws.build_dir for ws in self.shards)
        out = os.path.join(self.whole.root, "script-merged")
        proc = run([CTEST, "-S", script, f"-DWYN_RESULTS={shards}", f"-DWYN_MERGED_DIR={out}",
                    f"-DWYN_TOOLS_DIR={TOOLS}", "-DWYN_JUNIT_FLAVOR=strict"])
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("1 of 12 tests failed", proc.stdout)  # uneven/bad
        with open(os.path.join(out, "junit.xml")) as f:
            self.assertIn("<testsuites>", f.read())
        # Without the failing test's shard the set is incomplete: also a failure.
        bad = next(ws for ws in self.shards if "uneven/bad" in ws.verdicts())
        rest = ";".join(ws.build_dir for ws in self.shards if ws is not bad)
        proc = run([CTEST, "-S", script, f"-DWYN_RESULTS={rest}", f"-DWYN_MERGED_DIR={out}", f"-DWYN_TOOLS_DIR={TOOLS}"])
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("is missing", proc.stdout)
        # The same results presented as unsharded runs: complete, no failure.
        unsharded = []
        for i, build_dir in enumerate(rest.split(";")):
            with open(os.path.join(build_dir, "wyn-report", "summary.json")) as f:
                summary = json.load(f)
            for r in summary["runs"]:
                r["shard"] = ""
            unsharded.append(os.path.join(self.whole.root, f"unsharded-{i}"))
            os.makedirs(unsharded[-1])
            with open(os.path.join(unsharded[-1], "summary.json"), "w") as f:
                json.dump(summary, f)
        proc = run([CTEST, "-S", script, "-DWYN_RESULTS=" + ";".join(unsharded), f"-DWYN_MERGED_DIR={out}",
                    f"-DWYN_TOOLS_DIR={TOOLS}"])
        self.assertEqual(proc.returncode, 0, proc.stdout)
        with open(os.path.join(out, "summary.json")) as f:
            counts = json.load(f)["counts"]
        self.assertEqual(counts["failed"], 0)
        self.assertEqual(counts["total"], 12 - len(bad.verdicts()))

    def test_merged_trace_has_each_shards_build_and_tests(self):
        with open(os.path.join(self.merged, "trace.json")) as f:
            events = json.load(f)["traceEvents"]
        processes = {e["args"]["name"] for e in events if e["name"] == "process_name"}
        self.assertEqual(processes, {f"shard {k}/3: {part}" for k in (1, 2, 3) for part in ("build", "tests")})
        runs = sorted(e["name"] for e in events if e.get("cat") == "run")
        self.assertEqual(runs, sorted(n for n, t in tests_of(self.durations).items() if t["status"] != "skipped"))

    def test_an_incomplete_or_overlapping_set_of_shards_is_an_error(self):
        out = os.path.join(self.whole.root, "partial")
        proc = run([WYN_REPORT, "merge", out, self.shards[0].build_dir, self.shards[2].build_dir])
        self.assertEqual(proc.returncode, 1)
        self.assertIn("wyn-report: error: shard 2/3 is missing", proc.stdout)
        proc = run([WYN_REPORT, "merge", out, self.shards[0].build_dir, self.shards[0].build_dir])
        self.assertEqual(proc.returncode, 1)
        self.assertIn("is in both", proc.stdout)

    def test_without_durations_shards_are_round_robin(self):
        ws = Workspace(self)
        suite = ws.suite("uneven", FILES)
        account = ws.configure([suite], "-DWYN_SHARD=2/3",
                               f"-DWYN_SHARD_DURATIONS={ws.root}/none.json").stdout
        self.assertIn("shard 2/3 (round-robin: " + ws.root + "/none.json does not exist yet): 4 of 12 tests",
                      account)
        ws.configure([suite], "-DWYN_SHARD=3/3", "-DWYN_SHARD_DURATIONS=")
        manifests = [os.path.join(d, "manifest.json") for d in
                     (os.path.join(ws.build_dir, "wyn", e) for e in os.listdir(os.path.join(ws.build_dir, "wyn")))
                     if os.path.exists(os.path.join(d, "manifest.json"))]
        with open(manifests[0]) as f:
            self.assertEqual(len(json.load(f)), 4)
        proc = ws.configure([suite], "-DWYN_SHARD=4/3", check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("1 <= K <= N", proc.stdout)


if __name__ == "__main__":
    unittest.main()
