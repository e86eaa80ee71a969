#include "launcher/check.hpp"

#include <cctype>
#include <csignal>
#include <initializer_list>

#include "process/subprocess.hpp"
#include "util/text.hpp"

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

/// Calls `take` with each comparable line (split as split_lines does) until
/// it returns false. Lines are views into `output`: judging 10 MiB of output
/// against three EXPECT lines must not copy it line by line.
template <typename Take>
void for_each_comparable_line(std::string_view output, Take take) {
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string_view::npos) end = output.size();
    std::string_view line = output.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (contains(line, "Building") || contains(line, "Built") || contains(line, "Compiled in") ||
        contains(line, "Warning:"))
      continue;
    if (!take(line)) return;
  }
}

std::string mib_text(uint64_t bytes) {
  if (bytes % (1 << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

bool contains_any(std::string_view text, std::initializer_list<std::string_view> needles) {
  for (std::string_view needle : needles)
    if (contains(text, needle)) return true;
  return false;
}

/// The program used up its CPU time: SIGXCPU at the soft limit, or the
/// SIGKILL the kernel sends at the hard limit a second later.
bool hit_cpu_limit(const RunOutcome& run) {
  if (run.limits.cpu_seconds == 0) return false;
  if (run.signal == SIGXCPU) return true;
  return run.signal == SIGKILL && !run.sent_sigkill &&
         run.cpu_seconds + 0.05 >= static_cast<double>(run.limits.cpu_seconds);
}

/// Why a failed program probably ran into the address-space limit, or "".
/// RLIMIT_AS makes allocations fail rather than kill, so the evidence is
/// what runtimes print then, or a peak RSS close to the limit.
std::string memory_evidence(const RunOutcome& run) {
  if (run.limits.memory_mb == 0) return "";
  if (contains_any(run.output,
                   {"Cannot allocate memory", "out of memory", "Out of memory", "OUT OF MEMORY",
                    "bad_alloc", "memory allocation of", "MemoryError", "failed to allocate",
                    "Failed to allocate", "allocation failed", "Allocation failed"}))
    return "an allocation failed";
  const double limit_kib = static_cast<double>(run.limits.memory_mb) * 1024;
  if (run.max_rss_kib > 0 && static_cast<double>(run.max_rss_kib) >= 0.9 * limit_kib)
    return "its peak RSS was " + std::to_string(run.max_rss_kib / 1024) + " MiB";
  return "";
}

}  // namespace

std::vector<std::string> comparable_lines(std::string_view output) {
  std::vector<std::string> lines;
  for_each_comparable_line(output, [&](std::string_view line) {
    lines.emplace_back(line);
    return true;
  });
  return lines;
}

std::vector<DiffLine> diff_expectations(const std::vector<ExpectLine>& expect,
                                        std::string_view output) {
  std::vector<DiffLine> diff;
  size_t i = 0;
  for_each_comparable_line(output, [&](std::string_view line) {
    if (i >= expect.size()) return false;
    if (line != expect[i].text)
      diff.push_back({static_cast<int>(i) + 1, expect[i].text, to_valid_utf8(line), false});
    return ++i < expect.size();
  });
  for (; i < expect.size(); ++i)
    diff.push_back({static_cast<int>(i) + 1, expect[i].text, "", true});
  return diff;
}

namespace {

/// The verdict on what the program did, before limits and leaks are considered.
Verdict judge_behaviour(const Directives& d, const std::string& exit_policy,
                        const RunOutcome& run) {
  if (run.signal) {
    std::string reason = "the program was killed by " + signal_name(run.signal);
    if (run.signal == SIGKILL && !run.sent_sigkill)
      reason += " (not sent by the harness: the kernel's out-of-memory killer?)";
    return {Status::crashed, reason, {}, {}};
  }
  // Wrong output is the most useful thing to show, so it is checked before the exit code.
  std::vector<DiffLine> diff = diff_expectations(d.expect, run.output);
  if (!diff.empty()) return {Status::failed, diff_reason(diff), diff, {}};

  if (d.expect_exit >= 0) {
    if (run.exit_code != d.expect_exit)
      return {Status::failed,
              "exit code " + std::to_string(run.exit_code) + ", expected " +
                  std::to_string(d.expect_exit),
              {},
              {}};
  } else if (exit_policy == "zero" && run.exit_code != 0) {
    return {Status::failed,
            "exit code " + std::to_string(run.exit_code) +
                ", expected 0 (EXIT_CODE policy 'zero'; add // EXPECT_EXIT: " +
                std::to_string(run.exit_code) + " if it is intended)",
            {},
            {}};
  }
  return {Status::passed, "", {}, {}};
}

}  // namespace

Verdict judge_run(const Directives& d, const std::string& exit_policy, const RunOutcome& run) {
  if (run.interrupted)
    return {Status::interrupted,
            "the run was interrupted by " + signal_name(run.interrupt_signal),
            {},
            {}};
  if (!run.started)
    return {Status::harness_error, "the program could not be started: " + run.spawn_error, {}, {}};
  if (run.output_limit_exceeded)
    return {Status::failed,
            "stopped for writing more than the output limit of " +
                mib_text(run.limits.output_bytes) + " (" + std::to_string(run.output_bytes) +
                " bytes before it died; raise it with // OUTPUT_LIMIT: or WYN_OUTPUT_LIMIT_MB)",
            {},
            "output"};
  if (run.timed_out) {
    std::string reason = "timed out after " +
                         std::to_string(static_cast<int>(run.timeout_seconds)) + " s; " +
                         timeout_target() + " was terminated";
    return {Status::timeout, reason, {}, {}};
  }
  if (hit_cpu_limit(run))
    return {Status::failed,
            "exceeded the CPU limit of " + std::to_string(run.limits.cpu_seconds) +
                " s (killed by " + signal_name(run.signal) +
                "; raise it with // CPU_LIMIT: or WYN_CPU_LIMIT)",
            {},
            "cpu"};

  Verdict verdict = judge_behaviour(d, exit_policy, run);
  if (verdict.status != Status::passed) {
    const std::string evidence = memory_evidence(run);
    if (!evidence.empty()) {
      verdict.reason =
          "ran into the memory limit of " + std::to_string(run.limits.memory_mb) + " MiB (" +
          evidence + "; raise it with // MEMORY_LIMIT: or WYN_MEMORY_LIMIT_MB): " + verdict.reason;
      verdict.status = Status::failed;
      verdict.limit = "memory";
    } else if (run.limits.open_files > 0 && contains(run.output, "Too many open files")) {
      verdict.reason =
          "ran into the limit of " + std::to_string(run.limits.open_files) +
          " open files (raise it with // OPEN_FILES: or WYN_MAX_OPEN_FILES): " + verdict.reason;
      verdict.status = Status::failed;
      verdict.limit = "open_files";
    }
    return verdict;
  }
  if (run.leaked) {
    std::string what = "the program left ";
    what += run.leaked_processes > 0 ? std::to_string(run.leaked_processes) + " processes"
                                     : std::string("processes");
    what += " behind that kept running or held its output after it exited (killed)";
    if (run.limits.leak_policy == "warn") return {Status::passed, "warning: " + what, {}, {}};
    return {Status::failed, what, {}, {}};
  }
  return verdict;
}

Verdict judge_attempts(const std::vector<Attempt>& earlier, Verdict last) {
  if (earlier.empty()) return last;
  const std::string attempt = "attempt " + std::to_string(earlier.size() + 1);
  const Attempt* first_failure = nullptr;
  size_t passes = 0;
  for (const Attempt& a : earlier) {
    if (!is_success(a.status) && !first_failure) first_failure = &a;
    if (a.status == Status::passed || a.status == Status::flaky) ++passes;
  }
  if (last.status == Status::passed && first_failure) {
    last.status = Status::flaky;
    last.reason = "passed on " + attempt + " after " + std::to_string(earlier.size() - passes) +
                  " failed; first failure: " + status_name(first_failure->status) + ": " +
                  first_failure->reason;
  } else if (!is_success(last.status) && passes > 0) {
    last.reason += " (" + attempt + "; " + std::to_string(passes) +
                   " earlier attempts passed: the test is flaky)";
  }
  return last;
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

namespace wyn {

Verdict apply_known_failure(const std::string& listed_at, bool strict, Verdict verdict,
                            bool& fixed) {
  fixed = false;
  if (listed_at.empty()) return verdict;
  switch (verdict.status) {
    case Status::passed:
      if (strict)
        return {Status::xpass,
                "passed, but it is listed as a known failure at " + listed_at +
                    " (strict): delete that line",
                {}};
      fixed = true;
      verdict.reason = "fixed: listed as a known failure at " + listed_at + "; delete that line";
      return verdict;
    case Status::failed:
    case Status::crashed:
    case Status::timeout:
    case Status::compile_error:
    case Status::xpass:
      verdict.reason = "known failure, listed at " + listed_at + ": " + verdict.reason;
      verdict.status = Status::xfail;
      return verdict;
    default:
      return verdict;
  }
}

}  // namespace wyn
