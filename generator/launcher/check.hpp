#pragma once
// Judging one test: pure functions from what the program (or the compiler)
// did to a status, a reason a person understands, and the output diff.

#include <string>
#include <string_view>
#include <vector>

#include "core/directives.hpp"
#include "core/record.hpp"

namespace wyn {

/// What running the program produced, as the launcher observed it.
struct RunOutcome {
  bool started = true;
  std::string spawn_error;
  int exit_code = -1;
  int signal = 0;
  bool timed_out = false;
  double timeout_seconds = 0;
  bool leaked = false;
  bool interrupted = false;
  int interrupt_signal = 0;
  std::string output;  ///< stdout and stderr as written (capped)
};

struct Verdict {
  Status status = Status::unknown;
  std::string reason;
  std::vector<DiffLine> diff;
};

/// The output lines EXPECT lines are compared with: split into lines, with
/// the lines the reference runner dropped as compiler chatter removed (any
/// line containing "Building", "Built", "Compiled in" or "Warning:").
std::vector<std::string> comparable_lines(std::string_view output);

/// Compares EXPECT lines with the output: the i-th EXPECT line must equal
/// the i-th comparable line; output after the last EXPECT line is ignored.
std::vector<DiffLine> diff_expectations(const std::vector<ExpectLine>& expect,
                                        std::string_view output);

/// Verdict for a program that ran. `exit_policy` is "zero" or "any".
Verdict judge_run(const Directives& d, const std::string& exit_policy, const RunOutcome& run);

/// Verdict for a test whose compile step did not produce a program.
Verdict judge_compile_failure(const Directives& d, const CompileRecord& compile);

/// Verdict for a test that compiled although it says EXPECT_ERROR.
Verdict judge_unexpected_success(const Directives& d);

/// Applies XFAIL: a failure becomes xfail, a pass becomes xpass. Skips,
/// harness errors and interrupts are left alone: they say nothing of the test.
Verdict apply_xfail(const Directives& d, Verdict verdict);

}  // namespace wyn
