// The launcher's work for one test: run, limit, capture, judge, record
// (launch.hpp). wyn-launch (main.cpp) is the command around it.

#include "launcher/launch.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "cache/result/result_cache.hpp"
#include "launcher/check.hpp"
#include "launcher/snapshot.hpp"
#include "launcher/subchecks.hpp"
#include "process/subprocess.hpp"
#include "records/record.hpp"
#include "suite/known_failures.hpp"
#include "suite/test_spec.hpp"
#include "toolchain/setup.hpp"
#include "util/fs.hpp"
#include "util/hash.hpp"
#include "util/json_io.hpp"
#include "util/text.hpp"

namespace wyn {
namespace {

/// The test's own TMPDIR: a fresh directory under the system's (the
/// launcher's TMPDIR, else /tmp), removed when the test is over. Not inside
/// the build tree: real compilers and scripts build shell commands in
/// fixed-size buffers, and a temporary path as long as a build directory's
/// makes them fail where the reference runners, which leave TMPDIR alone,
/// pass. Where none can be made, one inside the scratch directory.
class TempDir {
 public:
  explicit TempDir(const std::string& scratch) {
    m_path = make_temp_directory(system_temp_directory() + "/wyn-");
    if (!m_path.empty()) {
      m_owned = true;
    } else {
      m_path = scratch + "/tmp";
      make_directories(m_path);
    }
  }
  ~TempDir() {
    if (m_owned) remove_tree(m_path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
  bool m_owned = false;
};

constexpr int kSkipExitCode = 77;
constexpr size_t kOutputExcerpt = 16 * 1024;
/// How long descendants may hold the output pipes after the program exited
/// before they count as leaked: short, so a stray daemon costs a test little.
constexpr double kDrainSeconds = 0.5;

/// The mark wyn-report writes when a ctest invocation starts
/// (<build>/wyn-report/.run-start; suites live in <build>/wyn/<suite id>).
std::string run_start_marker(const SuiteConfig& suite) {
  return parent_path(parent_path(suite.build_dir)) + "/wyn-report/.run-start";
}

/// The runs of this test earlier in the same ctest invocation (ctest
/// --repeat runs the launcher once per attempt): the record it left, if it
/// was written since the invocation started.
std::vector<Attempt> earlier_attempts(const SuiteConfig& suite, const std::string& record_path) {
  const double started = mtime_of(run_start_marker(suite));
  const double written = mtime_of(record_path);
  if (started < 0 || written < started) return {};
  TestRecord previous;
  try {
    previous = read_json_as<TestRecord>(record_path);
  } catch (const std::exception& e) {
    return {{Status::harness_error, std::string("unreadable record: ") + e.what(), 0, 0}};
  }
  if (!previous.attempts.empty()) return previous.attempts;
  return {{previous.status, previous.reason, previous.start_time, previous.run_seconds}};
}

/// Written before anything else, so a launcher that dies without a verdict
/// (kill -9, a crash) leaves an error behind, never the last run's pass.
void write_placeholder(const TestRecord& base, const std::string& record_path) {
  TestRecord placeholder = base;
  placeholder.status = Status::harness_error;
  placeholder.reason =
      "the launcher did not finish: it was killed or crashed before it recorded a verdict";
  placeholder.start_time = unix_time_now();
  write_json_file(record_path, placeholder);
}

void print_account(const TestRecord& r) {
  std::printf("wyn: %s: %s%s%s%s\n", r.name.c_str(), status_name(r.status).c_str(),
              r.cached ? " (cached)" : "", r.reason.empty() ? "" : ": ", r.reason.c_str());
  std::printf("  source: %s\n", r.source.c_str());
  for (const DiffLine& line : r.diff) {
    if (line.missing_actual)
      std::printf("  line %d: expected '%s', output ended\n", line.line, line.expected.c_str());
    else
      std::printf("  line %d: expected '%s'\n          actual   '%s'\n", line.line,
                  line.expected.c_str(), line.actual.c_str());
  }
  if (!r.diagnostics.empty()) std::printf("--- compiler output ---\n%s\n", r.diagnostics.c_str());
  for (const SubCheck& c : r.subchecks) {
    const char* mark = c.skipped ? "skip" : c.ok ? "ok  " : "FAIL";
    std::printf("  %s  %s%s%s%s\n", mark, c.name.c_str(), c.details.empty() ? "" : " (",
                c.details.c_str(), c.details.empty() ? "" : ")");
  }
  if (r.snapshot_written) std::printf("wyn: snapshot written: %s\n", r.snapshot_file.c_str());
  if (!r.snapshot_diff.empty()) std::printf("--- snapshot diff ---\n%s", r.snapshot_diff.c_str());
  if (!r.output.empty() && !is_success(r.status))
    std::printf("--- program output (%llu bytes) ---\n%s\n",
                static_cast<unsigned long long>(r.output_bytes), r.output.c_str());
  std::fflush(stdout);
}

int exit_code_for(Status status) {
  if (status == Status::skipped) return kSkipExitCode;
  return is_success(status) ? 0 : 1;
}

/// The limits of one test: its directives, else the suite's settings.
RunLimits limits_for(const SuiteConfig& suite, const Directives& d) {
  RunLimits limits;
  limits.memory_mb =
      d.memory_limit_mb >= 0 ? static_cast<uint64_t>(d.memory_limit_mb) : suite.memory_limit_mb;
  limits.cpu_seconds = d.cpu_limit_seconds >= 0
                           ? static_cast<uint64_t>(d.cpu_limit_seconds)
                           : static_cast<uint64_t>(std::ceil(suite.cpu_limit_seconds));
  limits.open_files =
      d.open_files >= 0 ? static_cast<uint64_t>(d.open_files) : suite.max_open_files;
  const uint64_t output_mb =
      d.output_limit_mb > 0 ? static_cast<uint64_t>(d.output_limit_mb) : suite.output_limit_mb;
  limits.output_bytes = output_mb << 20;
  limits.leak_policy = suite.leak_policy;
  return limits;
}

/// What to run: the test's program with its ARGS, or a script.
struct Command {
  std::vector<std::string> argv;
  std::string cwd;               ///< empty: the scratch directory
  std::vector<std::string> env;  ///< NAME=value, after the inherited ones
  bool toolchain = false;        ///< wyn-cc in front of every C compiler it runs
};

/// Why `dir` cannot be a working directory ("No such file or directory"),
/// or "" when it can.
std::string unusable_directory(const std::string& dir) {
  FileStat st;
  if (!stat_file(dir, st)) return std::strerror(errno);
  return st.directory ? "" : "not a directory";
}

/// The environment with `overrides` replacing the variables they name
/// (the child's getenv() would see the first of two entries).
std::vector<std::string> environment_with(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (const std::string& entry : current_environment()) {
    const std::string name = entry.substr(0, entry.find('=') + 1);
    bool replaced = false;
    for (const std::string& o : overrides) replaced |= o.compare(0, name.size(), name) == 0;
    if (!replaced) env.push_back(entry);
  }
  env.insert(env.end(), overrides.begin(), overrides.end());
  return env;
}

/// Runs the program and fills in the run part of the record; `output`
/// receives everything it wrote (up to the capture limit).
Verdict run_program(const SuiteConfig& suite, const TestSpec& spec, const CompileRecord& compile,
                    const Command& command, TestRecord& record, std::string& output) {
  if (int sig = InterruptGuard::received())
    return {Status::interrupted,
            "the run was interrupted by " + signal_name(sig) + " before it started",
            {},
            {}};
  // Checked here rather than left to the spawn, whose message could not
  // name the suite whose setting it is.
  if (!command.cwd.empty()) {
    const std::string problem = unusable_directory(command.cwd);
    if (!problem.empty())
      return {Status::harness_error,
              "the working directory of suite " + suite.name + ", " + command.cwd +
                  ", cannot be entered: " + problem,
              {},
              {}};
  }
  const Directives& d = compile.directives;
  const std::string scratch = spec.test_dir + "/run";
  // An empty scratch directory from the last run is used as it is: removing
  // and making a directory is a measurable part of the launcher's cost.
  if (!is_empty_directory(scratch)) {
    remove_tree(scratch);
    make_directories(scratch);
  }
  const TempDir tmp(scratch);

  SpawnOptions options;
  options.argv = command.argv;
  options.cwd = command.cwd.empty() ? scratch : command.cwd;
  std::vector<std::string> overrides = command.env;
  for (const EnvSetting& e : d.env) overrides.push_back(e.name + "=" + e.value);
  for (const char* name : kTempDirectoryVariables) overrides.push_back(name + ("=" + tmp.path()));
  options.env = environment_with(overrides);
  if (command.toolchain) {
    // Without its links the script runs the compilers itself: the cache
    // never decides a verdict.
    try {
      if (!is_executable_file(wrapper_program(suite.cc_wrapper)))
        throw Error("cannot run " + suite.cc_wrapper + ": " + std::strerror(errno));
      ensure_wrapper_links(toolchain_bin_dir(suite.build_dir), suite.cc_wrapper);
      options.env = script_toolchain_environment(suite, suite.build_dir, std::move(options.env));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "wyn-launch: warning: toolchain cache not used: %s\n", e.what());
    }
  }
  if (!d.stdin_file.empty()) {
    const std::string input = parent_path(spec.source) + "/" + d.stdin_file;
    if (!is_within(input, suite.root))
      return {Status::harness_error, "STDIN file " + input + " lies outside the suite", {}, {}};
    options.stdin_path = input;
  }
  options.stdout_path = spec.test_dir + "/output.txt";
  options.timeout_seconds = d.timeout_seconds > 0 ? d.timeout_seconds : suite.timeout_seconds;
  options.grace_seconds = suite.grace_seconds;
  options.drain_seconds = kDrainSeconds;
  const RunLimits limits = limits_for(suite, d);
  options.limits.address_space_bytes = limits.memory_mb << 20;
  options.limits.cpu_seconds = limits.cpu_seconds;
  options.limits.open_files = limits.open_files;
  options.limits.core_dumps = d.core_dumps >= 0 ? d.core_dumps == 1 : suite.core_dumps;
  // 0 means no limit: everything is stored and nothing is stopped for its output.
  options.capture_limit_bytes = limits.output_bytes ? limits.output_bytes : UINT64_MAX;
  options.output_limit_bytes = limits.output_bytes;

  record.start_time = unix_time_now();
  const ProcessResult result = run_process(options);
  record.run_seconds = result.wall_seconds;
  record.exit_code = result.signal ? -1 : result.exit_code;
  record.signal = result.signal ? signal_name(result.signal) : "";
  if (result.sent_sigterm) record.signals_sent.push_back("SIGTERM");
  if (result.sent_sigkill) record.signals_sent.push_back("SIGKILL");
  record.leaked = result.leaked;
  record.max_rss_kib = result.max_rss_kib;
  record.cpu_seconds = result.user_seconds + result.system_seconds;
  record.output_bytes = result.out.bytes_total;
  record.output_hash = result.out.fnv1a64;
  record.output_file = options.stdout_path;

  RunOutcome outcome;
  outcome.started = result.started;
  outcome.spawn_error = result.spawn_error;
  outcome.exit_code = result.exit_code;
  outcome.signal = result.signal;
  outcome.timed_out = result.timed_out;
  outcome.timeout_seconds = options.timeout_seconds;
  outcome.sent_sigkill = result.sent_sigkill;
  outcome.leaked = result.leaked;
  outcome.leaked_processes = result.leaked_processes;
  outcome.interrupted = result.interrupted;
  outcome.interrupt_signal = result.interrupt_signal;
  outcome.output_limit_exceeded = result.output_limit_exceeded;
  outcome.output_bytes = result.out.bytes_total;
  outcome.max_rss_kib = result.max_rss_kib;
  outcome.cpu_seconds = record.cpu_seconds;
  outcome.limits = limits;
  try_read_file(options.stdout_path, outcome.output);
  record.output = excerpt(outcome.output, kOutputExcerpt);
  Verdict verdict = judge_run(d, suite.exit_code, outcome);
  output = std::move(outcome.output);
  return verdict;
}

bool bless_requested() {
  const char* env = std::getenv("WYN_BLESS");
  if (!env) return false;
  const std::string value(env);
  return value == "1" || value == "ON" || value == "on" || value == "yes" || value == "YES" ||
         value == "true" || value == "TRUE";
}

/// The snapshot of a test: <source dir>/<stem><suffix>.
std::string snapshot_path(const SuiteConfig& suite, const TestSpec& spec) {
  const std::string file_name = base_name(spec.source);
  const std::string stem =
      file_name.size() > 4 ? file_name.substr(0, file_name.size() - 4) : file_name;
  return parent_path(spec.source) + "/" + stem + suite.snapshot_suffix;
}

/// Compares `actual` (the generated C or the output) with the test's
/// snapshot as the reference runner does: the paths of the source in
/// `actual` normalized, CRs dropped on both sides; then the suite's
/// SNAPSHOT_FILTERS applied to both. Under WYN_BLESS a missing or differing
/// snapshot is written, filtered (atomically: the only write into a source
/// tree), and the test passes with a note.
Verdict judge_snapshot(const SuiteConfig& suite, const TestSpec& spec, std::string_view actual_text,
                       TestRecord& record) {
  const std::string file_name = base_name(spec.source);
  const std::string path = snapshot_path(suite, spec);
  record.snapshot_file = path;
  // The patterns were validated with the suite configuration.
  const std::vector<SnapshotFilter> filters = compile_snapshot_filters(suite.snapshot_filters);
  const std::string actual =
      apply_snapshot_filters(normalize_snapshot(actual_text, file_name), filters);
  std::string expected_text;
  const bool exists = try_read_file(path, expected_text);
  const std::string expected =
      exists ? apply_snapshot_filters(drop_carriage_returns(expected_text), filters) : "";
  if (exists && expected == actual) return {Status::passed, "", {}};
  const std::string what = suite.snapshot == "output" ? "the output" : "the generated C";
  if (bless_requested()) {
    write_file_atomic(path, actual);
    record.snapshot_written = true;
    return {Status::passed, "snapshot written: " + path, {}};
  }
  if (!exists)
    return {Status::failed, "no snapshot " + path + " (WYN_BLESS=1 ctest -R <test> writes it)", {}};
  record.snapshot_diff = unified_diff(expected, actual, path, what);
  return {Status::failed,
          what + " differs from the snapshot (WYN_BLESS=1 ctest -R <test> accepts it):\n" +
              first_lines(record.snapshot_diff, 12),
          {}};
}

/// Runs a script of a script suite: `bash FILE ARGS...` for .sh and .bash
/// files, `FILE ARGS...` otherwise, in the suite's working directory
/// (default: the compiler's directory) with WYN naming the compiler. Pass:
/// exit 0. Skipped: exit 0 after saying so (self_skip_reason).
Verdict run_script(const SuiteConfig& suite, const TestSpec& spec, const CompileRecord& compile,
                   TestRecord& record) {
  const auto has_suffix = [&](std::string_view suffix) {
    return spec.source.size() > suffix.size() &&
           spec.source.compare(spec.source.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  Command command;
  if (has_suffix(".sh") || has_suffix(".bash"))
    command.argv = {"bash", spec.source};
  else
    command.argv = {spec.source};
  command.argv.insert(command.argv.end(), suite.args.begin(), suite.args.end());
  command.cwd =
      suite.working_directory.empty() ? parent_path(suite.compiler) : suite.working_directory;
  command.env = suite.env;
  command.env.push_back("WYN=" + suite.compiler);
  command.toolchain = !suite.toolchain_cache_dir.empty();
  std::string output;
  Verdict verdict = run_program(suite, spec, compile, command, record, output);
  record.subchecks = parse_subchecks(output);
  const SkipLine skip = find_skip_line(output);
  if (verdict.status == Status::passed) {
    const std::string skipped = self_skip_reason(skip, record.subchecks);
    if (!skipped.empty()) verdict = {Status::skipped, skipped, {}};
    return verdict;
  }
  const std::string failing = failing_subchecks(record.subchecks);
  if (!failing.empty())
    verdict.reason = "failed sub-checks: " + failing + " (" + verdict.reason + ")";
  // A skip that does not exit 0 is a failure like any other: the script
  // may have failed on its way to skipping, and the gate it replaces
  // stopped on it too. Saying so spares a reader the puzzle.
  if (skip.line > 0 && verdict.status == Status::failed)
    verdict.reason += "; it printed '" + skip.text + "' (line " + std::to_string(skip.line) +
                      "), but a script that skips itself must exit 0";
  return verdict;
}

/// The known-failure entry of a test ("FILE:LINE"), or "" when it is not listed.
std::string known_failure_entry(const SuiteConfig& suite, const TestSpec& spec) {
  if (suite.known_failures.empty()) return "";
  const nlohmann::json marks = read_json_file(suite.build_dir + "/known-failures.json");
  const auto it = marks.find(spec.name);
  return it == marks.end() ? "" : it->get<KnownFailureMark>().listed_at;
}

}  // namespace

int launch(const std::string& test_dir) {
  const TestSpec spec = load_test_spec(test_dir);
  const SuiteConfig suite = load_suite_config(suite_dir_of(test_dir));

  TestRecord record;
  record.name = spec.name;
  record.suite = suite.name;
  record.source = spec.source;
  record.test_dir = spec.test_dir;
  record.labels = {suite.name};
  record.labels.insert(record.labels.end(), suite.labels.begin(), suite.labels.end());

  const std::string record_path = test_dir + "/result.json";
  const std::vector<Attempt> earlier = earlier_attempts(suite, record_path);
  write_placeholder(record, record_path);

  Verdict verdict;
  CompileRecord compile;
  std::string source;
  std::unique_ptr<ResultCache> cache;
  if (suite.kind == "script") {
    // Nothing is built: the script is the program, and the cache keys on
    // its bytes and on the compiler's.
    compile.status = "compiled";
    compile.executable = spec.source;
    cache = std::make_unique<ResultCache>(suite, spec, compile);
    cache->add_input("compiler", suite.compiler);
    if (cache->replay(record))
      verdict.status = Status::passed;
    else
      verdict = run_script(suite, spec, compile, record);
  } else if (!path_exists(test_dir + "/compile.json")) {
    verdict = {Status::harness_error, "not built yet: run cmake --build first", {}};
  } else if (compile = read_json_as<CompileRecord>(test_dir + "/compile.json");
             !try_read_file(spec.source, source) || fnv1a64_hex(source) != compile.source_hash) {
    verdict = {Status::harness_error,
               "the source changed (or vanished) since it was built: run cmake --build first",
               {}};
  } else {
    const Directives& d = compile.directives;
    record.labels.insert(record.labels.end(), d.labels.begin(), d.labels.end());
    record.compile_seconds = compile.seconds;
    if (compile.status == "harness_error") {
      verdict = {Status::harness_error, compile.reason, {}};
    } else if (d.skip) {
      verdict = {Status::skipped, d.skip_reason, {}};
    } else if (compile.status != "compiled") {
      record.diagnostics = compile.diagnostics;
      verdict = judge_compile_failure(d, compile);
    } else if (d.has_expect_error) {
      verdict = judge_unexpected_success(d);
    } else if (suite.snapshot == "generated_c") {
      std::string generated;
      if (!try_read_file(test_dir + "/generated.c", generated))
        verdict = {Status::failed,
                   "the compiler left no generated C (" + base_name(spec.source) +
                       ".c) to compare with the snapshot",
                   {}};
      else
        verdict = judge_snapshot(suite, spec, generated, record);
    } else {
      cache = std::make_unique<ResultCache>(suite, spec, compile);
      if (suite.snapshot == "output") cache->add_input("snapshot", snapshot_path(suite, spec));
      if (cache->replay(record)) {
        verdict.status = Status::passed;  // as it passed before, with nothing changed since
      } else {
        Command command;
        command.argv = {compile.executable};
        command.argv.insert(command.argv.end(), d.args.begin(), d.args.end());
        if (!suite.working_directory.empty()) {
          // As a shell started there would say; TMPDIR stays the test's own.
          command.cwd = suite.working_directory;
          command.env.push_back("PWD=" + suite.working_directory);
        }
        std::string output;
        verdict = run_program(suite, spec, compile, command, record, output);
        if (suite.snapshot == "output" && verdict.status == Status::passed)
          verdict = judge_snapshot(suite, spec, output, record);
      }
    }
    verdict = apply_xfail(d, verdict);
  }
  record.known_failure = known_failure_entry(suite, spec);
  verdict =
      apply_known_failure(record.known_failure, suite.known_failures_strict, verdict, record.fixed);
  verdict = judge_attempts(earlier, verdict);
  record.status = verdict.status;
  record.reason = verdict.reason;
  record.diff = verdict.diff;
  record.limit_exceeded = verdict.limit;
  if (!earlier.empty()) {
    record.attempts = earlier;
    record.attempts.push_back(
        {record.status, record.reason, record.start_time, record.run_seconds});
  }
  // A blessed snapshot is not a pass worth replaying: the next run compares again.
  if (cache) {
    if (record.snapshot_written) {
      TestRecord not_cached = record;
      not_cached.status = Status::unknown;
      cache->update(not_cached);
    } else {
      cache->update(record);
    }
  }
  write_json_file(record_path, record);
  print_account(record);
  if (record.status == Status::interrupted) return 128 + InterruptGuard::received();
  return exit_code_for(record.status);
}

void record_fault(const std::string& test_dir, const std::string& message) {
  try {
    TestRecord record;
    try {
      const TestSpec spec = load_test_spec(test_dir);
      record.name = spec.name;
      record.source = spec.source;
    } catch (const std::exception&) {
      record.name = test_dir;
    }
    record.suite = record.name.substr(0, record.name.find('/'));
    record.test_dir = test_dir;
    record.status = Status::harness_error;
    record.reason = "wyn-launch: " + message;
    record.start_time = unix_time_now();
    if (path_exists(test_dir)) write_json_file(test_dir + "/result.json", record);
  } catch (const std::exception&) {
    // Nothing more can be done; ctest still sees the exit status.
  }
}

}  // namespace wyn
