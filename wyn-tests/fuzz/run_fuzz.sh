#!/bin/bash
# A fuzz smoke test in the style of Wyn's tests/fuzz/run_fuzz.sh, which the
# gate runs with arguments (`run_fuzz.sh 1 60`): registered by file, with
# ARGS, in wyn-tests/CMakeLists.txt. From SEED it makes COUNT string
# literals of printable characters, quotes, backslashes and \xHH escapes,
# builds one program printing them all with $WYN and checks each line of
# its output (one sub-check per literal). The same SEED gives the same
# literals on every machine.
set -u
if [ $# -ne 2 ] || [[ ! $1 =~ ^[0-9]+$ ]] || [[ ! $2 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: run_fuzz.sh SEED COUNT" >&2
  exit 2
fi
seed=$1
count=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

state=$seed
random() {  # random N: a number in 0..N-1 in $r (a 31-bit LCG)
  state=$(( (state * 1103515245 + 12345) % 2147483648 ))
  r=$(( (state >> 8) % $1 ))
}
chars='abcXYZ019 !#%&*+,-./:;<=>?@[]^_`{|}~()'"'"
: > "$tmp/expected"
{
  echo 'fn main() -> int {'
  for ((i = 1; i <= count; i++)); do
    random 12
    length=$((r + 1))
    literal='' text=''
    for ((j = 0; j < length; j++)); do
      random 10
      case $r in
        0) literal+='\"' text+='"' ;;
        1) literal+='\\' text+='\' ;;
        2)
          random 26
          printf -v hex '%02x' $((0x41 + r))
          literal+="\\x$hex"
          printf -v letter "\\x$hex"
          text+=$letter
          ;;
        *)
          random ${#chars}
          literal+=${chars:r:1} text+=${chars:r:1}
          ;;
      esac
    done
    printf '    println("%s")\n' "$literal"
    printf '%s\n' "$text" >> "$tmp/expected"
  done
  echo '    return 0'
  echo '}'
} > "$tmp/fuzz.wyn"

if ! build=$("$WYN" build "$tmp/fuzz.wyn" -o "$tmp/fuzz" 2>&1); then
  echo "  FAIL  the program of seed $seed builds (${build//$'\n'/ })"
  exit 1
fi
"$tmp/fuzz" > "$tmp/actual" 2>&1
status=$?
failed=0
i=0
while IFS= read -r want <&3; do
  i=$((i + 1))
  IFS= read -r got <&4 || got='(no line)'
  if [ "$got" = "$want" ]; then
    echo "  ok    literal $i: $want"
  else
    echo "  FAIL  literal $i: $want (printed: $got)"
    failed=1
  fi
done 3< "$tmp/expected" 4< "$tmp/actual"
if [ "$status" -ne 0 ]; then
  echo "  FAIL  the program exits 0 (exit $status)"
  failed=1
fi
exit $failed
