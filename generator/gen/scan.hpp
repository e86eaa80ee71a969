#pragma once
// Configure-time half of the generator: finds the .wyn files of one suite,
// validates their directives, and writes what CMake and the other tools read.

#include <string>
#include <vector>

#include "suite/directives.hpp"
#include "suite/test_spec.hpp"

namespace wyn {

/// One .wyn file found under a suite root.
struct FoundFile {
  std::string relative;  ///< relative to the root, '/'-separated
  std::string absolute;
};

/// Lists every .wyn file below `root` in byte order of their relative paths.
/// Symbolically linked directories are not entered; hidden entries (".name")
/// are counted in `hidden`, not listed. File names that no later step can
/// carry faithfully (a newline, invalid UTF-8, a link leading out of the
/// root) are added to `errors`, never dropped silently.
/// `directories` receives every directory entered (the root first), as
/// paths relative to the root ("" for the root); `linked_dirs` the links to
/// directories that were not followed. A .wyn entry that is not a regular
/// file (a FIFO, a link loop) is an error too.
std::vector<FoundFile> find_wyn_files(const std::string& root, int& hidden,
                                      std::vector<Diagnostic>& errors,
                                      std::vector<std::string>* directories = nullptr,
                                      std::vector<std::string>* linked_dirs = nullptr);

/// What decides whether the suite must be scanned again: the file and
/// directory lists, not their contents.
std::string fileset_fingerprint(const std::vector<FoundFile>& files,
                                const std::vector<std::string>& directories, int hidden,
                                size_t errors);

/// The build directory name of a test: readable, free of characters that
/// need quoting anywhere, and unique (a hash of the exact relative path).
std::string test_id(const std::string& relative);

/// The test name "<suite>/<relative path without .wyn>".
std::string test_name(const std::string& suite, const std::string& relative);

/// Quotes `text` as a CMake bracket argument whose '=' count makes it unable
/// to end early, so no character of a file name is ever interpreted by CMake.
std::string cmake_bracket(const std::string& text);

/// The settings compile steps depend on, as text: compile steps are
/// re-run when it changes.
std::string compile_key(const SuiteConfig& config);

/// A test as a known-failure list names it: its path relative to the suite
/// (or its file name alone), and its test name.
struct ListedName {
  std::string relative;
  std::string test_name;
};

/// Reads the suite's known-failure list (config.known_failures), matches
/// its lines with `tests` by file name or relative path, and writes
/// <build dir>/known-failures.json (test name -> "FILE:LINE" and kind) for
/// the launcher. Malformed lines and names matching no test are warnings
/// printed as "wyn-gen: warning: FILE:LINE: ...", never errors. Throws
/// Error when the list cannot be read.
void write_known_failures(const SuiteConfig& config, const std::vector<ListedName>& tests);

/// Runs the scan of `config.root` into `config.build_dir`; prints a one-line
/// account of what was found and returns 0, or prints every error and returns 1.
/// A problem of one file (bad directives, an unreadable or unregistrable
/// file) is a warning on stderr, never an error: the rest of the suite runs,
/// and a test file with bad directives fails as a harness_error naming the line.
int run_scan(const SuiteConfig& config);

/// Build-time check, run by Ninja when a suite directory's mtime moves (a
/// file added, removed or renamed, or an editor's temporary file): rewrites
/// <suite build dir>/fileset.stamp only when the set of files changed, which
/// makes Ninja re-run CMake. Content edits never get here.
int run_check(const std::string& suite_build_dir);

/// The configure step of a script suite (wyn_add_script_tests): one test
/// per script, registered at once (nothing is built). Returns 0, or prints
/// the errors and returns 1.
int run_script_scan(const SuiteConfig& config, const std::vector<std::string>& scripts);

}  // namespace wyn
