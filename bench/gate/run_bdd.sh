#!/bin/bash
# The benchmark gate's EXPECT runner, in the style of Wyn 1.20's
# tests/run_bdd.sh (not a copy): every file of tests/expect and
# tests/regression with a `// EXPECT:` line is built into a sandbox of its
# own (`$WYN build FILE -o BIN`, which leaves FILE.c beside the source, removed
# again), run under a wall-clock alarm, and its stdout+stderr, without the
# Building/Built/Compiled in/Warning: lines, compared line by line with the
# EXPECT lines (output after the last one ignored; the exit code not
# checked). Files without EXPECT lines are not tests. 2 x CPUs at once.
# Run from the repository root: WYN=./wyn bash tests/run_bdd.sh
set -uo pipefail
WYN="${WYN:-./wyn}"
case "$WYN" in /*) ;; *) WYN="$PWD/$WYN" ;; esac
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
alarm() { perl -e 'alarm shift; exec @ARGV or exit 127' 30 "$@"; }

run_test() {
    local file=$1 name result expected bin output i failed=0
    name=$(basename "$file")
    result="$TMP/$(echo "$file" | tr '/' '_').result"
    expected=$(grep '// EXPECT:' "$file" | sed 's|// EXPECT: ||')
    if [ -z "$expected" ]; then echo SKIP > "$result"; return; fi
    mkdir -p "$TMP/$name.sandbox"
    bin="$TMP/$name.sandbox/${name%.wyn}"
    if ! alarm "$WYN" build "$file" -o "$bin" > "$TMP/$name.build" 2>&1; then
        rm -f "$file.c"
        printf 'FAIL\n    BUILD FAILED: %s\n' "$(grep -v 'Building\|Built' "$TMP/$name.build" | head -3 | tr '\n' ' ')" > "$result"
        return
    fi
    rm -f "$file.c"
    output=$(alarm "$bin" 2>&1 | grep -v "Building\|Built\|Compiled in\|Warning:")
    i=1
    while IFS= read -r want; do
        [ "$(sed -n "${i}p" <<< "$output")" = "$want" ] || failed=1
        i=$((i + 1))
    done <<< "$expected"
    if [ $failed -eq 0 ]; then echo PASS > "$result"; else printf 'FAIL\n    wrong output\n' > "$result"; fi
}

FILES=(tests/expect/*.wyn tests/regression/*.wyn)
jobs=$(( $(nproc) * 2 ))
for f in "${FILES[@]}"; do
    [ -f "$f" ] || continue
    while [ "$(jobs -pr | wc -l)" -ge "$jobs" ]; do sleep 0.05; done
    run_test "$f" &
done
wait

PASS=0; FAIL=0
for f in "${FILES[@]}"; do
    result="$TMP/$(echo "$f" | tr '/' '_').result"
    [ -f "$result" ] || continue
    case $(head -1 "$result") in
        SKIP) ;;
        PASS) PASS=$((PASS + 1)); echo "  ✓ $f" ;;
        *) FAIL=$((FAIL + 1)); echo "  ✗ $f"; tail -n +2 "$result" ;;
    esac
done
echo ""
echo "bdd: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
