#!/bin/bash
# The benchmark gate's exit-code runner, in the style of Wyn 1.20's
# tests/stdlib/run_stdlib_tests.sh (not a copy): each program built with
# `$WYN build FILE -o BIN` and run from the repository root (60 s alarm), in
# batches of CPUs; PASS when it exits 0. known_failures.txt (`<file name>
# <fail|hang|flaky>`) lists programs whose failure is reported but does not
# fail the gate; a listed program that passes is reported FIXED.
# From the repository root: WYN=./wyn bash tests/stdlib/run_stdlib_tests.sh
set -uo pipefail
WYN="${WYN:-./wyn}"
case "$WYN" in /*) ;; *) WYN="$PWD/$WYN" ;; esac
dir=tests/stdlib
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT

run_one() {
    local src=$1 name
    name=$(basename "$src" .wyn)
    if ! perl -e 'alarm 90; exec @ARGV' "$WYN" build "$src" -o "$TMP/$name" > "$TMP/$name.log" 2>&1; then
        rm -f "$src.c"; echo FAIL > "$TMP/$name.result"; return
    fi
    rm -f "$src.c"
    if perl -e 'alarm 60; exec @ARGV' "$TMP/$name" > "$TMP/$name.out" 2>&1 < /dev/null; then
        echo PASS > "$TMP/$name.result"
    else
        echo FAIL > "$TMP/$name.result"
    fi
}

FILES=("$dir"/*.wyn)
jobs=$(nproc)
running=0
for f in "${FILES[@]}"; do
    run_one "$f" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then wait; running=0; fi
done
wait

PASS=0; FAIL=0; KNOWN=0
for f in "${FILES[@]}"; do
    name=$(basename "$f")
    listed=$(grep -v '^#' "$dir/known_failures.txt" 2>/dev/null | awk -v n="$name" '$1 == n { print $2 }')
    if [ "$(cat "$TMP/${name%.wyn}.result")" = PASS ]; then
        PASS=$((PASS + 1))
        if [ -n "$listed" ]; then echo "  ✓ $name FIXED (remove it from known_failures.txt)"; else echo "  ✓ $name"; fi
    elif [ -n "$listed" ]; then
        KNOWN=$((KNOWN + 1)); echo "  - $name (known $listed)"
    else
        FAIL=$((FAIL + 1)); echo "  ✗ $name NEW FAILURE"
    fi
done
echo ""
echo "stdlib: $PASS passed, $KNOWN known failures, $FAIL new failures"
[ "$FAIL" -eq 0 ]
