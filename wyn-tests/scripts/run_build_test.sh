#!/bin/bash
# A script gate in the style of Wyn's tests/errors: sub-checks that shell out
# to $WYN, one line each ("  ok    what" or "  FAIL  what (details)").
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
check() {  # check WHAT COMMAND...
  local what=$1
  shift
  if out=$("$@" 2>&1); then
    echo "  ok    $what"
  else
    echo "  FAIL  $what (${out//$'\n'/ })"
    failed=1
  fi
}
printf 'fn main() -> int {\n    println("built")\n    return 0\n}\n' > "$tmp/ok.wyn"
printf 'fn main() -> int {\n    frobnicate()\n}\n' > "$tmp/bad.wyn"
check "a valid program builds" "$WYN" build "$tmp/ok.wyn" -o "$tmp/ok"
check "the program runs" grep -q built <("$tmp/ok")
check "an undefined function is rejected" bash -c '! "$0" build "$1" -o "$2"' "$WYN" "$tmp/bad.wyn" "$tmp/bad"
check "the diagnostic names the function" bash -c '"$0" build "$1" -o "$2" 2>&1 | grep -q frobnicate' "$WYN" "$tmp/bad.wyn" "$tmp/bad"
exit $failed
