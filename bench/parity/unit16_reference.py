#!/usr/bin/env python3
"""The reference verdicts of Wyn 1.6's tests/unit, one JSON line per file.

The suite's own runner (parallel_unit_tests.sh) counted a file as passed when
`./wyn FILE` succeeded and FILE.out existed; it never ran the program. The
verdict here adds the run: a file passes when it compiles, FILE.out exists,
and FILE.out, run from the checkout's root, ends by a normal exit (any exit
code: the suite's programs return values as their exit code), not by a signal
and not by running past the timeout.

The compiler writes NAME.ll, NAME.o and NAME.out beside each source, so TREE
must be a copy of the checkout, never the checkout itself.

usage: unit16_reference.py TREE [--jobs N] [--timeout S] [--compile-timeout S]
"""

import argparse
import concurrent.futures
import json
import os
import signal
import subprocess
import sys
import time


def run_bounded(command, cwd, env, timeout):
    """Runs command in its own process group, killed whole after timeout."""
    start = time.monotonic()
    proc = subprocess.Popen(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    timed_out = False
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        output, _ = proc.communicate()
    # Whatever the program left running in its group goes too.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    return {
        "returncode": proc.returncode,
        "timed_out": timed_out,
        "seconds": round(time.monotonic() - start, 3),
        "output": output.decode("utf-8", "replace"),
    }


def judge(tree, rel, env, timeout, compile_timeout):
    record = {"file": rel}
    stem = rel[:-len(".wyn")]
    out = os.path.join(tree, stem + ".out")
    compiled = run_bounded(["./wyn", rel], tree, env, compile_timeout)
    record["compile_rc"] = compiled["returncode"]
    record["compile_timed_out"] = compiled["timed_out"]
    record["compile_seconds"] = compiled["seconds"]
    record["out_exists"] = os.path.isfile(out)
    if compiled["returncode"] != 0 or not record["out_exists"]:
        record["verdict"] = "fail"
        lines = [line for line in compiled["output"].splitlines() if line.strip()]
        record["detail"] = "compile rc %s%s: %s" % (
            compiled["returncode"], "" if record["out_exists"] else ", no .out",
            " | ".join(lines[-3:])[:300])
        return record
    ran = run_bounded([out], tree, env, timeout)
    record["run_seconds"] = ran["seconds"]
    record["run_timed_out"] = ran["timed_out"]
    if ran["timed_out"]:
        record["verdict"] = "fail"
        record["detail"] = "run timed out after %ss" % timeout
    elif ran["returncode"] < 0:
        name = signal.Signals(-ran["returncode"]).name
        record["run_signal"] = name
        record["verdict"] = "fail"
        record["detail"] = "run killed by %s" % name
    else:
        record["run_exit_code"] = ran["returncode"]
        record["verdict"] = "pass"
        record["detail"] = "exit %d" % ran["returncode"]
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--compile-timeout", type=float, default=600)
    args = parser.parse_args()
    tree = os.path.abspath(args.tree)
    env = dict(os.environ, WYN_ROOT=tree)
    files = []
    for base, dirs, names in os.walk(os.path.join(tree, "tests", "unit")):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".wyn"):
                files.append(os.path.relpath(os.path.join(base, name), tree))
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(judge, tree, rel, env, args.timeout, args.compile_timeout)
                   for rel in files]
        for future in futures:
            print(json.dumps(future.result(), sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
