#pragma once
// One compile step, as wyn-compile runs it for Ninja (see compile/main.cpp).

#include <string>
#include <vector>

#include "suite/suite_config.hpp"

namespace wyn {

/// Compiles the test in `test_dir` (or replays its outcome from the cache)
/// and writes compile.json, compile.d and compile-cache.json there. Returns
/// the exit code for Ninja: 0 unless a strict build met a compile failure or
/// invalid directives. Throws Error on a fault of the harness.
int compile(const std::string& test_dir);

/// The cache keys the compile steps of the suite in `suite_dir` would look
/// up now (tests whose step would not use the cache left out), worked out
/// without touching their directories: what the remote tier fetches in one
/// batch. Never throws.
std::vector<std::string> suite_cache_keys(const std::string& suite_dir, const SuiteConfig& suite);

}  // namespace wyn
