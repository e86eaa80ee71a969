#!/bin/bash
# The benchmark gate's golden-C runner, in the style of Wyn 1.20's
# tests/golden/run_golden_tests.sh (not a copy): one file after the other,
# `$WYN build NAME.wyn --debug` leaves the generated C at NAME.wyn.c; with
# every run of non-blank, non-quote characters ending in NAME.wyn replaced
# by NAME.wyn and trailing CRs dropped, it must equal NAME.c.golden. The
# programs are not run. From the repository root:
# WYN=./wyn bash tests/golden/run_golden_tests.sh
set -uo pipefail
WYN="${WYN:-./wyn}"
case "$WYN" in /*) ;; *) WYN="$PWD/$WYN" ;; esac
dir=tests/golden
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
PASS=0; FAIL=0
for src in "$dir"/*.wyn; do
    name=$(basename "$src" .wyn)
    golden="$dir/$name.c.golden"
    if ! "$WYN" build "$src" --debug -o "$TMP/$name" > "$TMP/build.log" 2>&1; then
        echo "  FAIL  $name (build failed)"; FAIL=$((FAIL + 1)); rm -f "$src.c"; continue
    fi
    sed -E "s#[^\"[:space:]]*$name\.wyn#$name.wyn#g; s/\r$//" "$src.c" > "$TMP/actual.c"
    rm -f "$src.c"
    if [ -f "$golden" ] && sed 's/\r$//' "$golden" | cmp -s - "$TMP/actual.c"; then
        echo "  ok    $name"; PASS=$((PASS + 1))
    else
        echo "  FAIL  $name (differs from $golden)"; FAIL=$((FAIL + 1))
    fi
done
echo ""
echo "golden: $PASS pass, $FAIL fail"
[ "$FAIL" -eq 0 ]
