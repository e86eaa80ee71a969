#!/bin/bash
# Parity check of wyn-ctest against Wyn 1.20's own test gate (`make test`).
#
# Runs every step of the checkout's Makefile `test` target the way make does
# (one at a time, `WYN=./wyn bash SCRIPT ARGS` from the repository root, each
# on a fresh copy of the checkout), then the same suites through a wyn-ctest
# gate project (README.md, "Replacing a project's test gate"), and compares
# the two verdict by verdict (compare.py). See bench/parity/README.md.
#
#   bench/parity/gate-1.20.sh --checkout /path/to/wyn-1.20 OUT
#
# Exit status: 0 when every verdict agrees, 1 when some disagree, 2 when
# the check itself could not run.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
wyn_ctest="$(cd "$here/../.." && pwd)"
checkout=""
out=""
work=""
side="both"
reference_from=""
tools=""
jobs=2
script_form="glob"
keep=0
recheck=3
compiler_change=0

usage() {
    cat <<'EOF'
usage: gate-1.20.sh --checkout DIR [options] OUT

  --checkout DIR        built Wyn 1.20 checkout (./wyn, runtime/libwyn_rt.a);
                        only ever copied, never written to
  --wyn-ctest DIR       wyn-ctest checkout to check (default: the one holding
                        this script)
  --work DIR            scratch directory (default: OUT/work)
  --side S              both (default), reference or wyn-ctest: run only one
                        side; the comparison then uses what OUT already holds;
                        none: run neither, compare (and recheck) again
  --reference-from DIR  reuse the reference verdicts of an earlier OUT
                        instead of running the reference side again
  --tools DIR           prebuilt wyn-ctest tools (WYN_TOOLS_DIR)
  --jobs N              ctest -j (default 2)
  --script-form F       glob (default): one wyn_add_script_tests(GLOB ...)
                        per script, without its Makefile arguments; single:
                        wyn_add_script_tests(SCRIPT file ARGS ...)
  --recheck N           run each script step whose verdicts disagree N more
                        times on both sides (default 3; 0: never), to tell a
                        flaky script from a steady difference
  --keep                keep the reference side's copies of the checkout
  --compiler-change     after the wyn-ctest side's run, append one byte to
                        the gate tree's ./wyn (new content, same behaviour:
                        what every compiler edit does to the build's inputs)
                        and time `cmake --build` + `ctest` again; the
                        verdicts of both runs must be the same
EOF
}

while [ $# -gt 0 ]; do
    case "$1" in
        --checkout) checkout="$2"; shift 2 ;;
        --wyn-ctest) wyn_ctest="$2"; shift 2 ;;
        --work) work="$2"; shift 2 ;;
        --side) side="$2"; shift 2 ;;
        --reference-from) reference_from="$2"; shift 2 ;;
        --tools) tools="$2"; shift 2 ;;
        --jobs) jobs="$2"; shift 2 ;;
        --script-form) script_form="$2"; shift 2 ;;
        --recheck) recheck="$2"; shift 2 ;;
        --keep) keep=1; shift ;;
        --compiler-change) compiler_change=1; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "gate-1.20.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) [ -z "$out" ] || { usage >&2; exit 2; }; out="$1"; shift ;;
    esac
done
if [ -z "$checkout" ] || [ -z "$out" ]; then
    usage >&2
    exit 2
fi
case "$side" in both|reference|wyn-ctest|none) ;; *) echo "gate-1.20.sh: --side both|reference|wyn-ctest|none" >&2; exit 2 ;; esac
case "$script_form" in glob|single) ;; *) echo "gate-1.20.sh: --script-form glob|single" >&2; exit 2 ;; esac
checkout="$(cd "$checkout" && pwd)" || exit 2
wyn_ctest="$(cd "$wyn_ctest" && pwd)" || exit 2
[ -x "$checkout/wyn" ] || { echo "gate-1.20.sh: $checkout/wyn is not built" >&2; exit 2; }
[ -f "$wyn_ctest/cmake/WynTests.cmake" ] || { echo "gate-1.20.sh: $wyn_ctest is not a wyn-ctest checkout" >&2; exit 2; }
mkdir -p "$out" || exit 2
out="$(cd "$out" && pwd)"
[ -n "$work" ] || work="$out/work"
mkdir -p "$work" || exit 2
work="$(cd "$work" && pwd)"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[gate-1.20 %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# The script steps of the Makefile's `test` target, in order: one line
# "SCRIPT ARGS..." each, from its `@WYN=./wyn bash SCRIPT ARGS` recipe lines.
makefile_steps() {
    sed -n '/^test:/,/^$/p' "$checkout/Makefile" |
        sed -n 's/^\t@\{0,1\}WYN=\.\/wyn bash \(.*\)$/\1/p'
}

# wyn-ctest suite name of a script that is not one of tests/errors:
# tests/cpkg/run_sqlite_test.sh -> sqlite, tests/fuzz/run_fuzz.sh -> fuzz.
script_key() {
    local name
    name="$(basename "$1" .sh)"
    name="${name#run_}"
    name="${name%_tests}"
    name="${name%_test}"
    echo "$name"
}

write_meta() {
    {
        echo "checkout	$checkout"
        echo "wyn_ctest	$wyn_ctest"
        echo "wyn_ctest_commit	$(git -C "$wyn_ctest" rev-parse HEAD 2>/dev/null || echo unknown)"
        echo "wyn_ctest_dirty	$(git -C "$wyn_ctest" status --porcelain 2>/dev/null | wc -l | tr -d ' ')"
        echo "script_form	$script_form"
        echo "host	$(hostname)"
        echo "nproc	$(nproc)"
        echo "date	$(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "wyn_version	$("$checkout/wyn" --version 2>&1 | sed 's/\x1b\[[0-9;]*m//g' | head -1)"
    } > "$out/meta.tsv"
}

# --- reference side --------------------------------------------------------
run_reference() {
    local ref="$out/reference"
    rm -rf "$ref"
    mkdir -p "$ref/logs"
    makefile_steps > "$ref/steps.txt"
    local count
    count=$(wc -l < "$ref/steps.txt")
    if [ "$count" -eq 0 ]; then
        echo "gate-1.20.sh: no '@WYN=./wyn bash' steps in the test target of $checkout/Makefile" >&2
        return 2
    fi
    # Which files the EXPECT suites hold, for the files run_bdd.sh does not
    # print (those without an EXPECT line are not tests).
    (cd "$checkout" && ls tests/expect/*.wyn tests/regression/*.wyn) > "$ref/bdd-files.txt"
    printf 'index\tscript\targs\trc\tseconds\tlog\n' > "$ref/steps.tsv"
    log "reference: $count steps of the Makefile's test target, one at a time"
    local index=0 line script args logname
    while IFS= read -r line; do
        index=$((index + 1))
        script="${line%% *}"
        args=""
        [ "$script" = "$line" ] || args="${line#* }"
        logname="$(printf '%02d' "$index")-$(echo "$script" | tr '/' '_').log"
        reference_step "$script" "$args" "$ref/logs/$logname" || return 2
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$index" "$script" "$args" "$step_rc" "$step_seconds" \
            "logs/$logname" >> "$ref/steps.tsv"
        log "reference: [$index/$count] $script $args -> rc $step_rc ($step_seconds s)"
    done < "$ref/steps.txt"
    [ "$keep" -eq 1 ] || rm -rf "$work/reference-tree"
    return 0
}

# Runs one Makefile step as make does: from the root of a fresh copy of the
# checkout, WYN=./wyn, stdin not a terminal. Sets step_rc and step_seconds.
# The outer timeout only guards this check against a step that never ends
# (make has none); it makes the exit code 124.
reference_step() {
    local script="$1" args="$2" logfile="$3" copy="$work/reference-tree" t0 t1
    rm -rf "$copy"
    cp -a "$checkout" "$copy" || return 2
    t0=$(now)
    # The arguments are split on blanks, as make's shell splits them.
    # shellcheck disable=SC2086
    (cd "$copy" && WYN=./wyn timeout -k 10 1800 bash $script $args) > "$logfile" 2>&1 < /dev/null
    step_rc=$?
    t1=$(now)
    step_seconds="$(elapsed "$t0" "$t1")"
    return 0
}

# --- wyn-ctest side --------------------------------------------------------
# One registration line per script step that is not a tests/errors script.
# With --script-form single each step keeps its Makefile arguments.
script_registration() {
    local script="$1" args="$2" key
    key="$(script_key "$script")"
    if [ "$script_form" = "single" ]; then
        printf 'wyn_add_script_tests(SCRIPT %s%s NAME %s\n                     WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})\n' \
            "$script" "${args:+ ARGS $args}" "$key"
    else
        [ -z "$args" ] || printf '# Makefile arguments not passed (GLOB form): %s\n' "$args"
        printf 'wyn_add_script_tests(GLOB %s NAME %s\n                     WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})\n' \
            "$script" "$key"
    fi
}

# The gate project is the README's own example ("Replacing a project's test
# gate"), taken from README.md so that what is checked is what users copy,
# with the module path of the wyn-ctest under test. Script steps of the
# Makefile that the example does not name are added after it.
readme_gate() {
    awk '/^## Replacing a project.s test gate/ { section = 1; next }
         section && /^## / { exit }
         section && /^```cmake$/ { block = 1; next }
         block && /^```$/ { exit }
         block { print }' "$wyn_ctest/README.md"
}

write_gate_project() {
    local tree="$1" gate
    gate="$(readme_gate)"
    if [ -z "$gate" ]; then
        echo "gate-1.20.sh: no cmake block under \"Replacing a project's test gate\" in $wyn_ctest/README.md" >&2
        return 2
    fi
    {
        printf '%s\n' "${gate//\/path\/to\/wyn-ctest/$wyn_ctest}"
        echo "# The other script steps of the Makefile's test target."
        local line script args
        while IFS= read -r line; do
            script="${line%% *}"
            args=""
            [ "$script" = "$line" ] || args="${line#* }"
            case "$script" in
                tests/run_bdd.sh|tests/golden/*|tests/stdlib/*|tests/errors/run_*_test.sh) continue ;;
            esac
            # Already registered by the example.
            grep -qF -- "$script" <<<"$gate" && continue
            script_registration "$script" "$args"
        done < <(makefile_steps)
    } > "$tree/CMakeLists.txt"
}

# side_step NAME LOG COMMAND...: runs a step of the wyn-ctest side, its
# output into LOG, and appends its row to steps.tsv ($side_out of the
# caller); sets step_rc and took (seconds). A failed configure or build
# (any step but ctest, whose failures are verdicts) returns 1.
side_step() {
    local name="$1" logfile="$2" t0 t1
    shift 2
    t0=$(now); "$@" > "$logfile" 2>&1 < /dev/null; step_rc=$?; t1=$(now)
    took="$(elapsed "$t0" "$t1")"
    printf '%s\t%s\t%s\n' "$name" "$step_rc" "$took" >> "$side_out/steps.tsv"
    case "$name" in ctest*) return 0 ;; esac
    [ "$step_rc" -eq 0 ] || { echo "gate-1.20.sh: $name failed, see $logfile" >&2; return 1; }
}

run_wyn_ctest() {
    local side_out="$out/wyn-ctest"
    local tree="$work/gate-tree" build="$work/gate-build"
    rm -rf "$side_out" "$tree" "$build"
    mkdir -p "$side_out/results"
    cp -a "$checkout" "$tree" || return 2
    if [ -e "$tree/CMakeLists.txt" ]; then
        echo "gate-1.20.sh: $checkout has a CMakeLists.txt of its own" >&2
        return 2
    fi
    write_gate_project "$tree" || return 2
    cp "$tree/CMakeLists.txt" "$side_out/CMakeLists.txt"
    local configure=(cmake -S "$tree" -B "$build" -G Ninja -DWYN_COMPILE_TIMEOUT=90
                     "-DWYN_COMPILE_CACHE_DIR=$work/cache")
    [ -z "$tools" ] || configure+=("-DWYN_TOOLS_DIR=$tools")
    rm -rf "$work/cache"
    printf 'step\trc\tseconds\n' > "$side_out/steps.tsv"
    if [ -n "$tools" ]; then log "wyn-ctest: configure (tools: $tools)"; else log "wyn-ctest: configure (builds the tools first)"; fi
    side_step configure "$side_out/configure.log" "${configure[@]}" || return 2
    log "wyn-ctest: build ($took s to configure)"
    side_step build "$side_out/build.log" cmake --build "$build" || return 2
    log "wyn-ctest: ctest -j$jobs ($took s to build)"
    side_step ctest "$side_out/ctest.log" ctest --test-dir "$build" -j"$jobs"
    log "wyn-ctest: ctest rc $step_rc ($took s)"
    cp "$build/wyn-report/summary.json" "$side_out/summary.json" 2>/dev/null ||
        { echo "gate-1.20.sh: no $build/wyn-report/summary.json" >&2; return 2; }
    # Every test's own record, and the configure-time lists beside them.
    (cd "$build/wyn" && find . -name result.json -o -name compile.json -o -name known-failures.json) |
        while IFS= read -r rel; do
            mkdir -p "$side_out/results/$(dirname "$rel")"
            cp "$build/wyn/$rel" "$side_out/results/$rel"
        done
    [ "$compiler_change" -eq 0 ] || run_after_compiler_change "$tree" "$build" "$side_out" || return 2
    return 0
}

# The compiler developer's loop: the compiler's file changes, its behaviour
# does not (a byte appended to an executable is never read). Every compile
# step must run again; the caches decide how much real work that is.
run_after_compiler_change() {
    local tree="$1" build="$2" side_out="$3"
    printf '\n' >> "$tree/wyn" || return 2
    log "wyn-ctest: one byte appended to $tree/wyn; build again"
    side_step build_after_compiler_change "$side_out/build-after-change.log" cmake --build "$build" ||
        return 2
    log "wyn-ctest: ctest -j$jobs after the change ($took s to build)"
    side_step ctest_after_compiler_change "$side_out/ctest-after-change.log" \
        ctest --test-dir "$build" -j"$jobs"
    log "wyn-ctest: ctest rc $step_rc after the change ($took s)"
    cp "$build/wyn-report/summary.json" "$side_out/summary-after-change.json" || return 2
    python3 "$here/compare.py" same-statuses "$side_out/summary.json" \
        "$side_out/summary-after-change.json" > "$side_out/after-change-statuses.txt"
    log "wyn-ctest: verdicts after the change: $(tail -1 "$side_out/after-change-statuses.txt")"
    return 0
}

[ "$side" = "none" ] || write_meta
# Repeats of an earlier run belong to the verdicts it compared.
rm -rf "$out/rechecks"
if [ "$side" = "both" ] || [ "$side" = "reference" ]; then
    if [ -n "$reference_from" ]; then
        [ -f "$reference_from/reference/steps.tsv" ] ||
            { echo "gate-1.20.sh: no reference/steps.tsv in $reference_from" >&2; exit 2; }
        if [ "$(cd "$reference_from" && pwd)" != "$out" ]; then
            rm -rf "$out/reference"
            cp -a "$reference_from/reference" "$out/reference"
        fi
        log "reference: reused from $reference_from"
    else
        run_reference || exit 2
    fi
fi
if [ "$side" = "both" ] || [ "$side" = "wyn-ctest" ]; then
    run_wyn_ctest || exit 2
fi
[ -f "$out/reference/steps.tsv" ] && [ -f "$out/wyn-ctest/summary.json" ] || {
    log "one side only: nothing to compare yet"
    exit 0
}
python3 "$here/compare.py" gate "$out"
status=$?
[ "$status" -eq 1 ] && [ "$recheck" -gt 0 ] || exit "$status"

# Some verdicts differ. A script step is cheap to run again: run each
# disagreeing one N more times on both sides, and compare again with what
# the repeats say beside each disagreement. The verdicts compared stay
# those of the first run.
rechecks="$(python3 "$here/compare.py" disagreeing-scripts "$out")"
[ -n "$rechecks" ] || exit 1
[ -d "$work/gate-build" ] || { log "no wyn-ctest build directory to recheck in"; exit 1; }
mkdir -p "$out/rechecks/logs"
printf 'test\tattempt\trc\tseconds\tlog\n' > "$out/rechecks/reference.tsv"
printf 'test\tattempt\tstatus\treason\tseconds\n' > "$out/rechecks/wyn-ctest.tsv"
while IFS=$'\t' read -r test script args; do
    for attempt in $(seq 1 "$recheck"); do
        logname="$(echo "$test" | tr '/' '_')-$attempt"
        reference_step "$script" "$args" "$out/rechecks/logs/$logname.reference.log" || exit 2
        printf '%s\t%s\t%s\t%s\t%s\n' "$test" "$attempt" "$step_rc" "$step_seconds" \
            "logs/$logname.reference.log" >> "$out/rechecks/reference.tsv"
        regex="^$(printf '%s' "$test" | sed 's/[][\.*^$+?(){}|]/\\&/g')\$"
        t0=$(now)
        ctest --test-dir "$work/gate-build" -R "$regex" > "$out/rechecks/logs/$logname.ctest.log" 2>&1 < /dev/null
        t1=$(now)
        printf '%s\t%s\t%s\t%s\n' "$test" "$attempt" \
            "$(python3 "$here/compare.py" record-status "$work/gate-build" "$test")" \
            "$(elapsed "$t0" "$t1")" >> "$out/rechecks/wyn-ctest.tsv"
        log "recheck: $test [$attempt/$recheck]: reference rc $step_rc, wyn-ctest $(tail -1 "$out/rechecks/wyn-ctest.tsv" | cut -f3)"
    done
done <<< "$rechecks"
[ "$keep" -eq 1 ] || rm -rf "$work/reference-tree"
python3 "$here/compare.py" gate "$out"
