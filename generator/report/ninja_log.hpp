#pragma once
// The build half of the timeline: the steps of the last build, read from
// Ninja's log (<build>/.ninja_log).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "report/run.hpp"

namespace wyn {

/// One line of .ninja_log (format 5 or 6). A step with several outputs
/// (CMake names each one relative and absolute) has one line per output,
/// with the same times and command hash.
struct NinjaLogEntry {
  long start_ms = 0;  ///< since its Ninja invocation began
  long end_ms = 0;
  double mtime = 0;    ///< Unix seconds: the output's modification time Ninja recorded; 0 unknown
  std::string output;  ///< as Ninja names it: relative to the build directory, or absolute
  std::string command_hash;
};

/// The lines of a .ninja_log text; malformed lines are skipped.
std::vector<NinjaLogEntry> parse_ninja_log(std::string_view log);

/// The steps of the last build, in Unix time.
///
/// The log holds times relative to the start of each Ninja invocation, and
/// CMake compacts it (rewriting it in no particular order) whenever it
/// regenerates, so the lines of one build are found by time, not position:
/// for a step whose output was written when it finished, mtime - end is
/// when its build began. Those instants cluster per build; the latest
/// cluster is the last build that wrote anything. Steps that left their
/// output untouched fall outside it and are not shown.
///
/// Lines of one step become one BuildStep. `compile_tests` maps the
/// absolute path of a test's compile.json to the test's name; those steps
/// are "compile" steps, named by the test, the others "build" steps, named
/// by their first output.
std::vector<BuildStep> last_build(const std::vector<NinjaLogEntry>& entries,
                                  const std::string& build_dir,
                                  const std::map<std::string, std::string>& compile_tests);

}  // namespace wyn
