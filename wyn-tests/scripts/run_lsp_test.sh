#!/bin/bash
# A script gate that cannot run everywhere, in the style of Wyn's
# tests/lsp/run_lsp_test.sh: when what it needs is missing it prints one
# line, "<name>: SKIP (<reason>)", and exits 0, and is reported as
# skipped. It needs a compiler with a language server, which the stand-in
# compiler does not have.
if ! "$WYN" lsp --help > /dev/null 2>&1; then
  echo "lsp: SKIP (the compiler has no lsp command)"
  exit 0
fi
echo "  ok    wyn lsp --help answers"
