#pragma once
// What the compiler did, whether it ran now or came from the cache: how to
// say why it failed, and whether a failure may be stored and replayed.

#include <string>

#include "process/subprocess.hpp"

namespace wyn {

struct CompilerOutcome {
  ProcessResult process;
  std::string log;  ///< its raw output
};

/// A sentence for the record: why the compiler did not produce a program.
std::string compile_failure_reason(const ProcessResult& result, double timeout);

/// Why a failed compile must not be replayed, or "" when it may: only a
/// verdict of the compiler on its input is worth replaying, not the machine
/// being short of something or the harness stopping the compiler.
std::string why_not_cacheable(const ProcessResult& p, const std::string& log);

}  // namespace wyn
