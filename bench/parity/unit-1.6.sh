#!/bin/bash
# Parity check of wyn-ctest against the reference verdicts of Wyn 1.6's unit
# suite (tests/unit): per file, compiled and ran to a normal exit (any exit
# code), no signal, no timeout. The reference side compiles every file in a
# copy of the checkout (unit16_reference.py); the wyn-ctest side is the legacy
# configuration of README.md, "Using it on a real Wyn checkout". compare.py
# compares the two. See bench/parity/README.md.
#
#   bench/parity/unit-1.6.sh --checkout /path/to/wyn-1.6 OUT
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
timeout=30

usage() {
    cat <<'EOF'
usage: unit-1.6.sh --checkout DIR [options] OUT

  --checkout DIR        built Wyn 1.6 checkout (./wyn, src/); only ever
                        copied, never written to
  --wyn-ctest DIR       wyn-ctest checkout to check (default: the one holding
                        this script)
  --work DIR            scratch directory (default: OUT/work)
  --side S              both (default), reference or wyn-ctest
  --reference-from DIR  reuse the reference verdicts of an earlier OUT
  --tools DIR           prebuilt wyn-ctest tools (WYN_TOOLS_DIR)
  --jobs N              parallel compiles of the reference side, ctest -j
                        (default 2)
  --timeout S           seconds a test program may run, both sides (30)
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
        --timeout) timeout="$2"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "unit-1.6.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) [ -z "$out" ] || { usage >&2; exit 2; }; out="$1"; shift ;;
    esac
done
if [ -z "$checkout" ] || [ -z "$out" ]; then
    usage >&2
    exit 2
fi
case "$side" in both|reference|wyn-ctest) ;; *) echo "unit-1.6.sh: --side both|reference|wyn-ctest" >&2; exit 2 ;; esac
checkout="$(cd "$checkout" && pwd)" || exit 2
wyn_ctest="$(cd "$wyn_ctest" && pwd)" || exit 2
[ -x "$checkout/wyn" ] || { echo "unit-1.6.sh: $checkout/wyn is not built" >&2; exit 2; }
[ -d "$checkout/tests/unit" ] || { echo "unit-1.6.sh: no $checkout/tests/unit" >&2; exit 2; }
mkdir -p "$out" || exit 2
out="$(cd "$out" && pwd)"
[ -n "$work" ] || work="$out/work"
mkdir -p "$work" || exit 2
work="$(cd "$work" && pwd)"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
log() { printf '[unit-1.6 %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Debian's clang links position-independent executables by default, and the
# Wyn 1.6 runtime then fails to link programs with strings. Both sides use a
# `clang` first on PATH that adds -no-pie to link commands only.
real_clang="$(command -v clang)" || { echo "unit-1.6.sh: no clang on PATH" >&2; exit 2; }
case "$real_clang" in "$out/bin/clang") real_clang="$(PATH="${PATH#"$out/bin:"}" command -v clang)" ;; esac
mkdir -p "$out/bin"
cat > "$out/bin/clang" <<EOF
#!/bin/sh
# -no-pie for link commands; compile-only commands (-c, -S, -E) unchanged.
for arg in "\$@"; do
    case "\$arg" in -c|-S|-E) exec "$real_clang" "\$@" ;; esac
done
exec "$real_clang" -no-pie "\$@"
EOF
chmod +x "$out/bin/clang"
export PATH="$out/bin:$PATH"

{
    echo "checkout	$checkout"
    echo "wyn_ctest	$wyn_ctest"
    echo "wyn_ctest_commit	$(git -C "$wyn_ctest" rev-parse HEAD 2>/dev/null || echo unknown)"
    echo "wyn_ctest_dirty	$(git -C "$wyn_ctest" status --porcelain 2>/dev/null | wc -l | tr -d ' ')"
    echo "host	$(hostname)"
    echo "nproc	$(nproc)"
    echo "date	$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "clang	$real_clang (through $out/bin/clang)"
    echo "timeout	$timeout"
    echo "wyn_version	$(WYN_ROOT="$checkout" "$checkout/wyn" --version 2>&1 | head -1)"
} > "$out/meta.tsv"

run_reference() {
    local ref="$out/reference" tree="$work/reference-tree" t0 t1 rc
    rm -rf "$ref" "$tree"
    mkdir -p "$ref"
    cp -a "$checkout" "$tree" || return 2
    log "reference: compile and run every file of tests/unit, $jobs at a time"
    t0=$(now)
    python3 "$here/unit16_reference.py" "$tree" --jobs "$jobs" --timeout "$timeout" \
        > "$ref/results.jsonl" 2> "$ref/stderr.log"
    rc=$?
    t1=$(now)
    printf 'step\trc\tseconds\nreference\t%s\t%s\n' "$rc" "$(elapsed "$t0" "$t1")" > "$ref/steps.tsv"
    log "reference: rc $rc, $(wc -l < "$ref/results.jsonl") files ($(elapsed "$t0" "$t1") s)"
    rm -rf "$tree"
    [ "$rc" -eq 0 ] || { echo "unit-1.6.sh: the reference run failed, see $ref/stderr.log" >&2; return 2; }
}

run_wyn_ctest() {
    local side_out="$out/wyn-ctest" tree="$work/ctest-tree" build="$work/unit-build" t0 t1 rc
    rm -rf "$side_out" "$tree" "$build" "$work/cache"
    mkdir -p "$side_out/results"
    cp -a "$checkout" "$tree" || return 2
    local configure=(cmake -S "$wyn_ctest" -B "$build" -G Ninja
                     "-DWYN_COMPILER=$tree/wyn" "-DWYN_ROOT=$tree"
                     "-DWYN_TEST_DIRS=$tree/tests/unit"
                     -DWYN_EXIT_CODE=any -DWYN_NO_EXPECT=run
                     "-DWYN_TEST_TIMEOUT=$timeout"
                     "-DWYN_COMPILE_CACHE_DIR=$work/cache")
    [ -z "$tools" ] || configure+=("-DWYN_TOOLS_DIR=$tools")
    printf 'step\trc\tseconds\n' > "$side_out/steps.tsv"
    if [ -n "$tools" ]; then log "wyn-ctest: configure (tools: $tools)"; else log "wyn-ctest: configure (builds the tools first)"; fi
    t0=$(now); "${configure[@]}" > "$side_out/configure.log" 2>&1; rc=$?; t1=$(now)
    printf 'configure\t%s\t%s\n' "$rc" "$(elapsed "$t0" "$t1")" >> "$side_out/steps.tsv"
    [ "$rc" -eq 0 ] || { echo "unit-1.6.sh: configure failed, see $side_out/configure.log" >&2; return 2; }
    log "wyn-ctest: build ($(elapsed "$t0" "$t1") s to configure)"
    t0=$(now); cmake --build "$build" > "$side_out/build.log" 2>&1; rc=$?; t1=$(now)
    printf 'build\t%s\t%s\n' "$rc" "$(elapsed "$t0" "$t1")" >> "$side_out/steps.tsv"
    [ "$rc" -eq 0 ] || { echo "unit-1.6.sh: build failed, see $side_out/build.log" >&2; return 2; }
    log "wyn-ctest: ctest -j$jobs ($(elapsed "$t0" "$t1") s to build)"
    t0=$(now); ctest --test-dir "$build" -j"$jobs" > "$side_out/ctest.log" 2>&1 < /dev/null; rc=$?; t1=$(now)
    printf 'ctest\t%s\t%s\n' "$rc" "$(elapsed "$t0" "$t1")" >> "$side_out/steps.tsv"
    log "wyn-ctest: ctest rc $rc ($(elapsed "$t0" "$t1") s)"
    cp "$build/wyn-report/summary.json" "$side_out/summary.json" 2>/dev/null ||
        { echo "unit-1.6.sh: no $build/wyn-report/summary.json" >&2; return 2; }
    (cd "$build/wyn" && find . -name result.json -o -name compile.json) |
        while IFS= read -r rel; do
            mkdir -p "$side_out/results/$(dirname "$rel")"
            cp "$build/wyn/$rel" "$side_out/results/$rel"
        done
    # The wyn-ctest side must leave the checkout's copy as it found it.
    (cd "$checkout" && find tests/unit -type f | sort) > "$work/files.before"
    (cd "$tree" && find tests/unit -type f | sort) > "$work/files.after"
    if ! cmp -s "$work/files.before" "$work/files.after"; then
        diff "$work/files.before" "$work/files.after" > "$side_out/source-tree-changes.txt"
        log "wyn-ctest: the source tree changed, see $side_out/source-tree-changes.txt"
    fi
    return 0
}

if [ "$side" != "wyn-ctest" ]; then
    if [ -n "$reference_from" ]; then
        [ -f "$reference_from/reference/results.jsonl" ] ||
            { echo "unit-1.6.sh: no reference/results.jsonl in $reference_from" >&2; exit 2; }
        if [ "$(cd "$reference_from" && pwd)" != "$out" ]; then
            rm -rf "$out/reference"
            cp -a "$reference_from/reference" "$out/reference"
        fi
        log "reference: reused from $reference_from"
    else
        run_reference || exit 2
    fi
fi
if [ "$side" != "reference" ]; then
    run_wyn_ctest || exit 2
fi
[ -f "$out/reference/results.jsonl" ] && [ -f "$out/wyn-ctest/summary.json" ] || {
    log "one side only: nothing to compare yet"
    exit 0
}
python3 "$here/compare.py" unit "$out"
