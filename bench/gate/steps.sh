#!/bin/bash
# The benchmark gate's baselines: the steps of the checkout's Makefile `test`
# target (its `@WYN=./wyn bash SCRIPT ARGS` lines), each run as make runs
# it, `WYN=./wyn bash SCRIPT ARGS` from the repository root.
#
#   steps.sh serial CHECKOUT OUT_TSV       one after the other, as make does
#                                          (without stopping at a failure)
#   steps.sh parallel N CHECKOUT OUT_TSV   the same steps as independent jobs,
#                                          N at once (xargs -P N)
#
# OUT_TSV gets one line per step: exit code, seconds, script and arguments;
# each step's output goes to OUT_TSV.d/. Exits 1 when a step failed.
set -u
if [ "${1:-}" = --step ]; then  # one step: --step CHECKOUT OUT_TSV "SCRIPT ARGS"
    cd "$2" || exit 2
    log="$3.d/$(echo "$4" | tr '/ ' '__').log"
    start=$(date +%s.%N)
    # shellcheck disable=SC2086  # the Makefile's words, split as make's shell splits them
    WYN=./wyn bash $4 > "$log" 2>&1 < /dev/null
    rc=$?
    end=$(date +%s.%N)
    printf '%s\t%s\t%s\n' "$rc" "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')" "$4" >> "$3"
    exit 0
fi
mode=${1:-}
case $mode in
    serial) [ $# -eq 3 ] || { echo "usage: steps.sh serial CHECKOUT OUT_TSV" >&2; exit 2; }; jobs=1; checkout=$2; out=$3 ;;
    parallel) [ $# -eq 4 ] || { echo "usage: steps.sh parallel N CHECKOUT OUT_TSV" >&2; exit 2; }; jobs=$2; checkout=$3; out=$4 ;;
    *) echo "usage: steps.sh serial|parallel ..." >&2; exit 2 ;;
esac
: > "$out"
mkdir -p "$out.d"
sed -n '/^test:/,/^$/p' "$checkout/Makefile" | sed -n 's/^\t@\{0,1\}WYN=\.\/wyn bash \(.*\)$/\1/p' |
    tr '\n' '\0' | xargs -0 -P "$jobs" -n 1 bash "$0" --step "$checkout" "$out"
! cut -f1 "$out" | grep -qv '^0$'
