#pragma once
// Judging one test: pure functions from what the program (or the compiler)
// did to a status, a reason a person understands, and the output diff.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "records/record.hpp"
#include "suite/directives.hpp"

namespace wyn {

/// The limits a program ran under (0: none), to explain failures they caused.
struct RunLimits {
  uint64_t memory_mb = 0;  ///< address space
  uint64_t cpu_seconds = 0;
  uint64_t open_files = 0;
  uint64_t output_bytes = 0;         ///< per stream; past it the program is stopped
  std::string leak_policy = "fail";  ///< "fail" or "warn"
};

/// What running the program produced, as the launcher observed it.
struct RunOutcome {
  bool started = true;
  std::string spawn_error;
  int exit_code = -1;
  int signal = 0;
  bool timed_out = false;
  double timeout_seconds = 0;
  bool sent_sigkill = false;  ///< by the harness
  bool leaked = false;
  int leaked_processes = 0;
  bool interrupted = false;
  int interrupt_signal = 0;
  bool output_limit_exceeded = false;
  uint64_t output_bytes = 0;  ///< everything the program wrote
  long max_rss_kib = 0;
  double cpu_seconds = 0;  ///< user + system
  RunLimits limits;
  std::string output;  ///< stdout and stderr as written (capped)
};

struct Verdict {
  Status status = Status::unknown;
  std::string reason;
  std::vector<DiffLine> diff;
  /// The limit that made the test fail: "memory", "cpu", "output",
  /// "open_files", or empty (TestRecord::limit_exceeded).
  std::string limit = "";
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
/// A failure the program's limits explain says so: stopped for its output,
/// SIGXCPU (or the SIGKILL after it) at the CPU limit, an allocation failure
/// or a peak RSS near the address-space limit, "Too many open files".
Verdict judge_run(const Directives& d, const std::string& exit_policy, const RunOutcome& run);

/// Folds the earlier runs of the test in this ctest invocation (ctest
/// --repeat) into the verdict of the last one: a pass after a failure is
/// `flaky`, a failure after passes says so in its reason. `earlier` empty:
/// the verdict is returned unchanged.
Verdict judge_attempts(const std::vector<Attempt>& earlier, Verdict last);

/// Verdict for a test whose compile step did not produce a program.
Verdict judge_compile_failure(const Directives& d, const CompileRecord& compile);

/// Verdict for a test that compiled although it says EXPECT_ERROR.
Verdict judge_unexpected_success(const Directives& d);

/// Applies XFAIL: a failure becomes xfail, a pass becomes xpass. Skips,
/// harness errors and interrupts are left alone: they say nothing of the test.
Verdict apply_xfail(const Directives& d, Verdict verdict);

/// Applies a known-failure list entry ("FILE:LINE"; empty: the test is not
/// listed). A failing status (failed, crashed, timeout, compile_error,
/// xpass) becomes xfail, "known failure, listed at FILE:LINE: <reason>". A
/// pass stays a pass and sets `fixed` (the line can go), unless `strict`
/// makes it xpass. Skips, harness errors and interrupts are left alone.
Verdict apply_known_failure(const std::string& listed_at, bool strict, Verdict verdict,
                            bool& fixed);

}  // namespace wyn
