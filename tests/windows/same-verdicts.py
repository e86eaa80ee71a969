#!/usr/bin/env python3
"""Checks that the bundled suite judged on Windows judges as on Linux.

    same-verdicts.py LINUX_SUMMARY WINDOWS_SUMMARY [--not-on-windows SUITE...]

Both arguments are a wyn-report summary.json: the Linux run of the bundled
example suite (preset default) and the Windows one (preset windows: the
tools and the stand-in compiler cross-built, run under Wine). Every test of
the Linux run must be in the Windows run with the same status, except in
the suites named after --not-on-windows (the script gates, which need a bash
for Windows), and the Windows run must have no test of its own. Prints one
line per test and exits 1 on any difference.
"""
import json
import sys


def statuses(path):
    with open(path, encoding="utf-8") as f:
        summary = json.load(f)
    return {t["name"]: (t["suite"], t["status"]) for t in summary["tests"]}


def main(argv):
    if len(argv) < 3 or (len(argv) > 3 and argv[3] != "--not-on-windows"):
        sys.stderr.write(__doc__)
        return 2
    linux = statuses(argv[1])
    windows = statuses(argv[2])
    absent = set(argv[4:])
    differences = 0
    for name in sorted(set(linux) | set(windows)):
        suite, linux_status = linux.get(name, (None, None))
        _, windows_status = windows.get(name, (None, None))
        if linux_status is None:
            verdict = "only on Windows"
        elif windows_status is None:
            verdict = "not on Windows (expected)" if suite in absent else "missing on Windows"
        elif windows_status == linux_status:
            verdict = "same"
        else:
            verdict = "differs"
        if verdict not in ("same", "not on Windows (expected)"):
            differences += 1
        print(f"{name:40} linux {linux_status or '-':10} windows {windows_status or '-':10} {verdict}")
    compared = len(set(linux) & set(windows))
    print(f"{compared} tests judged on both, {differences} difference(s)")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
