#!/bin/sh
# The benchmark's "stub" compiler, for the scale rows only: the stand-in's
# build command line (`wyn build FILE -o OUT`), memoised by the content of
# FILE and of the modules staged beside it. The first compile of a content
# runs the real stand-in (@REAL@) and keeps its executable, or its
# diagnostics and exit status, in @MEMO@; later ones replay them. The scale
# suites repeat their content every 100 tests (20 with --quick), so a
# 10,000-test tree costs 100 real compiles and a few milliseconds per test,
# not 10,000 x 0.3 s of CPU (25 minutes on 2 cores). The scale rows
# (configure, no-op build, ctest -N, no-op run) compile nothing, so the stub
# does not change what they measure. driver.py fills in the two paths.
#
# Few processes per replay (sha256sum, then cp): the stub runs 10,000 times.
real='@REAL@'
memo='@MEMO@'
if [ $# -ne 4 ] || [ "$1" != build ] || [ "$3" != -o ]; then
  exec "$real" "$@"
fi
src=$2
out=$4

# Key: the source's hash, then each module's name and the start of its hash.
key=""
modules=""
set -- $(sha256sum -- *.wyn)
while [ $# -ge 2 ]; do
  if [ "$2" = "$src" ]; then
    key=$1
  else
    rest=${1#????????????????}
    modules="$modules-${2%.wyn}.${1%"$rest"}"
  fi
  shift 2
done
[ -n "$key" ] || exec "$real" build "$src" -o "$out"
key=$memo/$key$modules

if [ -f "$key.rc" ]; then
  read -r rc < "$key.rc"
  [ "$rc" -ne 0 ] || exec cp "$key.bin" "$out"
  while IFS= read -r line; do printf '%s\n' "$line"; done < "$key.log"
  exit "$rc"
fi
"$real" build "$src" -o "$out" > "$key.log.$$" 2>&1
rc=$?
while IFS= read -r line; do printf '%s\n' "$line"; done < "$key.log.$$"
if [ $rc -eq 0 ]; then
  cp "$out" "$key.bin.$$" && mv "$key.bin.$$" "$key.bin" || exit 1
fi
mv "$key.log.$$" "$key.log"
echo $rc > "$key.rc.$$" && mv "$key.rc.$$" "$key.rc"
exit $rc
