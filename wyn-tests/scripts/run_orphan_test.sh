#!/bin/bash
# `wyn run` supervises the program it starts: SIGKILL, SIGTERM or SIGINT on
# `wyn run` takes the program with it, and `wyn run` exits 128+N. The check
# is the one Wyn's own script gate makes: kill -0 on the program until that
# fails. A zombie still answers kill -0, so this passes only where the dead
# program is reaped at once by whoever adopted it (init, or a test harness
# that is a subreaper). Then the normal path: exit code, arguments, stdout,
# stdin.
set -u
tmp=$(mktemp -d)
started=()
trap 'kill -9 "${started[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
failed=0
ok() { echo "  ok    $1"; }
fail() {
  echo "  FAIL  $1"
  failed=1
}

printf 'fn main() -> int {\n    print_pid()\n    sleep_ms(60000)\n    return 0\n}\n' > "$tmp/sleeper.wyn"

# Starts `wyn run` on the sleeper in the background and waits (30 s at most:
# it compiles first) for the program to print its pid; sets run_pid and
# program_pid.
start_sleeper() {
  : > "$tmp/pid"
  "$WYN" run "$tmp/sleeper.wyn" > "$tmp/pid" 2> /dev/null &
  run_pid=$!
  started+=("$run_pid")
  program_pid=""
  for _ in $(seq 300); do
    program_pid=$(grep -m1 -E '^[0-9]+$' "$tmp/pid" 2> /dev/null)
    if [ -n "$program_pid" ]; then
      started+=("$program_pid")
      return 0
    fi
    kill -0 "$run_pid" 2> /dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Whether kill -0 on the pid fails within 10 s.
gone_within_10s() {
  for _ in $(seq 100); do
    kill -0 "$1" 2> /dev/null || return 0
    sleep 0.1
  done
  return 1
}

for sig in KILL TERM INT; do
  want=$((128 + $(kill -l "$sig")))
  what="SIG$sig on wyn run: the program is gone and wyn run exits $want"
  if ! start_sleeper; then
    fail "$what (the program never started)"
    continue
  fi
  kill -s "$sig" "$run_pid"
  wait "$run_pid" 2> /dev/null
  status=$?
  gone=no
  gone_within_10s "$program_pid" && gone=yes
  if [ "$gone" = yes ] && [ "$status" = "$want" ]; then
    ok "$what"
  else
    fail "$what (program gone: $gone, exit status $status)"
  fi
done

printf 'fn main() -> int {\n    println("out")\n    print_args()\n    return 3\n}\n' > "$tmp/three.wyn"
output=$("$WYN" run "$tmp/three.wyn" one "two words" 2> /dev/null)
status=$?
if [ "$status" = 3 ]; then ok "the exit code passes through"; else fail "the exit code passes through (got $status)"; fi
if [ "$output" = $'out\none\ntwo words' ]; then
  ok "stdout and the arguments reach the program"
else
  fail "stdout and the arguments reach the program (got ${output//$'\n'/|})"
fi

printf 'fn main() -> int {\n    crash()\n}\n' > "$tmp/crash.wyn"
"$WYN" run "$tmp/crash.wyn" > /dev/null 2>&1
status=$?
if [ "$status" = 139 ]; then ok "a program killed by SIGSEGV: exit 139"; else fail "a program killed by SIGSEGV: exit 139 (got $status)"; fi

printf 'fn main() -> int {\n    read_stdin()\n    return 0\n}\n' > "$tmp/echo.wyn"
output=$(printf 'piped\n' | "$WYN" run "$tmp/echo.wyn" 2> /dev/null)
if [ "$output" = piped ]; then ok "stdin reaches the program"; else fail "stdin reaches the program (got $output)"; fi
exit $failed
