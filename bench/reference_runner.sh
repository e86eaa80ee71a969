#!/usr/bin/env bash
# The benchmark's baseline: the Wyn project's reference runner, extended to
# do the same work as wyn-ctest (see /work/shared/wyn-compiler-contract.md).
#
#   reference_runner.sh [-j N] [--style build|legacy] [--cpu-log FILE] COMPILER DIR
#
# Like parallel_unit_tests.sh it is `find DIR -name '*.wyn' | xargs -P N`, each
# worker compiling its file in place (legacy: `wyn f.wyn` writes f.out beside
# it, runtime through WYN_ROOT; build: `wyn build f.wyn -o f.out`). Like
# run_bdd.sh each worker then runs the program (30 s alarm) and checks it:
# stdout+stderr merged, lines containing Building, Built, Compiled in or
# Warning: dropped, the i-th `// EXPECT:` line equal to the i-th output line,
# output after the last one ignored; files without `// EXPECT` are not tests.
# The extensions, so that it judges exactly what wyn-ctest judges:
# `// EXPECT_ERROR:` (the compile must fail, with the text in the
# diagnostics) and the exit code (0, or `// EXPECT_EXIT:`).
#
# It writes next to the sources: run it on a scratch copy of a suite.
# Prints "N passed, M failed" (and each failure); exits 1 if any failed.
# --cpu-log appends "compile USER SYS" and "run USER SYS" lines (GNU time,
# descendants included) for the benchmark's physical bound.
set -u

if [ "${1:-}" = --worker ]; then
  f=$2
  case $f in /*) ;; *) f=$PWD/$f ;; esac
  ulimit -c 0
  grep -q '// EXPECT' "$f" || exit 0  # no expectations: not a test (a module)
  exe=${f%.wyn}.out
  timed=()
  [ -n "$REF_CPU_LOG" ] && timed=(/usr/bin/time -q -a -o "$REF_CPU_LOG" -f)
  if [ "$REF_STYLE" = legacy ]; then
    compile=("$REF_WYN" "$f")
  else
    compile=("$REF_WYN" build "$f" -o "$exe")
  fi
  verdict() { printf '%s %s%s\n' "$1" "$f" "${2:+: $2}" >> "$REF_RESULTS"; exit 0; }

  if [ ${#timed[@]} -gt 0 ]; then
    diagnostics=$("${timed[@]}" 'compile %U %S' "${compile[@]}" 2>&1)
  else
    diagnostics=$("${compile[@]}" 2>&1)
  fi
  rc=$?
  expect_error=$(sed -n 's|^// EXPECT_ERROR: *||p' "$f")
  if [ -n "$expect_error" ]; then
    [ $rc -ne 0 ] || verdict FAIL "compiled, expected an error"
    grep -qF -- "$expect_error" <<< "$diagnostics" || verdict FAIL "error text not found"
    verdict PASS
  fi
  { [ $rc -eq 0 ] && [ -f "$exe" ]; } || verdict FAIL "compile error (exit $rc)"

  # Run from the test's directory, stdin closed, with the reference's alarm.
  cd "${f%/*}" || verdict FAIL "cannot enter the test's directory"
  if [ ${#timed[@]} -gt 0 ]; then
    output=$("${timed[@]}" 'run %U %S' timeout -k 2 30 "$exe" 2>&1 < /dev/null)
  else
    output=$(timeout -k 2 30 "$exe" 2>&1 < /dev/null)
  fi
  code=$?
  [ $code -ne 124 ] || verdict FAIL "timed out"
  expected=$(sed -n 's|^// EXPECT: \{0,1\}||p' "$f")
  if [ -n "$expected" ]; then
    count=$(wc -l <<< "$expected")
    actual=$(grep -v -e Building -e Built -e 'Compiled in' -e 'Warning:' <<< "$output" | head -n "$count")
    [ "$actual" = "$expected" ] || verdict FAIL "wrong output"
  fi
  want=$(sed -n 's|^// EXPECT_EXIT: *||p' "$f")
  [ "$code" -eq "${want:-0}" ] || verdict FAIL "exit code $code, expected ${want:-0}"
  verdict PASS
fi

jobs=$(nproc)
style=build
cpu_log=""
while [ $# -gt 2 ]; do
  case $1 in
    -j) jobs=$2; shift 2 ;;
    --style) style=$2; shift 2 ;;
    --cpu-log) cpu_log=$2; shift 2 ;;
    *) echo "reference_runner.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ $# -ne 2 ]; then
  echo "usage: reference_runner.sh [-j N] [--style build|legacy] [--cpu-log FILE] COMPILER DIR" >&2
  exit 2
fi
results=$(mktemp)
trap 'rm -f "$results"' EXIT
export REF_WYN=$1 REF_STYLE=$style REF_CPU_LOG=$cpu_log REF_RESULTS=$results
find "$2" -name '*.wyn' -print0 | xargs -0 -P "$jobs" -n 1 bash "$0" --worker
passed=$(grep -c '^PASS ' "$results")
failed=$(grep -c '^FAIL ' "$results")
grep '^FAIL ' "$results"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
