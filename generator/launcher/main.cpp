// wyn-launch: what CTest runs for each Wyn test.
//
//   wyn-launch TEST_DIR
//
// Runs TEST_DIR/bin/program in a fresh scratch directory under the suite's
// limits, judges it against the directives the compile step recorded, writes
// TEST_DIR/result.json atomically and prints a short account for
// `ctest --output-on-failure` (launcher/launch.hpp). Exit status: 0 pass (or
// expected failure), 77 skipped (the test's SKIP_RETURN_CODE), 1 anything
// else.

#include <csignal>
#include <cstdio>
#include <exception>
#include <string>

#include "launcher/launch.hpp"
#include "process/subprocess.hpp"

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--not-built") {
    std::printf("wyn: suite %s is not built yet: run cmake --build first\n", argv[2]);
    return 1;
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: wyn-launch TEST_DIR\n");
    return 2;
  }
  try {
    // First, so that an interrupt at any point is recorded rather than fatal.
    wyn::InterruptGuard guard;
    // If ctest dies (Ctrl-C reaches only ctest, or it is killed), stop the
    // test and record the interruption instead of running on as an orphan.
    wyn::signal_on_parent_death(SIGTERM);
    wyn::become_subreaper();
    return wyn::launch(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wyn-launch: error: %s\n", e.what());
    wyn::record_fault(argv[1], e.what());
    return 1;
  }
}
