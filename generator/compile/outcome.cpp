#include "compile/outcome.hpp"

#include <cerrno>
#include <cstring>

#include "util/text.hpp"

namespace wyn {

std::string compile_failure_reason(const ProcessResult& result, double timeout) {
  if (!result.started) return "the compiler could not be started: " + result.spawn_error;
  if (result.timed_out)
    return "the compiler did not finish within " + std::to_string(static_cast<int>(timeout)) + " s";
  if (result.signal) return "the compiler crashed with " + signal_name(result.signal);
  return "the compiler exited with status " + std::to_string(result.exit_code);
}

std::string why_not_cacheable(const ProcessResult& p, const std::string& log) {
  if (!p.started) return "the compiler did not start";
  if (p.timed_out) return "the compiler timed out";
  if (p.signal != 0) {
    // A compiler crashing on an input is deterministic; being killed is not.
    if (!is_crash_signal(p.signal)) return "the compiler was killed by " + signal_name(p.signal);
  }
  // The compiler's own spawn of clang failing for lack of processes (the real
  // suites saw it at -j20) is a momentary state of the machine.
  for (int err : {EAGAIN, ENOMEM, EMFILE, ENFILE, ENOSPC})
    if (contains(log, std::strerror(err))) return std::string("transient: ") + std::strerror(err);
  if (contains(log, "out of memory") || contains(log, "Out of memory"))
    return "transient: out of memory";
  return "";
}

}  // namespace wyn
