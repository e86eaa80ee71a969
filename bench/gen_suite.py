#!/usr/bin/env python3
"""Synthetic Wyn test suites for the benchmark.

    gen_suite.py OUT_DIR N [--period P]

writes OUT_DIR/bench/dNNN/*.wyn: N tests, 100 per directory, plus two
modules per directory (util_a imports util_b), and prints the expected
outcome counts as JSON. Every block of 100 consecutive tests holds the same
mix of kinds (see KINDS), so any N that is a multiple of 100 has exactly
these proportions: 95 % passing tests of several shapes (helpers,
imports in all three forms, the standard library, stderr, an exit code, an
expected compile error), 2 % slow (250 ms of CPU, 250 ms asleep), 3 %
failures (wrong output, unexpected compile error, a crash).

Each test's text is unique (it prints its own index), so a content-addressed
cache cannot share work between tests of one suite. One test in 40 (index 1,
41, 81, ...: 5 of 200, all passing) carries `// standin: tagged`: its
generated C includes the stand-in compiler's codegen tag, so a compiler with
another tag ("a rebuilt compiler") changes exactly those tests' output. With --period P the
content repeats every P tests instead (test i is written as test i % P):
the large suites of the scale rows are built through a memoising stub, and
only their first P tests cost a real compile.
"""

import argparse
import json
import os
import random
import sys

PER_DIR = 100
SUITE = "bench"

UTIL_A = """\
// Module shared by the tests of this directory (no fn main, no expectations).
import util_b

fn describe() {
    println("util_a describes")
    util_b.detail()
}
"""

UTIL_B = """\
// Module imported by util_a.
fn detail() {
    println("util_b detail")
}
"""


def _plain(k):
    return f"""\
// Synthetic test {k}: plain output.
// EXPECT: test {k} says hello
// EXPECT: second line of {k}
fn main() -> int {{
    println("test {k} says hello")
    println("second line of {k}")
    return 0
}}
"""


def _helper(k):
    return f"""\
// Synthetic test {k}: a helper function.
// NOTE: free-text comments are not directives.
// EXPECT: greeting from {k}
// EXPECT: done {k}
fn greet() {{
    println("greeting from {k}")
}}

fn main() -> int {{
    greet()
    println("done {k}")
    return 0
}}
"""


def _import(form):
    call = {"plain": "util_a.describe()", "alias": "u.describe()", "select": "describe()"}[form]
    line = {"plain": "import util_a", "alias": "import util_a as u",
            "select": "import { describe } from util_a"}[form]

    def make(k):
        return f"""\
// Synthetic test {k}: imports a module beside it ({form} form).
// EXPECT: test {k} imports
// EXPECT: util_a describes
// EXPECT: util_b detail
{line}

fn main() -> int {{
    println("test {k} imports")
    {call}
    return 0
}}
"""
    return make


def _stdlib(k):
    return f"""\
// Synthetic test {k}: imports the standard library.
// EXPECT: test {k} with math
import math from "wyn:math"

fn main() -> int {{
    println("test {k} with math")
    return 0
}}
"""


def _stderr(k):
    return f"""\
// Synthetic test {k}: stdout and stderr interleaved.
// EXPECT: out {k}
// EXPECT: err {k}
// EXPECT: out again {k}
fn main() -> int {{
    println("out {k}")
    eprintln("err {k}")
    println("out again {k}")
    return 0
}}
"""


def _exit(k):
    return f"""\
// Synthetic test {k}: an expected exit code.
// EXPECT_EXIT: 3
// EXPECT: test {k} exits 3
fn main() -> int {{
    println("test {k} exits 3")
    return 3
}}
"""


def _slow_cpu(k):
    return f"""\
// Synthetic test {k}: slow, 250 ms of CPU.
// EXPECT: test {k} computing
// EXPECT: test {k} computed
fn main() -> int {{
    println("test {k} computing")
    burn_ms(250)
    println("test {k} computed")
    return 0
}}
"""


def _slow_sleep(k):
    return f"""\
// Synthetic test {k}: slow, 250 ms asleep.
// EXPECT: test {k} waiting
// EXPECT: test {k} waited
fn main() -> int {{
    println("test {k} waiting")
    sleep_ms(250)
    println("test {k} waited")
    return 0
}}
"""


def _expect_error(k):
    return f"""\
// Synthetic test {k}: must not compile.
// EXPECT_ERROR: Undefined function 'missing_{k}'
fn main() -> int {{
    missing_{k}()
    return 0
}}
"""


def _fail_output(k):
    return f"""\
// Synthetic test {k}: FAILS, wrong output.
// EXPECT: test {k} expected this
fn main() -> int {{
    println("test {k} printed that")
    return 0
}}
"""


def _fail_compile(k):
    return f"""\
// Synthetic test {k}: FAILS, does not compile.
// EXPECT: test {k} never runs
fn main() -> int {{
    println("test {k} never runs")
    undefined_{k}()
    return 0
}}
"""


def _fail_crash(k):
    return f"""\
// Synthetic test {k}: FAILS, crashes.
// EXPECT: test {k} before the crash
fn main() -> int {{
    println("test {k} before the crash")
    crash()
    return 0
}}
"""


# (kind, how many of every 100 tests, template, passes)
KINDS = [
    ("plain", 67, _plain, True),
    ("helper", 8, _helper, True),
    ("import", 4, _import("plain"), True),
    ("import_as", 4, _import("alias"), True),
    ("import_sel", 4, _import("select"), True),
    ("stdlib", 4, _stdlib, True),
    ("stderr", 2, _stderr, True),
    ("exit", 1, _exit, True),
    ("expect_error", 1, _expect_error, True),
    ("slow_cpu", 1, _slow_cpu, True),
    ("slow_sleep", 1, _slow_sleep, True),
    ("fail_output", 1, _fail_output, False),
    ("fail_compile", 1, _fail_compile, False),
    ("fail_crash", 1, _fail_crash, False),
]
assert sum(k[1] for k in KINDS) == PER_DIR


def _spread():
    """Kind of each of 100 slots. The rare kinds come every 7 slots from slot 3, the
    failures and slow tests first, so that even a 20-test suite has one of each;
    the common kinds fill the rest in a fixed shuffled order."""
    by_name = {k[0]: k for k in KINDS}
    rare = ["fail_output", "slow_cpu", "expect_error", "fail_crash", "slow_sleep", "exit",
            "fail_compile"]
    assert sorted(rare) == sorted(k[0] for k in KINDS if k[1] == 1)
    slots = [None] * PER_DIR
    for i, name in enumerate(rare):
        slots[3 + 7 * i] = by_name[name]
    common = [k for k in KINDS if k[1] > 1 for _ in range(k[1])]
    random.Random(100).shuffle(common)
    it = iter(common)
    return [s if s is not None else next(it) for s in slots]


SLOTS = _spread()


def test_path(suite_dir, i, period=None):
    kind = SLOTS[(i % period if period else i) % PER_DIR][0]
    return os.path.join(suite_dir, f"d{i // PER_DIR:03d}", f"t{i:05d}_{kind}.wyn")


TAGGED_EVERY = 40
TAGGED_AT = 1  # a common, passing kind (the rare kinds are at slots 3 + 7j)


def is_tagged(k):
    return k % TAGGED_EVERY == TAGGED_AT


def edited_text(tag):
    """The body of a plain test after an edit: unique per tag, still passing."""
    return _plain(f"edited-{tag}")


def generate(out_dir, n, period=None):
    """Writes the suite; returns {suite_dir, tests, passed, failed, tagged, modules, kinds}."""
    suite_dir = os.path.join(out_dir, SUITE)
    counts = {"passed": 0, "failed": 0, "tagged": 0}
    kinds = {}
    for d in range((n + PER_DIR - 1) // PER_DIR):
        directory = os.path.join(suite_dir, f"d{d:03d}")
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "util_a.wyn"), "w") as f:
            f.write(UTIL_A)
        with open(os.path.join(directory, "util_b.wyn"), "w") as f:
            f.write(UTIL_B)
    for i in range(n):
        k = i % period if period else i
        kind, _, template, passes = SLOTS[k % PER_DIR]
        text = template(k)
        if is_tagged(k):
            assert passes
            text = "// standin: tagged\n" + text
            counts["tagged"] += 1
        with open(test_path(suite_dir, i, period), "w") as f:
            f.write(text)
        counts["passed" if passes else "failed"] += 1
        kinds[kind] = kinds.get(kind, 0) + 1
    return {"suite_dir": suite_dir, "tests": n, **counts,
            "modules": 2 * ((n + PER_DIR - 1) // PER_DIR), "kinds": kinds}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("n", type=int)
    parser.add_argument("--period", type=int, default=None)
    args = parser.parse_args()
    json.dump(generate(args.out_dir, args.n, args.period), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
