#!/usr/bin/env python3
"""A synthetic checkout laid out like Wyn 1.20's, for the benchmark's gate profile.

    gen_gate.py OUT_DIR [--size F | --quick]

writes OUT_DIR (without the compiler: the benchmark copies the stand-in to
OUT_DIR/wyn and writes the golden snapshots with it, `write_goldens`) and
prints what it holds as JSON. The whole merge gate's mix of tests, in the
counts of the real one (/work/shared/wyn-compiler-contract.md) times F:

- `tests/expect`, `tests/regression`: `// EXPECT:` programs (248 tests in
  all, a few modules beside them that are not tests), run by
  `tests/run_bdd.sh`;
- `tests/golden`: 30 golden-C snapshots (`NAME.c.golden`), by
  `tests/golden/run_golden_tests.sh`;
- `tests/stdlib`: 68 exit-code programs, one of them listed in
  `known_failures.txt` (and failing), one needing `Makefile` and `src/` in
  its working directory, by `tests/stdlib/run_stdlib_tests.sh`;
- `tests/errors/run_*_test.sh`: 40 script gates, and the gate's other
  script steps (`tests/gpu/run_gpu_test.sh` ... `tests/lsp/run_lsp_test.sh`,
  which skips itself, and `tests/fuzz/run_fuzz.sh 1 60`). Each writes small
  programs to a `mktemp -d` and runs `$WYN check`, `$WYN build` and the
  program, or `$WYN run`, printing one `  ok    what` / `  FAIL  what` line
  per sub-check and `NAME: N pass, M fail`, and exits 1 when one failed. Each
  does one C compile (a build or a run) per 3 s, and one check per 6 s, of
  its step's time in a run of Wyn 1.20's own gate (SCRIPT_SECONDS).

`Makefile`'s `test` target lists the steps in Wyn 1.20's order, as
`@WYN=./wyn bash SCRIPT ARGS` lines (the baselines run them).

One program in 20 of the EXPECT and stdlib suites (5 %) carries
`// standin: tagged`: a compiler with a new codegen tag changes exactly
those programs' generated C (`driver.set_codegen_tag`). The snapshots are
never tagged: a changed snapshot fails, and the gate should stay green.
Every program's text is unique.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

BENCH = os.path.dirname(os.path.abspath(__file__))

# The real gate's counts (contract file).
COUNTS = {"expect": 67, "regression": 181, "modules": 5, "golden": 30, "stdlib": 68}

# Seconds of each script step of Wyn 1.20's `make test`, in the Makefile's
# order, as bench/parity/gate-1.20.sh measured them on a 2-core machine.
SCRIPT_SECONDS = {
    "gpu/run_gpu_test.sh": 19.3, "bindgen/run_bindgen_test.sh": 0.1, "cpkg/run_cpkg_test.sh": 2.8,
    "cpkg/run_sqlite_test.sh": 1.8, "pkg/run_pkg_test.sh": 5.2, "pkg/run_audit_test.sh": 1.5,
    "lsp/run_lsp_test.sh": 0.9,
}
ERRORS_SECONDS = [
    ("removed_syntax", 32.1), ("fix", 1.7), ("lambda_param", 5.1), ("recursive_struct", 3.0),
    ("nested_aggregate", 8.5), ("generic_enum", 3.4), ("unknown_method", 1.6), ("bug_batch2", 3.3),
    ("user_test_runner", 8.6), ("module_codegen", 1.7), ("pub_visibility", 10.4), ("search", 0.1),
    ("scaffold", 3.5), ("bindgen", 2.1), ("parser_stability", 5.0), ("unterminated_string", 0.3),
    ("struct_eq", 0.2), ("cross_type_cmp", 0.2), ("race_and_io_soundness", 14.3), ("struct_field", 0.1),
    ("map_missing_key", 1.4), ("nesting_depth", 4.8), ("empty_radix_literal", 0.1),
    ("doctor_version", 1.6), ("select_deadlock", 3.0), ("channel_deadlock", 4.5),
    ("collection_type", 0.2), ("silent_wrong", 14.4), ("diagnostic_location", 2.1),
    ("checker_soundness", 0.6), ("await_all_type", 0.3), ("crucible_p0", 22.2), ("cli_dx", 3.7),
    ("orphan_child", 23.7), ("sqlite_link_order", 2.3), ("ui_coverage", 0.2), ("install_layout", 6.2),
    ("unsupported_field_type", 0.3), ("task_select_diagnostic", 4.1), ("http_server_load", 9.0),
]
FUZZ_SECONDS = 21.4
SECONDS_PER_COMPILE = 3.0
SECONDS_PER_CHECK = 6.0

# The quick variant: every kind of step, as few of each as will do.
QUICK = {"expect": 2, "regression": 1, "modules": 2, "golden": 1, "stdlib": 2, "errors": 2,
         "errors_compiles": 1, "tool_compiles": 0, "fuzz_checks": 3, "fuzz_compiles": 1}

TAG_EVERY = 20
TAG_AT = 1


def _expect_program(k, kind):
    body = {
        "plain": f'    println("program {k} says hello")\n    println("second line of {k}")\n',
        "stderr": f'    println("out {k}")\n    eprintln("err {k}")\n    println("out again {k}")\n',
        "helper": f'    greet()\n    println("done {k}")\n',
        "module": f'    println("program {k} imports")\n    shared.describe()\n',
        "stdlib": f'    println("program {k} with math")\n',
    }[kind]
    expect = {
        "plain": [f"program {k} says hello", f"second line of {k}"],
        "stderr": [f"out {k}", f"err {k}", f"out again {k}"],
        "helper": [f"greeting from {k}", f"done {k}"],
        "module": [f"program {k} imports", "shared describes"],
        "stdlib": [f"program {k} with math"],
    }[kind]
    head = {"module": "import shared\n\n", "stdlib": 'import math from "wyn:math"\n\n'}.get(kind, "")
    helper = f'fn greet() {{\n    println("greeting from {k}")\n}}\n\n' if kind == "helper" else ""
    lines = [f"// Expect: program {k} of the gate ({kind})"] + [f"// EXPECT: {e}" for e in expect]
    return "\n".join(lines) + "\n" + head + helper + "fn main() -> int {\n" + body + "    return 0\n}\n"


SHARED_MODULE = """\
// A module beside the programs: no fn main, no expectations, not a test.
fn describe() {
    println("shared describes")
}
"""

KINDS = ["plain", "plain", "helper", "plain", "stderr", "module", "plain", "stdlib", "plain", "helper"]


def _stdlib_program(k, kind):
    if kind == "root":
        # Like a real stdlib program that looks for Makefile and src/ where it runs.
        return (f"// Stdlib program {k}: runs from the repository root.\nfn main() -> int {{\n"
                f'    require_file("Makefile", 2)\n    require_dir("src", 3)\n'
                f'    println("stdlib {k} found the root")\n    return 0\n}}\n')
    if kind == "known":
        return (f"// Stdlib program {k}: fails, listed in known_failures.txt.\nfn main() -> int {{\n"
                f'    println("stdlib {k} assertion failed")\n    return 1\n}}\n')
    return (f"// Stdlib program {k}: exits 0 when its assertions hold.\nfn main() -> int {{\n"
            f'    println("stdlib {k} assertions hold")\n    return 0\n}}\n')


def is_tagged(k):
    return k % TAG_EVERY == TAG_AT


# What every script of the gate starts with, after its arguments are
# checked: $WYN made absolute, a scratch directory, the sub-check lines.
SCRIPT_PRELUDE = """\
WYN="${{WYN:-./wyn}}"
case "$WYN" in /*) ;; *) WYN="$(pwd)/$WYN" ;; esac
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
PASS=0; FAIL=0
ok(){{ echo "  ok    $1"; PASS=$((PASS+1)); }}
bad(){{ echo "  FAIL  $1"; FAIL=$((FAIL+1)); }}
"""

SCRIPT_HEAD = """\
#!/bin/bash
# {what}
# A script gate of the benchmark, in the style of Wyn 1.20's tests/errors:
# small programs in a mktemp -d, built, checked and run with $WYN, one line
# per sub-check. Run from the repository root: WYN=./wyn bash {path}
set -uo pipefail
""" + SCRIPT_PRELUDE

SCRIPT_TAIL = """
echo ""; echo "{name}: $PASS pass, $FAIL fail"; [ "$FAIL" -eq 0 ]
"""


def _script_ops(key, compiles, checks):
    """The sub-checks of one script: `compiles` C compiles (builds and runs
    alternating, which first depending on the name) and `checks` front-end
    checks (one of them a rejected program)."""
    out = []
    for i in range(compiles):
        text = f"{key} {i}"
        if (i + len(key)) % 2 == 0:
            out.append(
                f"printf 'fn main() -> int {{\\n    println(\"built {text}\")\\n    return 0\\n}}\\n' > \"$TMP/b{i}.wyn\"\n"
                f"out=$(\"$WYN\" build \"$TMP/b{i}.wyn\" -o \"$TMP/b{i}\" >/dev/null 2>&1 && "
                f"perl -e 'alarm(15); exec @ARGV' -- \"$TMP/b{i}\" 2>&1)\n"
                f"[ \"$out\" = \"built {text}\" ] && ok \"build {i} runs\" || bad \"build {i}: [$out]\"\n")
        else:
            out.append(
                f"printf 'fn main() -> int {{\\n    println(\"ran {text}\")\\n    return 0\\n}}\\n' > \"$TMP/r{i}.wyn\"\n"
                f"out=$(perl -e 'alarm(15); exec @ARGV' -- \"$WYN\" run \"$TMP/r{i}.wyn\" 2>/dev/null); rc=$?\n"
                f"[ $rc -eq 0 ] && [ \"$out\" = \"ran {text}\" ] && ok \"run {i}\" || bad \"run {i} (rc=$rc) [$out]\"\n")
    for i in range(checks):
        if i == 0:
            out.append(
                f"printf 'fn main() -> int {{\\n    missing_{i}()\\n    return 0\\n}}\\n' > \"$TMP/e{i}.wyn\"\n"
                f"out=$(\"$WYN\" check \"$TMP/e{i}.wyn\" 2>&1); rc=$?\n"
                f"[ $rc -eq 1 ] && grep -q \"Undefined function 'missing_{i}'\" <<< \"$out\" "
                f"&& ok \"check {i} rejects an undefined function\" || bad \"check {i} (rc=$rc) [$out]\"\n")
        else:
            out.append(
                f"printf 'fn main() -> int {{\\n    println(\"checked {key} {i}\")\\n    return 0\\n}}\\n' > \"$TMP/c{i}.wyn\"\n"
                f"out=$(\"$WYN\" check \"$TMP/c{i}.wyn\" 2>&1); rc=$?\n"
                f"[ $rc -eq 0 ] && ok \"check {i} passes\" || bad \"check {i} (rc=$rc) [$out]\"\n")
    return "\n".join(f"# {n + 1}.\n{op}" for n, op in enumerate(out))


def _costs(seconds):
    return round(seconds / SECONDS_PER_COMPILE), 1 + round(seconds / SECONDS_PER_CHECK)


LSP_SCRIPT = """\
#!/bin/bash
# The benchmark gate's language-server step: it needs a compiler with a
# language server, which the stand-in has not, so it says it skipped
# itself, as Wyn 1.20's does without python3. WYN=./wyn bash {path}
WYN="${{WYN:-./wyn}}"
if ! "$WYN" lsp --help > /dev/null 2>&1; then
  echo "lsp: SKIP (the compiler has no lsp command)"
  exit 0
fi
echo "  ok    wyn lsp --help answers"
"""

FUZZ_SCRIPT = """\
#!/bin/bash
# The benchmark gate's fuzz smoke step, run with arguments as Wyn 1.20's
# Makefile runs its own (`run_fuzz.sh SEED COUNT`): COUNT programs made from
# SEED; every {check_every}th checked with `$WYN check`, every {build_every}th built and run.
set -uo pipefail
[ $# -eq 2 ] || {{ echo "usage: run_fuzz.sh SEED COUNT" >&2; exit 2; }}
""" + SCRIPT_PRELUDE + """\
state=$1
for ((i = 1; i <= $2; i++)); do
  state=$(( (state * 1103515245 + 12345) % 2147483648 ))
  printf 'fn main() -> int {{\\n    println("fuzz %s %s")\\n    return 0\\n}}\\n' "$i" "$state" > "$TMP/f$i.wyn"
  what=""
  if [ $((i % {check_every})) -eq 0 ]; then
    out=$("$WYN" check "$TMP/f$i.wyn" 2>&1) || {{ bad "input $i checks [$out]"; continue; }}
    what="checks"
  fi
  if [ $((i % {build_every})) -eq 0 ]; then
    out=$("$WYN" build "$TMP/f$i.wyn" -o "$TMP/f$i" >/dev/null 2>&1 && "$TMP/f$i" 2>&1)
    [ "$out" = "fuzz $i $state" ] || {{ bad "input $i runs [$out]"; continue; }}
    what="${{what:+$what, }}runs"
  fi
  [ -z "$what" ] || ok "input $i $what"
done
echo ""; echo "fuzz: $PASS pass, $FAIL fail"; [ "$FAIL" -eq 0 ]
"""


def _write(path, text, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)


def generate(out_dir, size=1.0, quick=False, fuzz_args=("1", "60")):
    """Writes the checkout (no compiler, no snapshots yet); returns what it holds.
    `fuzz_args`: the fuzz step's arguments (seed, count), as the gate registers it."""
    counts = dict(QUICK) if quick else {k: max(1, round(v * size)) for k, v in COUNTS.items()}
    tests = os.path.join(out_dir, "tests")
    info = {"root": out_dir, "tests": 0, "skipped": 1, "xfail": 1, "tagged": [], "goldens": [],
            "script_compiles": 0, "script_checks": 0, "steps": [], "counts": counts}
    os.makedirs(os.path.join(out_dir, "src"), exist_ok=True)
    _write(os.path.join(out_dir, "src", "README"), "The stand-in's sources are elsewhere; the stdlib programs "
           "look for this directory.\n")
    k = 0
    # EXPECT suites.
    for suite in ("expect", "regression"):
        for i in range(counts[suite]):
            kind = KINDS[k % len(KINDS)]
            text = _expect_program(k, kind)
            name = f"{kind}_{k:03d}"
            if is_tagged(k):
                text = "// standin: tagged\n" + text
                info["tagged"].append(f"{suite}/{name}")
            _write(os.path.join(tests, suite, name + ".wyn"), text)
            k += 1
        info["tests"] += counts[suite]
        _write(os.path.join(tests, suite, "shared.wyn"), SHARED_MODULE)
    for i in range(max(0, counts["modules"] - 2)):  # more files that are not tests
        _write(os.path.join(tests, "regression", f"helper_module_{i}.wyn"),
               f"// A helper module {i}: not a test.\nfn helper_{i}() {{\n    println(\"helper {i}\")\n}}\n")
    # Golden snapshots: programs only here (write_goldens adds NAME.c.golden).
    for i in range(counts["golden"]):
        name = f"golden_{i:02d}"
        kind = ["plain", "helper", "stderr"][i % 3]
        _write(os.path.join(tests, "golden", name + ".wyn"),
               _expect_program(k, kind).replace("// Expect:", "// Golden:").replace("// EXPECT: ", "// prints: "))
        info["goldens"].append(name)
        k += 1
    info["tests"] += counts["golden"]
    # Stdlib: exit codes, one known failure, one needing the root.
    for i in range(counts["stdlib"]):
        kind = "known" if i == 0 else "root" if i == 1 else "plain"
        name = f"test_{kind}_{k:03d}"
        text = _stdlib_program(k, kind)
        if is_tagged(k) and kind == "plain":
            text = "// standin: tagged\n" + text
            info["tagged"].append(f"stdlib/{name}")
        _write(os.path.join(tests, "stdlib", name + ".wyn"), text)
        if kind == "known":
            _write(os.path.join(tests, "stdlib", "known_failures.txt"),
                   f"# Programs known to fail: <file name> <fail|hang|flaky>.\n{name}.wyn fail\n")
        k += 1
    info["tests"] += counts["stdlib"]
    # The reference-style runners.
    for src, dest in (("run_bdd.sh", "run_bdd.sh"), ("run_golden_tests.sh", "golden/run_golden_tests.sh"),
                      ("run_stdlib_tests.sh", "stdlib/run_stdlib_tests.sh")):
        dest = os.path.join(tests, dest)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        shutil.copy(os.path.join(BENCH, "gate", src), dest)
    steps = ["tests/run_bdd.sh", "tests/golden/run_golden_tests.sh"]
    # The single scripts (the README's gate registers each of them).
    for script, seconds in SCRIPT_SECONDS.items():
        path = "tests/" + script
        key = os.path.basename(script)[len("run_"):-len("_test.sh")]
        if key == "lsp":
            _write(os.path.join(out_dir, path), LSP_SCRIPT.format(path=path), 0o755)
        else:
            compiles, checks = _costs(seconds)
            if quick:
                compiles, checks = counts["tool_compiles"], 1
            _write(os.path.join(out_dir, path),
                   SCRIPT_HEAD.format(what=f"The gate's {key} step.", path=path) + "\n"
                   + _script_ops(key, compiles, checks) + SCRIPT_TAIL.format(name=key), 0o755)
            info["script_compiles"] += compiles
            info["script_checks"] += checks
        steps.append(path)
        info["tests"] += 1
    # tests/errors: every k-th of the 40, for the size asked.
    n_errors = counts["errors"] if quick else max(1, round(len(ERRORS_SECONDS) * size))
    chosen = [ERRORS_SECONDS[round(i * len(ERRORS_SECONDS) / n_errors)] for i in range(n_errors)]
    for key, seconds in chosen:
        compiles, checks = _costs(seconds)
        if quick:
            compiles, checks = counts["errors_compiles"], 2
        path = f"tests/errors/run_{key}_test.sh"
        _write(os.path.join(out_dir, path),
               SCRIPT_HEAD.format(what=f"The gate's {key.replace('_', ' ')} checks.", path=path) + "\n"
               + _script_ops(key, compiles, checks) + SCRIPT_TAIL.format(name=key.replace("_", "-")), 0o755)
        info["script_compiles"] += compiles
        info["script_checks"] += checks
        steps.append(path)
        info["tests"] += 1
    # The fuzz step with its arguments, then the stdlib suite, as in the Makefile.
    seed, count = fuzz_args
    compiles, checks = _costs(FUZZ_SECONDS)
    if quick:
        compiles, checks = counts["fuzz_compiles"], counts["fuzz_checks"]
    build_every = max(1, int(count) // max(1, compiles))
    check_every = max(1, int(count) // max(1, checks))
    _write(os.path.join(out_dir, "tests/fuzz/run_fuzz.sh"),
           FUZZ_SCRIPT.format(build_every=build_every, check_every=check_every), 0o755)
    info["script_compiles"] += int(count) // build_every
    info["script_checks"] += int(count) // check_every
    steps.append(f"tests/fuzz/run_fuzz.sh {seed} {count}")
    info["tests"] += 1
    steps.append("tests/stdlib/run_stdlib_tests.sh")
    info["steps"] = steps
    _write(os.path.join(out_dir, "Makefile"),
           "# The benchmark gate's Makefile: `make test` runs every step, one after the other.\n"
           ".PHONY: test\ntest:\n" + "".join(f"\t@WYN=./wyn bash {s}\n" for s in steps) + "\n")
    return info


def normalize_generated_c(text, name):
    """The golden runners' normalization: every run of characters that are neither
    `"` nor blank and that ends in NAME.wyn becomes NAME.wyn; CRs at line ends go."""
    text = re.sub(r'[^"\s]*' + re.escape(name + ".wyn"), name + ".wyn", text)
    return re.sub(r"\r$", "", text, flags=re.M)


def write_goldens(info, compiler, env):
    """NAME.c.golden for every snapshot program: the generated C of
    `compiler build NAME.wyn --debug`, normalized (the C compiler skipped:
    WYN_CC=true; the generated C does not depend on it)."""
    golden = os.path.join(info["root"], "tests", "golden")
    scratch = os.path.join(info["root"], ".goldens")
    os.makedirs(scratch, exist_ok=True)
    for name in info["goldens"]:
        shutil.copy(os.path.join(golden, name + ".wyn"), scratch)
        subprocess.run([compiler, "build", name + ".wyn", "--debug", "-o", name], cwd=scratch,
                       env=dict(env, WYN_CC="true"), check=True, stdout=subprocess.DEVNULL)
        with open(os.path.join(scratch, name + ".wyn.c")) as f:
            text = normalize_generated_c(f.read(), name)
        with open(os.path.join(golden, name + ".c.golden"), "w") as f:
            f.write(text)
    shutil.rmtree(scratch)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--size", type=float, default=1.0, help="fraction of the real gate's counts")
    parser.add_argument("--quick", action="store_true", help="the smallest gate with every kind of step")
    args = parser.parse_args()
    json.dump(generate(args.out_dir, args.size, args.quick), sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
