#!/bin/sh
# Runs a cross-built Windows program under Wine: the CMAKE_CROSSCOMPILING_EMULATOR
# that cmake/toolchains/mingw-w64-x86_64.cmake sets, for CMake, Ninja and
# CTest alike.
#
#   wine-run.sh PROGRAM.exe [ARG...]
#
# Before the program it makes sure of two things, each taking a few
# milliseconds once done:
# - The prefix ($WINEPREFIX, else ~/.wine) exists. Creating it starts Wine's
#   background processes, which would keep the caller's output pipes open
#   (CMake's execute_process, Ninja and CTest would wait for them), so it
#   happens here with their output in $WINEPREFIX/wyn-wineboot.log, under a
#   lock for parallel callers.
# - A Wine server runs for it, started here with its output away from the
#   caller's pipes for the same reason, and staying 60 s after its last
#   client.
# Wine's debugger stays off (a crash would start it: a second and a register
# dump on stdout), and so do Wine's own messages, unless the environment says
# otherwise. The program's exit status is this script's.
: "${WINEDEBUG:=-all}"
: "${WINEDLLOVERRIDES:=winedbg.exe,mscoree,mshtml=d}"
export WINEDEBUG WINEDLLOVERRIDES
wine=${WYN_WINE:-}
if [ -z "$wine" ]; then
  for candidate in /usr/lib/wine/wine64 /usr/bin/wine64 /usr/bin/wine; do
    if [ -x "$candidate" ]; then
      wine=$candidate
      break
    fi
  done
fi
if [ -z "$wine" ]; then
  echo "wine-run.sh: error: no Wine (wine64) found; install wine64 or set WYN_WINE" >&2
  exit 127
fi
server=$(dirname "$wine")/wineserver
[ -x "$server" ] || server=wineserver
prefix=${WINEPREFIX:-$HOME/.wine}
if [ ! -f "$prefix/system.reg" ]; then
  mkdir -p "$prefix"
  (
    flock 9
    if [ ! -f "$prefix/system.reg" ]; then
      "$server" -p60 </dev/null >/dev/null 2>&1
      "$wine" wineboot </dev/null >"$prefix/wyn-wineboot.log" 2>&1
    fi
  ) 9>"$prefix/.wyn-wineboot.lock"
fi
# Exits at once when the prefix's server runs already.
"$server" -p60 </dev/null >/dev/null 2>&1
exec "$wine" "$@"
