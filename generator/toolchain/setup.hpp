#pragma once
// What wyn-compile does to put wyn-cc in front of the C compiler that the Wyn
// compiler runs, for the compiles the harness runs only, and wyn-launch in
// front of every C compiler a script test's processes run (see wrapper.hpp).

#include <string>
#include <vector>

#include "suite/test_spec.hpp"

namespace wyn {

/// Names under which wyn-cc stands in front of a C compiler (NAME.exe on Windows).
constexpr const char* kWrappedCompilers[] = {"clang", "cc", "gcc", "wyn-cc", "wyn-cc-CC"};

/// The directory of links to wyn-cc of one suite build directory.
std::string toolchain_bin_dir(const std::string& suite_dir);

/// The file of the wrapper program `wrapper`, which a build's configuration
/// may name without its executable suffix (Windows: `wyn-cc` for wyn-cc.exe).
std::string wrapper_program(const std::string& wrapper);

/// Creates `bin_dir`'s links to `wrapper` unless they are already there
/// (symbolic links; on Windows hard links named NAME.exe, see
/// ensure_program_link, and `wrapper` may be named without its .exe).
/// Safe against concurrent compile steps doing the same.
void ensure_wrapper_links(const std::string& bin_dir, const std::string& wrapper);

/// `env` (the compiler's environment, as captured at configure time, from
/// which the compile cache key is already computed) with the wrapper put in
/// front: its directory first on PATH (';'-separated on Windows), WYN_CC for
/// the build generation (its wyn-cc link, wyn-cc.exe on Windows; the user's
/// WYN_CC kept for the wrapper), and where the memo and the cache are.
/// Pure: no file system.
std::vector<std::string> toolchain_environment(const SuiteConfig& suite,
                                               const std::string& suite_dir,
                                               std::vector<std::string> env);

/// `env` (a script test's whole environment) with the wrapper in front of
/// every C compiler its processes run: its directory first on PATH (so `cc`,
/// `gcc`, `clang` and a Wyn compiler looking for one find it); WYN_CC and
/// CC, when set to one word other than those names (a path, `gcc-12`), the
/// wyn-cc and wyn-cc-CC links, their values kept for the wrapper; several
/// words are left as they are. The compiles are counted as the scripts' and
/// keyed by their preprocessed source. Every other variable is untouched.
/// Pure: no file system.
std::vector<std::string> script_toolchain_environment(const SuiteConfig& suite,
                                                      const std::string& suite_dir,
                                                      std::vector<std::string> env);

}  // namespace wyn
