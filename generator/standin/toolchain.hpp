#pragma once
// The stand-in compiler's contact with the machine: files, finding the
// runtime sources, running the system C compiler, and the knobs that make a
// compile slow or crash on purpose.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "standin/parse.hpp"

namespace wyn::standin {

/// Reads a whole regular file; false when it cannot be opened or read.
bool read_file(const std::string& path, std::string& contents);

/// Creates or truncates `path` with `contents`. Returns "" or why it failed.
std::string write_file(const std::string& path, std::string_view contents);

/// "a/b" for "a/b/c.wyn", "/" for "/c.wyn", "" for "c.wyn".
std::string parent_directory(const std::string& path);

/// `name` inside `directory`; just `name` when `directory` is empty.
std::string join_path(const std::string& directory, const std::string& name);

/// `path` without the extension of its file name: "a/b.wyn" -> "a/b".
std::string strip_extension(const std::string& path);

/// The .c files of `directory`, sorted; empty unless it holds wyn_wrapper.c,
/// which is how the real legacy compiler recognises its runtime.
std::vector<std::string> runtime_sources(const std::string& directory);

/// Where the legacy compiler's runtime is: $WYN_ROOT/src when WYN_ROOT is set,
/// else the first of ./src, ../src, ./wyn/src holding wyn_wrapper.c. Empty when
/// none is found; `looked_in` then lists what was tried, for the error.
std::string find_legacy_runtime(std::string& looked_in);

/// Where the build compiler's runtime is: runtime/ beside its own binary.
std::string find_build_runtime();

/// The C compiler the stand-in was built with, by absolute path: what the
/// legacy front end uses in place of LLVM, out of reach of PATH.
std::vector<std::string> host_c_compiler();

/// The build generation's C compiler, as the real one picks it: $WYN_CC
/// split on blanks (the real one hands it to a shell, so "ccache gcc"
/// works), else the first of cc, gcc, clang found on PATH ("cc" if none is,
/// for the error message).
std::vector<std::string> build_c_compiler();

/// The codegen tag baked into this binary, which a copy of the binary can
/// have patched (see README.md, "A rebuilt compiler").
std::string codegen_tag();

/// $WYN_STANDIN_C_WEIGHT: filler functions for the build generation's C; 0 if unset.
int configured_c_weight();

/// $WYN_STANDIN_CC_FLAGS split on blanks: extra arguments for the C toolchain
/// command (legacy link, build compile), right after the compiler's name, so
/// that tests can give it flags a C-compiler wrapper does not know.
std::vector<std::string> configured_cc_flags();

/// `path` made safe to pass as an operand: "./-x.c" for "-x.c".
std::string operand(const std::string& path);

/// Runs `argv` (argv[0] without a '/' searched in PATH, never through a shell) with stdin from
/// /dev/null and this process's stdout and stderr, and waits for it. It stays in this process
/// group, so a harness that kills the compiler's group also kills the C compiler (Windows:
/// CreateProcessW, stdin from NUL, in this process's job). Defined in host_<platform>.cpp.
/// Returns "" when it exits 0, else a sentence saying how it failed.
std::string run_command(const std::vector<std::string>& argv);

/// Busy-loops until this process has used `ms` more milliseconds of CPU time.
void burn_cpu(int64_t ms);

/// Burns $WYN_STANDIN_CPU_MS of CPU, modelling the real legacy compiler's cost.
void burn_configured_cpu();

/// Carries out `// standin:` actions in order; abort and segv do not return.
void perform_actions(const std::vector<Action>& actions);

/// Whether diagnostics get ANSI colour: unless NO_COLOR is set and non-empty
/// (https://no-color.org).
bool use_colour();

/// Dies of `sig` as a crashing compiler or program does (SIGABRT through
/// abort()), minus the core file, which would otherwise land in the
/// developer's source tree.
[[noreturn]] void die_by(int sig);

}  // namespace wyn::standin
