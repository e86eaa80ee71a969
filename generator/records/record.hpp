#pragma once
// The records the tools exchange: the compile step writes a CompileRecord
// (<test dir>/compile.json), the launcher a TestRecord (<test dir>/result.json),
// the reporter reads both. docs/records.md describes the JSON for consumers.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "suite/directives.hpp"

namespace wyn {

/// Outcome of one test. `unknown` comes first so that a value this version
/// does not know reads as unknown rather than as a pass.
enum class Status {
  unknown,
  passed,
  failed,
  compile_error,
  crashed,
  timeout,
  skipped,
  xfail,
  xpass,
  harness_error,
  interrupted,
  flaky,  ///< failed, then passed when CTest ran it again (--repeat until-pass:N)
};

NLOHMANN_JSON_SERIALIZE_ENUM(Status, {
                                         {Status::unknown, "unknown"},
                                         {Status::passed, "passed"},
                                         {Status::failed, "failed"},
                                         {Status::compile_error, "compile_error"},
                                         {Status::crashed, "crashed"},
                                         {Status::timeout, "timeout"},
                                         {Status::skipped, "skipped"},
                                         {Status::xfail, "xfail"},
                                         {Status::xpass, "xpass"},
                                         {Status::harness_error, "harness_error"},
                                         {Status::interrupted, "interrupted"},
                                         {Status::flaky, "flaky"},
                                     })

/// The statuses in report order.
const std::vector<Status>& all_statuses();
std::string status_name(Status status);
/// True for the statuses CTest counts as passing or skipped, not failing.
bool is_success(Status status);

/// What a compile step found and did. `kind` says what the file is at the
/// time it was compiled: "test", "module" (no expectations and no main:
/// imported by others, never compiled alone) or "ignored" (no expectations
/// under NO_EXPECT=ignore).
struct CompileRecord {
  std::string schema = "wyn-ctest/compile/1";
  std::string name;
  std::string source;
  std::string source_hash;  ///< FNV-1a of the source bytes that were compiled
  std::string kind;
  /// "compiled", "failed" (the compiler rejected it or crashed),
  /// "not_compiled" (module, ignored, skipped or invalid directives) or "harness_error".
  std::string status;
  std::string reason;  ///< for "failed" and "harness_error": a sentence for people
  Directives directives;
  std::vector<std::string> directive_errors;  ///< "file:line: message"
  std::vector<std::string> imports;           ///< absolute paths of the staged modules
  std::vector<std::string> command;           ///< the compiler's argv
  int exit_code = -1;
  std::string signal;  ///< e.g. "SIGABRT" when the compiler crashed
  bool timed_out = false;
  double seconds = 0;
  std::string diagnostics;  ///< the compiler's output, ANSI escapes removed, valid UTF-8
  std::string executable;   ///< absolute path, empty unless compiled
  /// What the compiler generated, for "compiled": "c" (a build-style
  /// compiler's NAME.wyn.c), "ll" (a legacy compiler's NAME.ll) or
  /// "executable" when it left neither; its SHA-256 and where its text is kept.
  std::string codegen;
  std::string codegen_hash;
  std::string codegen_file;  ///< absolute path; empty for "executable"
};

/// One EXPECT line the output did not match. Output after the last EXPECT
/// line is not compared, so every DiffLine has an expected line.
struct DiffLine {
  int line = 0;                 ///< 1-based output line
  std::string expected;         ///< the EXPECT line's text
  std::string actual;           ///< the output line; empty with missing_actual
  bool missing_actual = false;  ///< the output ended before this expected line
};

/// One sub-check a script test reported in its output (`  ok    what`,
/// `  FAIL  what (details)`, `  skip  what (why)`, TAP `ok 1 - what` /
/// `not ok 2 - what`).
struct SubCheck {
  std::string name;
  bool ok = false;       ///< did not fail: true for a skipped sub-check too
  std::string details;   ///< the parenthesised text after a FAIL or a skip, if any
  int line = 0;          ///< 1-based line of the output
  bool skipped = false;  ///< the script said it did not run this check
};

/// One earlier run of a test in the same ctest invocation (ctest --repeat).
struct Attempt {
  Status status = Status::unknown;
  std::string reason;
  double start_time = 0;
  double run_seconds = 0;
};

/// Seconds since the epoch, as records store start times.
double unix_time_now();

/// The launcher's verdict on one test.
struct TestRecord {
  std::string schema = "wyn-ctest/result/1";
  std::string name;
  std::string suite;
  std::string source;
  Status status = Status::unknown;
  std::string reason;
  std::vector<std::string> labels;
  int exit_code = -1;                     ///< when the program exited normally
  std::string signal;                     ///< terminating signal name, e.g. "SIGSEGV"
  std::vector<std::string> signals_sent;  ///< by the harness: "SIGTERM", "SIGKILL"
  bool leaked = false;
  /// The limit the program ran into: "memory", "cpu", "output", "open_files", or empty.
  std::string limit_exceeded;
  long max_rss_kib = 0;    ///< peak resident memory of the program
  double cpu_seconds = 0;  ///< user + system time of the program
  double compile_seconds = 0;
  double run_seconds = 0;
  double start_time = 0;  ///< Unix time the run started
  std::string output;     ///< excerpt of stdout+stderr as the program wrote them, valid UTF-8
  uint64_t output_bytes = 0;
  std::string output_hash;  ///< FNV-1a of every output byte
  std::string output_file;  ///< the full (capped) raw output
  std::vector<DiffLine> diff;
  std::string diagnostics;  ///< compiler diagnostics, for compile errors
  std::string test_dir;
  bool cached = false;
  /// Every run of the test in this ctest invocation, this one last, when
  /// there was more than one (ctest --repeat); empty otherwise.
  std::vector<Attempt> attempts;
  /// Script tests: the sub-checks parsed from the output, in order.
  std::vector<SubCheck> subchecks;
  /// Snapshot suites: the snapshot file compared with, the whole unified
  /// diff when it differed, and whether WYN_BLESS wrote it in this run.
  std::string snapshot_file;
  std::string snapshot_diff;
  bool snapshot_written = false;
  /// Suites with a known-failure list: "FILE:LINE" of the test's entry, and
  /// whether the listed test passed (the line can be deleted).
  std::string known_failure;
  bool fixed = false;
  std::string launcher_version = WYN_CTEST_VERSION;
};

void to_json(nlohmann::json& j, const Directives& d);
void from_json(const nlohmann::json& j, Directives& d);
void to_json(nlohmann::json& j, const DiffLine& value);
void from_json(const nlohmann::json& j, DiffLine& value);
void to_json(nlohmann::json& j, const CompileRecord& value);
void from_json(const nlohmann::json& j, CompileRecord& value);
void to_json(nlohmann::json& j, const Attempt& value);
void from_json(const nlohmann::json& j, Attempt& value);
void to_json(nlohmann::json& j, const SubCheck& value);
void from_json(const nlohmann::json& j, SubCheck& value);
void to_json(nlohmann::json& j, const TestRecord& value);
void from_json(const nlohmann::json& j, TestRecord& value);

}  // namespace wyn
