#pragma once
// The two command-line generations of the stand-in compiler. Each reproduces
// the contract of one real Wyn compiler generation that the harness depends
// on (see /work/shared/wyn-compiler-contract.md and README.md).

namespace wyn::standin {

/// `wyn file.wyn`: writes file.ll, file.o and file.out beside the source
/// (Wyn v1.6, LLVM backend).
int run_legacy_cli(int argc, char** argv);

/// `wyn build file.wyn -o OUT`: writes OUT and leaves file.wyn.c beside the
/// source (Wyn v1.7 and later). `wyn run file.wyn [args...]`: builds to a
/// temporary directory and runs the program under a supervisor.
int run_build_cli(int argc, char** argv);

}  // namespace wyn::standin
