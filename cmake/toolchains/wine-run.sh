#!/bin/sh
# Runs a cross-built Windows program under Wine: the CMAKE_CROSSCOMPILING_EMULATOR
# that cmake/toolchains/mingw-w64-x86_64.cmake sets, for CMake, Ninja and
# CTest alike.
#
#   wine-run.sh PROGRAM.exe [ARG...]
#
# Before the program it makes sure that a Wine server runs for the prefix
# ($WINEPREFIX, else ~/.wine), staying 60 s after its last client, and that
# the prefix exists. A new server or prefix starts Wine's background
# processes (services.exe and the like), which would inherit the caller's
# output pipes and keep them open while the server lives: CMake's
# execute_process, Ninja and CTest would wait for them. So whenever this
# script starts a server, it runs wineboot first with that output away in
# $WINEPREFIX/wyn-wineboot.log, under a lock that parallel callers wait on.
# Once the server runs, this costs a few milliseconds.
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
mkdir -p "$prefix"
(
  flock 9
  # Exits 0 having started a server, non-zero when one runs already. The
  # lock's descriptor is closed for both: the server and the processes
  # wineboot starts outlive this script, and would hold the lock.
  if "$server" -p60 </dev/null >/dev/null 2>&1 9>&- || [ ! -f "$prefix/system.reg" ]; then
    "$wine" wineboot </dev/null >>"$prefix/wyn-wineboot.log" 2>&1 9>&-
  fi
) 9>"$prefix/.wyn-wine-run.lock"
exec "$wine" "$@"
