#pragma once
// One compile step, as wyn-compile runs it for Ninja (see compile/main.cpp).

#include <string>

namespace wyn {

/// Compiles the test in `test_dir` (or replays its outcome from the cache)
/// and writes compile.json, compile.d and compile-cache.json there. Returns
/// the exit code for Ninja: 0 unless a strict build met a compile failure or
/// invalid directives. Throws Error on a fault of the harness.
int compile(const std::string& test_dir);

}  // namespace wyn
