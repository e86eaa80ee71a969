// wyn-launch: what CTest runs for each Wyn test.
//
//   wyn-launch TEST_DIR
//
// Runs TEST_DIR/bin/program in a fresh scratch directory under the suite's
// limits, judges it against the directives the compile step recorded, writes
// TEST_DIR/result.json atomically and prints a short account for
// `ctest --output-on-failure`. Exit status: 0 pass (or expected failure),
// 77 skipped (the test's SKIP_RETURN_CODE), 1 anything else.

#include <sys/time.h>

#include <cstdio>
#include <string>

#include "core/fs.hpp"
#include "core/hash.hpp"
#include "core/json_io.hpp"
#include "core/record.hpp"
#include "core/subprocess.hpp"
#include "core/test_spec.hpp"
#include "core/text.hpp"
#include "launcher/check.hpp"

namespace wyn {
namespace {

constexpr int kSkipExitCode = 77;
constexpr size_t kOutputExcerpt = 16 * 1024;

double now_unix() {
  timeval tv;
  ::gettimeofday(&tv, nullptr);
  return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6;
}

void print_account(const TestRecord& r) {
  std::printf("wyn: %s: %s%s%s\n", r.name.c_str(), status_name(r.status).c_str(),
              r.reason.empty() ? "" : ": ", r.reason.c_str());
  std::printf("  source: %s\n", r.source.c_str());
  for (const DiffLine& line : r.diff) {
    if (line.missing_actual)
      std::printf("  line %d: expected '%s', output ended\n", line.line, line.expected.c_str());
    else
      std::printf("  line %d: expected '%s'\n          actual   '%s'\n", line.line,
                  line.expected.c_str(), line.actual.c_str());
  }
  if (!r.diagnostics.empty()) std::printf("--- compiler output ---\n%s\n", r.diagnostics.c_str());
  if (!r.output.empty() && !is_success(r.status))
    std::printf("--- program output (%llu bytes) ---\n%s\n",
                static_cast<unsigned long long>(r.output_bytes), r.output.c_str());
  std::fflush(stdout);
}

int exit_code_for(Status status) {
  if (status == Status::skipped) return kSkipExitCode;
  return is_success(status) ? 0 : 1;
}

/// Runs the program and fills in the run part of the record.
Verdict run_program(const SuiteConfig& suite, const TestSpec& spec, const CompileRecord& compile,
                    TestRecord& record) {
  const Directives& d = compile.directives;
  const std::string scratch = spec.test_dir + "/run";
  remove_tree(scratch);
  make_directories(scratch + "/tmp");

  SpawnOptions options;
  options.argv = {compile.executable};
  options.argv.insert(options.argv.end(), d.args.begin(), d.args.end());
  options.cwd = scratch;
  options.env = current_environment();
  for (const EnvSetting& e : d.env) options.env.push_back(e.name + "=" + e.value);
  options.env.push_back("TMPDIR=" + scratch + "/tmp");
  if (!d.stdin_file.empty()) {
    const std::string input = parent_path(spec.source) + "/" + d.stdin_file;
    if (!is_within(input, suite.root))
      return {Status::harness_error, "STDIN file " + input + " lies outside the suite", {}};
    options.stdin_path = input;
  }
  options.stdout_path = spec.test_dir + "/output.txt";
  options.timeout_seconds = d.timeout_seconds > 0 ? d.timeout_seconds : suite.timeout_seconds;
  options.grace_seconds = suite.grace_seconds;
  options.limits.core_dumps = false;

  record.start_time = now_unix();
  ProcessResult result;
  {
    InterruptGuard guard;
    result = run_process(options);
  }
  record.run_seconds = result.wall_seconds;
  record.exit_code = result.signal ? -1 : result.exit_code;
  record.signal = result.signal ? signal_name(result.signal) : "";
  if (result.sent_sigterm) record.signals_sent.push_back("SIGTERM");
  if (result.sent_sigkill) record.signals_sent.push_back("SIGKILL");
  record.leaked = result.leaked;
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
  outcome.leaked = result.leaked;
  outcome.interrupted = result.interrupted;
  outcome.interrupt_signal = result.interrupt_signal;
  try_read_file(options.stdout_path, outcome.output);
  record.output = excerpt(outcome.output, kOutputExcerpt);
  return judge_run(d, suite.exit_code, outcome);
}

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

  Verdict verdict;
  CompileRecord compile;
  std::string source;
  if (!path_exists(test_dir + "/compile.json")) {
    verdict = {Status::harness_error, "not built yet: run cmake --build first", {}};
  } else if (compile = read_json_as<CompileRecord>(test_dir + "/compile.json");
             !try_read_file(spec.source, source) || fnv1a64_hex(source) != compile.source_hash) {
    verdict = {Status::harness_error,
               "the source changed (or vanished) since it was built: run cmake --build first", {}};
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
    } else {
      verdict = run_program(suite, spec, compile, record);
    }
    verdict = apply_xfail(d, verdict);
  }
  record.status = verdict.status;
  record.reason = verdict.reason;
  record.diff = verdict.diff;
  write_json_file(test_dir + "/result.json", record);
  print_account(record);
  if (record.status == Status::interrupted) return 128 + InterruptGuard::received();
  return exit_code_for(record.status);
}

}  // namespace
}  // namespace wyn

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--not-built") {
    std::printf("wyn: suite %s is not built yet: run cmake --build first\n", argv[2]);
    return 1;
  }
  if (argc != 2) {
    std::fprintf(stderr, "usage: wyn-launch TEST_DIR\n");
    return 2;
  }
  wyn::become_subreaper();
  try {
    return wyn::launch(argv[1]);
  } catch (const std::exception& e) {
    // The record cannot be trusted; the reporter treats a missing or stale one as an error.
    std::fprintf(stderr, "wyn-launch: error: %s\n", e.what());
    return 1;
  }
}
