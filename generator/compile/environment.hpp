#pragma once
// The compiler's environment (docs/caching.md, "The environment"): the
// variables it reads are captured at configure time into SUITE_DIR/compile.env,
// and every compile runs with those values, as CMake does with CC. A build
// then sees the environment of the last configure, and Ninja needs no step
// that runs on every build.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace wyn {

/// Environment variables the compiler, or the C toolchain it drives, reads.
/// Their values, captured at configure time, are part of the cache key.
inline constexpr const char* kCompilerEnvironment[] = {
    "WYN_ROOT", "PATH",           "CC",           "CFLAGS",          "CPPFLAGS", "LDFLAGS",
    "CPATH",    "C_INCLUDE_PATH", "LIBRARY_PATH", "LD_LIBRARY_PATH", "NO_COLOR", "WYN_CC",
};

/// The values of kCompilerEnvironment in `env` (null: unset): the part of
/// the key the environment contributes, and what compile.env records.
nlohmann::json compiler_environment(const std::vector<std::string>& env);

/// The compiler's environment: this process's, with the variables the
/// compiler reads set as SUITE_DIR/compile.env recorded them at configure
/// time (null: unset), so that what the build runs matches the cache key
/// and the dependency Ninja tracks, whatever the environment of the build.
/// Throws Error when compile.env is missing or unreadable.
std::vector<std::string> captured_environment(const std::string& suite_dir);

/// `wyn-compile --capture-environment SUITE_DIR`, run at configure time:
/// rewrites SUITE_DIR/compile.env only when a variable the compiler reads
/// changed, so that exactly then every compile step runs again (and asks
/// the cache).
int capture_environment(const std::string& suite_dir);

/// Removes every entry of `env` that starts with `prefix` ("NAME=" for one
/// variable, "NAME" for every variable whose name starts so).
void erase_environment(std::vector<std::string>& env, const std::string& prefix);

}  // namespace wyn
