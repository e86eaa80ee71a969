#pragma once
// What every report is written from: the test records of a run, or of all
// the shards of a run, and the build steps Ninja logged before it.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "records/record.hpp"

namespace wyn {

/// One step of the build (from .ninja_log), in Unix time.
struct BuildStep {
  std::string name;  ///< the test's name for a compile step, else Ninja's output path
  std::string kind;  ///< "compile" or "build" (registration, directory checks ...)
  double start = 0;
  double end = 0;
};

/// What one machine did: all of an unsharded run, or one shard.
struct MachineRun {
  std::string shard;  ///< "K/N", empty when the run was not sharded
  std::string hostname;
  std::vector<BuildStep> build_steps;  ///< the build since the previous report; may be empty
  std::vector<TestRecord> records;
};

/// One test whose generated code differs from the baseline's.
struct CodegenChange {
  std::string name;
  std::string codegen;          ///< what it is now: "c", "ll" or "executable" (compile.json)
  bool source_changed = false;  ///< the test's own source differs too
  std::string diff;             ///< unified diff of the two texts; empty without both texts
  std::string diff_file;        ///< where that diff is kept, or ""
};

/// Which tests' generated code differs from a baseline: the code the
/// previous report saw, or a saved one (report/codegen.hpp).
struct CodegenImpact {
  bool computed = false;  ///< false: no such section (merged reports)
  std::string baseline;   ///< "the previous run", or the saved baseline's name or directory
  bool pinned = false;    ///< the baseline is a saved one
  size_t compared = 0;    ///< tests with generated code both now and in the baseline
  std::vector<CodegenChange> changed;  ///< ordered by test name
};

/// The input of every report format.
struct Report {
  /// Who ran what, and when. Their records keep the times, status and
  /// reason, not the captured texts (output, diagnostics, diff): those are
  /// in `records` only, once.
  std::vector<MachineRun> machines;
  std::vector<TestRecord> records;  ///< every machine's records, ordered by test name
  CodegenImpact codegen;
};

/// Collects the machines' records into `records`, ordered by name: an order
/// that does not depend on how the tests were split between machines.
Report make_report(std::vector<MachineRun> machines);

/// This machine's name, or "localhost".
std::string local_hostname();

/// How a status appears in formats with fewer outcomes.
struct Presentation {
  const char* junit;  ///< child of <testcase>: "" (a pass), "failure", "error" or "skipped"
  const char* ctrf;   ///< CTRF status: passed, failed, skipped or other
};

/// xfail and flaky count as passed (CTest's view, see is_success), with the
/// raw status kept beside it; faults of the harness are JUnit errors.
Presentation present(Status status);

/// Where the time went.
struct TimeSplit {
  double compile_sum = 0;    ///< compile seconds summed over the tests
  double run_sum = 0;        ///< run seconds summed over the tests
  double compile_wall = -1;  ///< first to last compile step of the build, or -1 without one
  double run_wall = -1;      ///< first test start to last test end, or -1 when nothing ran
  int compiles = 0;          ///< compile steps in the build
};
TimeSplit time_split(const Report& report);

/// Earliest start and latest end of the runs (Unix seconds), or 0 and 0.
std::pair<double, double> run_interval(const std::vector<TestRecord>& records);

/// The test name without its suite ("geometry/areas" of "examples/geometry/areas").
std::string name_in_suite(const TestRecord& record);

/// The runs before the last of a test CTest ran more than once (ctest
/// --repeat): all of `attempts` but the last, which is the record itself.
std::vector<Attempt> earlier_attempts(const TestRecord& record);

/// "attempt 1 failed: reason; attempt 2 ..." for the earlier attempts.
std::string attempts_note(const TestRecord& record);

/// A script test's sub-checks, one line each as the scripts print them
/// ("  ok    what", "  FAIL  what (details)", "  skip  what (why)"); empty
/// when it reported none.
std::string subchecks_text(const TestRecord& record);

/// The tests of a known-failure list that passed: their lines can be deleted.
std::vector<const TestRecord*> fixed_tests(const std::vector<TestRecord>& records);

/// The suite of a record (its `suite`, or the name up to the first '/').
std::string suite_of(const TestRecord& record);

void to_json(nlohmann::json& j, const BuildStep& value);
void from_json(const nlohmann::json& j, BuildStep& value);

}  // namespace wyn
