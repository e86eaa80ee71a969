#pragma once
// Build-time half of the generator: turns the compile records of a suite into
// the CTest registration file that the suite's TEST_INCLUDE_FILES entry loads.
// Running at build time means an edited LABELS or TIMEOUT line, or a file
// that became a test, is picked up without re-running CMake.

#include <string>
#include <vector>

#include "suite/test_spec.hpp"

namespace wyn {

/// The add_test and set_tests_properties lines of one test, every value
/// bracket-quoted. `timeout` is the program's; CTest's own is longer.
/// `may_skip`: the launcher can report the test skipped (exit 77).
std::string registration(const SuiteConfig& suite, const TestSpec& spec,
                         const std::vector<std::string>& labels, double timeout, bool may_skip);

/// Writes <suite build dir>/ctest-tests.cmake; returns the process exit code.
int run_register(const std::string& suite_build_dir);

}  // namespace wyn
