#!/usr/bin/env python3
"""Compares the reference verdicts with wyn-ctest's, file by file.

    compare.py gate OUT    # Wyn 1.20's gate: OUT written by gate-1.20.sh
    compare.py unit OUT    # Wyn 1.6's tests/unit: OUT written by unit-1.6.sh

Both sides are mapped to the same verdicts: pass, fail, known-failure (a
listed known failure that failed), fixed (a listed known failure that
passed), skip, not-a-test. Prints a Markdown table per suite and every
disagreement with both sides' details, writes OUT/parity.md (the same, with
the time of every step) and OUT/verdicts.json (every verdict of both sides),
and exits 1 when some verdict differs, 0 otherwise.

Helpers of gate-1.20.sh (--recheck, --compiler-change):

    compare.py disagreeing-scripts OUT   # test, script, args of each differing script step
    compare.py record-status BUILD TEST  # status and reason of TEST in BUILD's last ctest run
    compare.py same-statuses A B         # two runs' summary.json: the same status per test?
"""

import glob
import json
import os
import re
import sys

VERDICTS = ["pass", "fail", "known-failure", "fixed", "skip", "not-a-test", "missing"]
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


def read_tsv(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"))) for line in lines[1:] if line]


def read_meta(out):
    meta = {}
    path = os.path.join(out, "meta.tsv")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            for line in f.read().splitlines():
                key, _, value = line.partition("\t")
                meta[key] = value
    return meta


def read_log(out, rel):
    with open(os.path.join(out, "reference", rel), encoding="utf-8", errors="replace") as f:
        return ANSI.sub("", f.read())


def one_line(text, limit=240):
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 3] + "..."


def verdict(name, detail=""):
    return {"verdict": name, "detail": one_line(detail)}


# --- the reference side of the gate ----------------------------------------

def parse_bdd(log, files):
    """run_bdd.sh prints `  ✓ NAME.wyn` / `  ✗ NAME.wyn` per test, per section;
    a file it does not print has no `// EXPECT:` line: not a test."""
    sections = {"=== Expect Tests ===": "expect", "=== Regression Tests ===": "regression"}
    seen = {}
    failures = {}
    section = None
    current = None
    in_failures = False
    for line in log.splitlines():
        if line in sections:
            section = sections[line]
            continue
        if line.startswith("Failures:"):
            in_failures = True
            continue
        if in_failures:
            m = re.match(r"^  FAIL: (\S+)$", line)
            if m:
                current = m.group(1)
                failures[current] = []
            elif current and line.strip():
                failures[current].append(line.strip())
            continue
        m = re.match(r"^  ([✓✗]) (\S+\.wyn)$", line)
        if m and section:
            seen[(section, m.group(2))] = m.group(1)
    result = {"expect": {}, "regression": {}}
    for rel in files:
        suite, base = rel.split("/")[-2], os.path.basename(rel)
        stem = base[:-len(".wyn")]
        mark = seen.get((suite, base))
        if mark == "✓":
            result[suite][stem] = verdict("pass")
        elif mark == "✗":
            result[suite][stem] = verdict("fail", " ".join(failures.get(base, [])))
        else:
            result[suite][stem] = verdict("not-a-test", "no // EXPECT: line (not printed)")
    return result


def parse_golden(log):
    result = {}
    current = None
    for line in log.splitlines():
        m = re.match(r"^  ok    (\S+)$", line)
        if m:
            result[m.group(1)] = verdict("pass")
            current = None
            continue
        m = re.match(r"^  FAIL  (\S+) - (.*)$", line)
        if m:
            current = m.group(1)
            result[current] = {"verdict": "fail", "detail": m.group(2), "lines": []}
            continue
        if current and line.startswith("        "):
            result[current]["lines"].append(line.strip())
    for item in result.values():
        lines = item.pop("lines", [])
        changed = [l for l in lines if re.match(r"^[-+][^-+]", l)]
        item["detail"] = one_line(item["detail"] + " " + " | ".join(changed[:4]))
    return result


def parse_stdlib(log):
    result = {}
    for line in log.splitlines():
        m = re.match(r"^  ([✓✗⏱]) (\S+)\.wyn(.*)$", line)
        if not m:
            continue
        mark, stem, rest = m.group(1), m.group(2), m.group(3).strip()
        if mark == "✓":
            result[stem] = verdict("fixed" if "FIXED" in rest else "pass", rest)
        elif rest.startswith("(known"):
            result[stem] = verdict("known-failure", ("HANG " if mark == "⏱" else "FAIL ") + rest)
        else:
            result[stem] = verdict("fail", rest)
    return result


def parse_script(log, rc):
    skip = re.search(r"^(\S+): SKIP \((.*)\)\s*$", log, re.M)
    if rc == 0 and skip:
        return verdict("skip", skip.group(0))
    if rc == 0:
        return verdict("pass")
    fails = [l.strip() for l in log.splitlines() if re.match(r"^\s*(FAIL\b|\S+: FAIL\b)", l)]
    if not fails:
        fails = [l.strip() for l in log.splitlines() if l.strip()][-2:]
    return verdict("fail", "rc %d: %s" % (rc, " | ".join(fails[:3])))


def script_key(script):
    name = os.path.basename(script)
    name = re.sub(r"\.sh$", "", name)
    name = re.sub(r"^run_", "", name)
    name = re.sub(r"_tests?$", "", name)
    return name


def reference_gate(out):
    steps = read_tsv(os.path.join(out, "reference", "steps.tsv"))
    with open(os.path.join(out, "reference", "bdd-files.txt"), encoding="utf-8") as f:
        bdd_files = f.read().split()
    suites = {}
    scripts = {}   # wyn-ctest test name -> verdict
    for step in steps:
        script, rc = step["script"], int(step["rc"])
        log = read_log(out, step["log"])
        if script == "tests/run_bdd.sh":
            suites.update(parse_bdd(log, bdd_files))
            step["suite"] = "expect, regression"
        elif script.startswith("tests/golden/"):
            suites["golden"] = parse_golden(log)
            step["suite"] = "golden"
        elif script.startswith("tests/stdlib/"):
            suites["stdlib"] = parse_stdlib(log)
            step["suite"] = "stdlib"
        else:
            stem = re.sub(r"\.sh$", "", os.path.basename(script))
            if script.startswith("tests/errors/"):
                name = "errors/" + stem
                step["suite"] = "errors"
            else:
                name = script_key(script) + "/" + stem
                step["suite"] = "scripts"
            item = parse_script(log, rc)
            item["step_script"] = script
            item["step_args"] = step["args"]
            scripts[name] = item
            step["test"] = name
    suites["errors"] = {k[len("errors/"):]: v for k, v in scripts.items() if k.startswith("errors/")}
    suites["scripts"] = {k: v for k, v in scripts.items() if not k.startswith("errors/")}
    return suites, steps


# --- the wyn-ctest side ----------------------------------------------------

def load_records(out):
    results = {}
    compiles = {}
    base = os.path.join(out, "wyn-ctest", "results")
    for path in glob.glob(os.path.join(base, "**", "*.json"), recursive=True):
        name = os.path.basename(path)
        if name not in ("result.json", "compile.json"):
            continue
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        record["_path"] = os.path.relpath(path, out)
        (results if name == "result.json" else compiles)[record.get("name", path)] = record
    with open(os.path.join(out, "wyn-ctest", "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    ran = {t["name"] for t in summary.get("tests", [])}
    return results, compiles, ran, summary


def wyn_ctest_verdict(name, results, compiles, ran):
    record = results.get(name)
    if record is None:
        compiled = compiles.get(name)
        if compiled and compiled.get("kind") in ("module", "ignored"):
            return {"verdict": "not-a-test", "status": compiled.get("kind"),
                    "detail": "not registered (%s)" % compiled.get("kind"),
                    "record": compiled["_path"]}
        return {"verdict": "missing", "status": "", "detail": "no record", "record": ""}
    status = record.get("status", "")
    if status in ("passed", "flaky"):
        v = "fixed" if record.get("fixed") else "pass"
    elif status == "xfail":
        v = "known-failure"
    elif status == "skipped":
        v = "skip"
    else:
        v = "fail"
    detail = record.get("reason", "")
    if name not in ran:
        detail = "(record not from this ctest run) " + detail
    return {"verdict": v, "status": status, "detail": one_line(detail),
            "record": record["_path"],
            "compile_seconds": record.get("compile_seconds"),
            "run_seconds": record.get("run_seconds")}


# --- comparison and output -------------------------------------------------

def compare_suites(reference, results, compiles, ran, name_of):
    """reference: suite -> key -> verdict. name_of(suite, key) is the
    wyn-ctest test name. Also collects wyn-ctest tests the reference lacks."""
    rows = {}
    claimed = set()
    for suite, items in reference.items():
        rows[suite] = []
        for key in sorted(items):
            name = name_of(suite, key)
            claimed.add(name)
            ours = wyn_ctest_verdict(name, results, compiles, ran)
            ref = items[key]
            rows[suite].append({"suite": suite, "file": key, "test": name, "reference": ref,
                                "wyn_ctest": ours, "agree": ref["verdict"] == ours["verdict"]})
    for name in sorted(set(results) - claimed):
        suite = name.split("/", 1)[0]
        ours = wyn_ctest_verdict(name, results, compiles, ran)
        rows.setdefault(suite, []).append({
            "suite": suite, "file": name.split("/", 1)[-1], "test": name,
            "reference": verdict("missing", "no such test in the reference run"),
            "wyn_ctest": ours, "agree": False})
    return rows


def counts(items, side):
    tally = {}
    for row in items:
        v = row[side]["verdict"]
        tally[v] = tally.get(v, 0) + 1
    return ", ".join("%d %s" % (tally[v], v) for v in VERDICTS if v in tally) or "-"


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def read_rechecks(out):
    """test name -> text saying what the repeats of gate-1.20.sh --recheck
    found on each side, for the disagreements they were run for."""
    ref_path = os.path.join(out, "rechecks", "reference.tsv")
    ours_path = os.path.join(out, "rechecks", "wyn-ctest.tsv")
    if not (os.path.exists(ref_path) and os.path.exists(ours_path)):
        return {}
    sides = {}
    for row in read_tsv(ref_path):
        v = "pass" if row["rc"] == "0" else "fail"
        sides.setdefault(row["test"], {}).setdefault("reference", []).append(v)
    for row in read_tsv(ours_path):
        ours = {"status": row["status"], "reason": row.get("reason", ""), "_path": ""}
        v = wyn_ctest_verdict(row["test"], {row["test"]: ours}, {}, {row["test"]}).get("verdict")
        sides.setdefault(row["test"], {}).setdefault("wyn_ctest", []).append(v)
    text = {}
    for test, by_side in sides.items():
        parts = []
        for side, label in (("reference", "reference"), ("wyn_ctest", "wyn-ctest")):
            got = by_side.get(side, [])
            tally = {v: got.count(v) for v in got}
            parts.append("%s: %s" % (label, ", ".join(
                "%s %d/%d" % (v, n, len(got)) for v, n in sorted(tally.items())) or "-"))
        text[test] = "; ".join(parts)
    return text


def render(title, rows, notes, rechecks=None):
    lines = ["## " + title, "",
             "| suite | files | agree | disagree | reference | wyn-ctest |",
             "|---|---:|---:|---:|---|---|"]
    all_rows = []
    for suite, items in rows.items():
        agree = sum(1 for r in items if r["agree"])
        lines.append("| %s | %d | %d | %d | %s | %s |" % (
            suite, len(items), agree, len(items) - agree, counts(items, "reference"),
            counts(items, "wyn_ctest")))
        all_rows.extend(items)
    agree = sum(1 for r in all_rows if r["agree"])
    lines.append("| **total** | %d | %d | %d | %s | %s |" % (
        len(all_rows), agree, len(all_rows) - agree, counts(all_rows, "reference"),
        counts(all_rows, "wyn_ctest")))
    lines.append("")
    for note in notes:
        lines.append(note)
    if notes:
        lines.append("")
    differ = [r for r in all_rows if not r["agree"]]
    if differ:
        rechecks = rechecks or {}
        lines += ["### Disagreements (%d)" % len(differ), "",
                  "| test | reference | wyn-ctest | wyn-ctest reason |" +
                  (" run again |" if rechecks else ""),
                  "|---|---|---|---|" + ("---|" if rechecks else "")]
        for r in differ:
            ref, ours = r["reference"], r["wyn_ctest"]
            ref_text = ref["verdict"] + (": " + ref["detail"] if ref["detail"] else "")
            ours_text = ours["verdict"] + (" (%s)" % ours["status"] if ours.get("status") else "")
            row = "| %s | %s | %s | %s |" % (cell(r["test"]), cell(ref_text), cell(ours_text),
                                             cell(ours["detail"]))
            if rechecks:
                r["rechecks"] = rechecks.get(r["test"], "")
                row += " %s |" % cell(r["rechecks"] or "-")
            lines.append(row)
        lines.append("")
        if rechecks:
            lines += ["*run again*: the verdicts of the script's repeats on each side "
                      "(`--recheck`); the verdicts compared are those of the first run.", ""]
    else:
        lines += ["Every verdict agrees.", ""]
    return lines, differ


def side_steps(out):
    path = os.path.join(out, "wyn-ctest", "steps.tsv")
    return read_tsv(path) if os.path.exists(path) else []


def meta_lines(meta):
    keys = ["checkout", "wyn_version", "wyn_ctest", "wyn_ctest_commit", "wyn_ctest_dirty",
            "script_form", "host", "nproc", "date"]
    return ["- %s: `%s`" % (k, meta[k]) for k in keys if k in meta] + [""]


def write_outputs(out, kind, printed, extra, data, differ):
    with open(os.path.join(out, "parity.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(printed + extra) + "\n")
    data["disagreements"] = len(differ)
    with open(os.path.join(out, "verdicts.json"), "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, sort_keys=True, ensure_ascii=False)
        f.write("\n")
    print("\n".join(printed))
    print("Written: %s, %s" % (os.path.join(out, "parity.md"), os.path.join(out, "verdicts.json")))
    return 1 if differ else 0


def compare_gate(out):
    meta = read_meta(out)
    reference, steps = reference_gate(out)
    results, compiles, ran, summary = load_records(out)

    def name_of(suite, key):
        if suite != "scripts":
            return suite + "/" + key
        # A script step is one test whatever suite the gate project put it
        # in (the README's example groups several under one NAME): found by
        # the script's stem, outside the errors suite.
        stem = "/" + key.rsplit("/", 1)[-1]
        found = [n for n in results if n.endswith(stem) and not n.startswith("errors/")]
        return found[0] if len(found) == 1 else key

    rows = compare_suites(reference, results, compiles, ran, name_of)
    notes = []
    # A script step whose Makefile arguments the gate project could not pass
    # (gate-1.20.sh marks the GLOB registrations it wrote for such steps).
    try:
        with open(os.path.join(out, "wyn-ctest", "CMakeLists.txt")) as f:
            project = f.read()
    except OSError:
        project = ""
    for row in rows.get("scripts", []):
        args = row["reference"].get("step_args")
        if args and "# Makefile arguments not passed (GLOB form): %s" % args in project:
            notes.append("Note: `%s` ran under wyn-ctest without its Makefile arguments "
                         "(`%s`): registered through a GLOB, which passes none." % (row["test"], args))
    printed, differ = render("Wyn 1.20 gate: run by its own scripts and by wyn-ctest", rows, notes,
                             read_rechecks(out))
    printed = meta_lines(meta) + printed

    extra = ["### Time per step", "",
             "Reference (`make test` order, one at a time):", "",
             "| # | step | rc | seconds | verdicts |", "|---:|---|---:|---:|---|"]
    total = 0.0
    for step in steps:
        total += float(step["seconds"])
        label = step["script"] + (" " + step["args"] if step["args"] else "")
        extra.append("| %s | `%s` | %s | %s | %s |" % (step["index"], label, step["rc"],
                                                       step["seconds"], step.get("suite", "")))
    extra += ["| | **total** | | %.1f | |" % total, "", "wyn-ctest:", "",
              "| step | rc | seconds |", "|---|---:|---:|"]
    side = {}
    for step in side_steps(out):
        extra.append("| %s | %s | %s |" % (step["step"], step["rc"], step["seconds"]))
        side[step["step"]] = float(step["seconds"])
    extra.append("")
    # The whole gate against the reference's serial steps: cold (configure
    # too, as a new checkout pays it) and after the compiler changed.
    ratios = [("cold (configure, build, ctest)", ("configure", "build", "ctest")),
              ("compiler changed (build, ctest)",
               ("build_after_compiler_change", "ctest_after_compiler_change"))]
    for label, keys in ratios:
        if total > 0 and all(k in side for k in keys):
            took = sum(side[k] for k in keys)
            extra.append("wyn-ctest %s: %.1f s, %.3fx the reference's %.1f s" %
                         (label, took, took / total, total))
    extra.append("")
    slow = sorted((r for r in results.values() if r.get("run_seconds")),
                  key=lambda r: -r.get("run_seconds", 0))[:10]
    if slow:
        extra += ["Slowest wyn-ctest tests (run seconds):", "", "| test | seconds |", "|---|---:|"]
        extra += ["| %s | %.1f |" % (r["name"], r["run_seconds"]) for r in slow]
        extra.append("")

    data = {"kind": "gate", "meta": meta, "rows": [r for items in rows.values() for r in items],
            "reference_steps": steps, "wyn_ctest_steps": side_steps(out),
            "wyn_ctest_counts": summary.get("counts", {})}
    return write_outputs(out, "gate", printed, extra, data, differ)


def compare_unit(out):
    meta = read_meta(out)
    reference = {}
    with open(os.path.join(out, "reference", "results.jsonl"), encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            record = json.loads(line)
            stem = os.path.relpath(record["file"], "tests/unit")[:-len(".wyn")]
            item = verdict(record["verdict"], record.get("detail", ""))
            item["raw"] = record
            reference[stem] = item
    results, compiles, ran, summary = load_records(out)
    suite = "unit"
    rows = compare_suites({suite: reference}, results, compiles, ran,
                          lambda s, key: s + "/" + key)
    notes = ["Reference: `wyn FILE` succeeded, `FILE.out` exists and its run ended by a normal "
             "exit (any code), no signal, no timeout (%s s)." % meta.get("timeout", "30")]
    changes = os.path.join(out, "wyn-ctest", "source-tree-changes.txt")
    if os.path.exists(changes):
        notes.append("Warning: the wyn-ctest side changed the source tree (%s)." % changes)
    printed, differ = render("Wyn 1.6 tests/unit: reference verdicts and wyn-ctest", rows, notes)
    printed = meta_lines(meta) + printed
    extra = ["### Time per step", "", "| side | step | rc | seconds |", "|---|---|---:|---:|"]
    ref_steps = os.path.join(out, "reference", "steps.tsv")
    for step in (read_tsv(ref_steps) if os.path.exists(ref_steps) else []):
        extra.append("| reference | compile and run, %s | %s | %s |" % (
            "every file", step["rc"], step["seconds"]))
    for step in side_steps(out):
        extra.append("| wyn-ctest | %s | %s | %s |" % (step["step"], step["rc"], step["seconds"]))
    extra.append("")
    data = {"kind": "unit", "meta": meta, "rows": [r for items in rows.values() for r in items],
            "wyn_ctest_counts": summary.get("counts", {})}
    return write_outputs(out, "unit", printed, extra, data, differ)


def disagreeing_scripts(out):
    """Prints `test<TAB>script<TAB>args` for every script step whose verdicts
    differ in OUT/verdicts.json (for gate-1.20.sh --recheck)."""
    with open(os.path.join(out, "verdicts.json"), encoding="utf-8") as f:
        data = json.load(f)
    for row in data["rows"]:
        script = row["reference"].get("step_script")
        if not row["agree"] and script:
            print("%s\t%s\t%s" % (row["test"], script, row["reference"].get("step_args", "")))
    return 0


def record_status(build, test):
    """Prints `status<TAB>reason` of TEST from the last ctest run in BUILD."""
    with open(os.path.join(build, "wyn-report", "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    for record in summary.get("tests", []):
        if record.get("name") == test:
            print("%s\t%s" % (record.get("status", ""), one_line(record.get("reason", ""))))
            return 0
    print("missing\tnot in the last run's summary")
    return 0


def same_statuses(first, second):
    """Compares the statuses of two runs' summary.json, test by test: prints
    each difference and `same N` or `differ N`; exit status 1 when some differ."""
    runs = []
    for path in (first, second):
        with open(path, encoding="utf-8") as f:
            runs.append({t["name"]: t.get("status", "") for t in json.load(f).get("tests", [])})
    differ = sorted(n for n in set(runs[0]) | set(runs[1]) if runs[0].get(n) != runs[1].get(n))
    for name in differ:
        print("%s\t%s\t%s" % (name, runs[0].get(name, "missing"), runs[1].get(name, "missing")))
    print("%s %d" % ("differ" if differ else "same", len(differ) if differ else len(runs[0])))
    return 1 if differ else 0


def main(argv):
    if len(argv) == 3 and argv[1] in ("gate", "unit"):
        out = os.path.abspath(argv[2])
        return compare_gate(out) if argv[1] == "gate" else compare_unit(out)
    if len(argv) == 3 and argv[1] == "disagreeing-scripts":
        return disagreeing_scripts(os.path.abspath(argv[2]))
    if len(argv) == 4 and argv[1] == "record-status":
        return record_status(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "same-statuses":
        return same_statuses(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
