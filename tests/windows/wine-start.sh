#!/bin/sh
# Starts a persistent wineserver and prepares the prefix, with their output
# in a log rather than on CTest's pipe: the server outlives this script, and
# CTest would wait until it closed the pipe.
# Usage: wine-start.sh WINESERVER WINE LOG
set -e
"$1" -k >/dev/null 2>&1 || true
mkdir -p "$WINEPREFIX"
"$1" -p >"$3" 2>&1 </dev/null
"$2" wineboot >>"$3" 2>&1 </dev/null
echo "wine ready in $WINEPREFIX"
