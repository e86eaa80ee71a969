// wyn-cc: the C-compiler wrapper of wyn-ctest's toolchain cache. Run by the
// Wyn compiler as clang, cc, gcc or $WYN_CC, never by people; see
// toolchain/wrapper.hpp and docs/caching.md.

#include <cstdio>
#include <exception>

#include "toolchain/wrapper.hpp"

int main(int argc, char** argv) {
  try {
    return wyn::run_wrapper(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wyn-cc: error: %s\n", e.what());
    return 1;
  }
}
