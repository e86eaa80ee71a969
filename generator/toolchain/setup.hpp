#pragma once
// What wyn-compile does to put wyn-cc in front of the C compiler that the Wyn
// compiler runs, for the compiles the harness runs only (see wrapper.hpp).

#include <string>
#include <vector>

#include "suite/test_spec.hpp"

namespace wyn {

/// Names under which wyn-cc stands in front of a C compiler.
constexpr const char* kWrappedCompilers[] = {"clang", "cc", "gcc", "wyn-cc"};

/// The directory of links to wyn-cc of one suite build directory.
std::string toolchain_bin_dir(const std::string& suite_dir);

/// Creates `bin_dir`'s links to `wrapper` unless they are already there.
/// Safe against concurrent compile steps doing the same.
void ensure_wrapper_links(const std::string& bin_dir, const std::string& wrapper);

/// `env` (the compiler's environment, as captured at configure time, from
/// which the compile cache key is already computed) with the wrapper put in
/// front: its directory first on PATH, WYN_CC for the build generation (the
/// user's WYN_CC kept for the wrapper), and where the memo and the cache are.
/// Pure: no file system.
std::vector<std::string> toolchain_environment(const SuiteConfig& suite,
                                               const std::string& suite_dir,
                                               std::vector<std::string> env);

}  // namespace wyn
