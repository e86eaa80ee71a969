#include "launcher/check.hpp"

#include <cctype>

#include "core/subprocess.hpp"
#include "core/text.hpp"

namespace wyn {

namespace {

std::string in_quotes(std::string_view s) { return "'" + to_valid_utf8(s) + "'"; }

std::string diff_reason(const std::vector<DiffLine>& diff) {
  const DiffLine& first = diff.front();
  std::string reason;
  if (first.missing_actual) {
    reason = "output ended before line " + std::to_string(first.line) + ", expected " +
             in_quotes(first.expected);
  } else {
    reason = "output line " + std::to_string(first.line) + " is " + in_quotes(first.actual) +
             ", expected " + in_quotes(first.expected);
  }
  if (diff.size() > 1) reason += " (and " + std::to_string(diff.size() - 1) + " more lines differ)";
  return reason;
}

}  // namespace

std::vector<std::string> comparable_lines(std::string_view output) {
  std::vector<std::string> lines;
  for (std::string& line : split_lines(output)) {
    if (contains(line, "Building") || contains(line, "Built") || contains(line, "Compiled in") ||
        contains(line, "Warning:"))
      continue;
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<DiffLine> diff_expectations(const std::vector<ExpectLine>& expect,
                                        std::string_view output) {
  const std::vector<std::string> lines = comparable_lines(output);
  std::vector<DiffLine> diff;
  for (size_t i = 0; i < expect.size(); ++i) {
    const int line = static_cast<int>(i) + 1;
    if (i >= lines.size()) {
      diff.push_back({line, expect[i].text, "", true});
    } else if (lines[i] != expect[i].text) {
      diff.push_back({line, expect[i].text, to_valid_utf8(lines[i]), false});
    }
  }
  return diff;
}

Verdict judge_run(const Directives& d, const std::string& exit_policy, const RunOutcome& run) {
  if (run.interrupted)
    return {Status::interrupted, "the run was interrupted by " + signal_name(run.interrupt_signal), {}};
  if (!run.started) return {Status::harness_error, "the program could not be started: " + run.spawn_error, {}};
  if (run.timed_out) {
    std::string reason = "timed out after " + std::to_string(static_cast<int>(run.timeout_seconds)) +
                         " s; the process group was terminated";
    return {Status::timeout, reason, {}};
  }
  if (run.signal)
    return {Status::crashed, "the program was killed by " + signal_name(run.signal), {}};

  // Wrong output is the most useful thing to show, so it is checked before the exit code.
  Verdict verdict;
  verdict.diff = diff_expectations(d.expect, run.output);
  if (!verdict.diff.empty()) return {Status::failed, diff_reason(verdict.diff), verdict.diff};

  if (d.expect_exit >= 0) {
    if (run.exit_code != d.expect_exit)
      return {Status::failed,
              "exit code " + std::to_string(run.exit_code) + ", expected " +
                  std::to_string(d.expect_exit),
              {}};
  } else if (exit_policy == "zero" && run.exit_code != 0) {
    return {Status::failed,
            "exit code " + std::to_string(run.exit_code) +
                ", expected 0 (EXIT_CODE policy 'zero'; add // EXPECT_EXIT: " +
                std::to_string(run.exit_code) + " if it is intended)",
            {}};
  }
  if (run.leaked)
    return {Status::failed,
            "the program left processes behind that kept running after it exited (killed)",
            {}};
  return {Status::passed, "", {}};
}

Verdict judge_compile_failure(const Directives& d, const CompileRecord& compile) {
  const std::string diagnostics = strip_ansi(compile.diagnostics);
  if (compile.status == "harness_error") return {Status::harness_error, compile.reason, {}};
  if (d.has_expect_error) {
    if (compile.signal.empty() && !compile.timed_out && contains(diagnostics, d.expect_error))
      return {Status::passed, "", {}};
    return {Status::failed,
            compile.reason + ", but its diagnostics do not contain " + in_quotes(d.expect_error),
            {}};
  }
  // The line people need is the first one that reports an error; compilers
  // print progress ("Building ...") before it.
  std::string first_line;
  for (const std::string& line : split_lines(diagnostics)) {
    std::string lower(trim(line));
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (contains(lower, "error:") || contains(lower, "error at ") || contains(lower, "error in ")) {
      first_line = std::string(trim(line));
      break;
    }
    if (first_line.empty() && !lower.empty() && comparable_lines(line).size() == 1)
      first_line = std::string(trim(line));
  }
  std::string reason = compile.reason;
  if (!first_line.empty()) reason += ": " + first_line;
  return {Status::compile_error, reason, {}};
}

Verdict judge_unexpected_success(const Directives& d) {
  return {Status::failed,
          "compiled successfully, but EXPECT_ERROR expects a diagnostic containing " +
              in_quotes(d.expect_error),
          {}};
}

Verdict apply_xfail(const Directives& d, Verdict verdict) {
  if (!d.xfail) return verdict;
  switch (verdict.status) {
    case Status::passed:
      return {Status::xpass, "passed, but it is marked XFAIL: " + d.xfail_reason, {}};
    case Status::failed:
    case Status::crashed:
    case Status::timeout:
    case Status::compile_error:
      verdict.reason = "expected failure (" + d.xfail_reason + "): " + verdict.reason;
      verdict.status = Status::xfail;
      return verdict;
    default:
      return verdict;
  }
}

}  // namespace wyn
