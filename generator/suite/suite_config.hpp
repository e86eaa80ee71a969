#pragma once
// The settings cmake/WynTests.cmake hands to the tools, as JSON files it
// writes at configure time: one <suite build dir>/suite.json per suite and one
// <build>/wyn/report.json for the reporter. Read and validated here and
// nowhere else; docs/suite-config.md describes both files.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace wyn {

/// The layout version of suite.json and report.json (their "format" key).
constexpr int kConfigFormat = 1;

/// Per-suite settings, from wyn_add_tests() or wyn_add_script_tests() and
/// the WYN_* cache variables.
struct SuiteConfig {
  std::string name;            ///< the suite name, also a CTest label
  std::string root;            ///< absolute path of the suite directory
  std::string build_dir;       ///< absolute path of <build>/wyn/<suite id>
  std::string source_tree;     ///< the checkout (CMAKE_SOURCE_DIR), for location-independent keys
  std::string build_tree;      ///< the build directory (CMAKE_BINARY_DIR), likewise
  std::string compiler;        ///< absolute path of the Wyn compiler
  std::string compiler_style;  ///< "legacy" or "build"
  std::string wyn_root;        ///< legacy only: directory whose src/ holds the runtime
  std::vector<std::string> compiler_launcher;  ///< prepended to every compile command
  std::string exit_code = "zero";              ///< "zero" or "any"
  std::string no_expect = "run";               ///< "run" or "ignore"
  double timeout_seconds = 30;
  double compile_timeout_seconds = 600;
  double grace_seconds = 2;
  std::vector<std::string> labels;  ///< extra labels for every test of the suite
  bool strict_build = false;
  std::string launcher;  ///< absolute path of wyn-launch, for the CTest registration
  /// The command that runs the tools when they were cross-built
  /// (CMAKE_CROSSCOMPILING_EMULATOR, e.g. Wine): put before the launcher in
  /// every CTest command. Empty: the tools run themselves.
  std::vector<std::string> emulator;

  // Caching (see docs/caching.md).
  std::string compile_cache_dir;  ///< content-addressed compile cache; empty: off
  bool result_cache = false;      ///< skip re-running unchanged passing tests
  /// A remote behind the compile cache (HTTP GET/PUT); empty: none. The
  /// environment variables WYN_REMOTE_CACHE and WYN_REMOTE_CACHE_MODE
  /// override both settings at build time.
  std::string remote_cache;
  std::string remote_cache_mode = "read-write";  ///< or "read-only"
  /// The toolchain cache (wyn-cc in front of the C compiler): its directory
  /// (ccache's, the counters); empty: off.
  std::string toolchain_cache_dir;
  std::string ccache;      ///< the ccache program the toolchain cache uses
  std::string cc_wrapper;  ///< absolute path of wyn-cc

  // Sharding across machines: this build compiles and registers shard
  // `shard_index` (1-based) of `shard_count`, balanced by the durations in
  // `shard_durations` (a previous run's summary.json) when given.
  int shard_index = 1;
  int shard_count = 1;
  std::string shard_durations;

  // Limits of each test program (directives can override some of them).
  uint64_t memory_limit_mb = 4096;  ///< address space; 0: unlimited
  double cpu_limit_seconds = 0;     ///< RLIMIT_CPU; 0: unlimited
  uint64_t max_open_files = 1024;   ///< RLIMIT_NOFILE; 0: inherited
  bool core_dumps = false;
  uint64_t output_limit_mb = 10;     ///< stored output per stream; the rest is counted
  std::string leak_policy = "fail";  ///< "fail" or "warn" when a test leaves processes behind

  /// "wyn": .wyn programs compiled and run; "script": scripts run as they
  /// are (wyn_add_script_tests), with WYN naming the compiler.
  std::string kind = "wyn";
  /// Snapshot suites: "generated_c" (the compiler's NAME.wyn.c, not run) or
  /// "output" (the program's output), compared with <stem><snapshot_suffix>
  /// beside the source; empty for none.
  std::string snapshot;
  std::string snapshot_suffix;
  /// SNAPSHOT_FILTERS: pairs of an ECMAScript regular expression and its
  /// replacement, flattened, applied to each line of both sides after the
  /// built-in normalization.
  std::vector<std::string> snapshot_filters;
  std::vector<std::string> compile_args;  ///< extra compiler arguments, after the file
  /// Script suites: the scripts (absolute paths).
  std::vector<std::string> scripts;
  /// Where every program or script of the suite runs (absolute), shared by
  /// all of them. Empty: a script runs in the compiler's directory, a
  /// program in a fresh scratch directory of its test.
  std::string working_directory;
  /// Script suites: extra environment of each script ("NAME=VALUE"), and
  /// the arguments passed to each.
  std::vector<std::string> env;
  std::vector<std::string> args;
  /// The known-failure list (absolute path) and whether a listed test that
  /// passes fails (xpass) instead of being reported as fixed.
  std::string known_failures;
  bool known_failures_strict = false;
};

/// The settings as JSON, for keys that must change with them (the result
/// cache's). Files are read with parse_suite_config, which validates; this
/// layout is not that of suite.json. `scripts` is left out: the other
/// scripts of a suite cannot change one script's verdict.
void to_json(nlohmann::json& j, const SuiteConfig& value);
void from_json(const nlohmann::json& j, SuiteConfig& value);

/// Validates a parsed suite.json. Every problem throws Error naming `path`,
/// the key, what it must be and the CMake setting it comes from, e.g.
/// `suite.json: key "exit_code": EXIT_CODE must be one of zero, any, not 'x'
/// (default: WYN_EXIT_CODE)`. Unknown keys are errors too ("did you mean").
SuiteConfig parse_suite_config(const nlohmann::json& doc, const std::string& path);

/// Reads and validates the suite.json at `path`.
SuiteConfig read_suite_config(const std::string& path);

/// Reads <suite build dir>/suite.json.
SuiteConfig load_suite_config(const std::string& suite_build_dir);

/// The reports wyn-report can write besides summary.json, in the order it writes them.
extern const std::vector<std::string> kReportFormats;
/// The dialects of junit.xml.
extern const std::vector<std::string> kJunitFlavors;
/// The smallest output cap of the reports, in bytes.
constexpr uint64_t kMinReportOutputCap = 256;

/// What wyn-report needs to report the runs of one build (report.json).
struct ReportConfig {
  std::string report_dir;                ///< where the reports are written
  std::string build_dir;                 ///< the build directory (its .ninja_log)
  std::vector<std::string> suites;       ///< the build directory of each suite
  std::vector<std::string> formats;      ///< some of kReportFormats
  std::string junit_flavor = "default";  ///< one of kJunitFlavors
  uint64_t output_cap = 16384;           ///< bytes of output per test in the reports
};

/// Validates a parsed report.json; errors as for parse_suite_config.
ReportConfig parse_report_config(const nlohmann::json& doc, const std::string& path);

/// Reads and validates the report.json at `path`.
ReportConfig read_report_config(const std::string& path);

}  // namespace wyn
