#pragma once
// wyn-cc, the C-compiler wrapper of the toolchain cache (docs/caching.md).
//
// wyn-compile puts a directory of links named clang, cc, gcc, wyn-cc and
// wyn-cc-CC (all this program) first on the Wyn compiler's PATH, sets WYN_CC
// to the wyn-cc link for the build generation, and tells the wrapper where
// things are; wyn-launch does the same for the processes of a script test
// (setup.hpp):
//
//   WYN_CTEST_CC_MEMO      the build directory's object memo (object_memo.hpp)
//   WYN_CTEST_CC_CACHE     the toolchain cache directory (ccache.hpp, counters.hpp)
//   WYN_CTEST_CC_CCACHE    the ccache program; unset: compile without ccache
//   WYN_CTEST_CC_REAL      the WYN_CC the user had, for the wyn-cc link
//   WYN_CTEST_CC_REAL_CC   the CC a script had, for the wyn-cc-CC link
//   WYN_CTEST_CC_COUNTERS  "scripts" for a script test's compiles: counted
//                          apart, objects keyed by their preprocessed source
//
// Invoked as NAME, the wrapper runs the next NAME on PATH that is not a
// wyn-cc (as ccache's masquerade mode does), so a user's own `clang` wrapper
// still runs; invoked as wyn-cc, the user's WYN_CC, else the first of cc,
// gcc and clang, as the Wyn compiler would have (wyn-cc-CC: the script's CC,
// else cc). Commands plan_cc_command() splits are compiled source by source
// through the memo and ccache, then linked; every other command is executed
// unchanged.

#include <string>
#include <vector>

namespace wyn {

/// The first `name` in the `path` list (':'-separated; Windows: ';', and
/// NAME.exe) that is an executable file and is not `self` (resolved
/// through links, or the same file), a program named ccache or wyn-cc, nor
/// the same file as a wyn-cc beside it (another wrapper's hard link); an
/// empty entry is the current directory. Empty when there is none.
std::string find_next_on_path(const std::string& name, const std::string& path,
                              const std::string& self);

/// The whole wrapper: returns an exit status, or replaces the process by the real compiler.
int run_wrapper(int argc, char** argv);

}  // namespace wyn
