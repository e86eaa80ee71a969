#pragma once
// One test run, as wyn-launch does it for CTest (see launcher/main.cpp).

#include <string>

namespace wyn {

/// Runs TEST_DIR/bin/program in a fresh scratch directory, or in the
/// suite's working directory, under the suite's limits, judges it against
/// the directives the compile step recorded, writes TEST_DIR/result.json
/// atomically and prints a short account. Returns the exit code for CTest:
/// 0 pass (or expected failure), 77 skipped, 128 + the signal when
/// interrupted, 1 anything else. Throws on a fault of the harness.
int launch(const std::string& test_dir);

/// Best effort after a fault of the launcher itself: an error record, so
/// the reporter shows the fault instead of an older record (or the
/// placeholder). Never throws.
void record_fault(const std::string& test_dir, const std::string& message);

}  // namespace wyn
