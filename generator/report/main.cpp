// wyn-report: the post-processor. CTest runs `begin` before and `end` after
// the tests (CTEST_CUSTOM_PRE_TEST / CTEST_CUSTOM_POST_TEST); `summary` does
// the same over the latest records on demand; `merge` makes one set of
// reports from the results of several shards (or machines); `check`
// validates CONFIG (WynTests.cmake runs it at configure time);
// `codegen-baseline save` keeps the generated code of every test as a
// baseline that WYN_CODEGEN_BASELINE=NAME compares later runs with.
//
//   wyn-report begin|end|summary|check CONFIG
//   wyn-report codegen-baseline save NAME|DIR CONFIG
//   wyn-report merge [--formats LIST] [--junit default|strict] [--output-cap BYTES]
//                    OUT_DIR RESULT_DIR...
//
// CONFIG is <build>/wyn/report.json, written at configure time by
// WynTests.cmake: the report directory, the build directory (where
// .ninja_log is), each suite's build directory and the report options
// (docs/suite-config.md).
//
// Every mode writes summary.json and the chosen reports into the report
// directory and prints the short summary. A RESULT_DIR is a copy of a
// build's wyn-report directory or the build directory itself.

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "report/codegen.hpp"
#include "report/merge.hpp"
#include "report/ninja_log.hpp"
#include "report/rerun.hpp"
#include "report/summary.hpp"
#include "report/write.hpp"
#include "suite/suite_config.hpp"
#include "suite/test_spec.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"

namespace {

const char* const kRunStart = "/.run-start";
/// Set for a ctest the reporter runs itself (see report/rerun.hpp): its hooks do nothing.
const char* const kNested = "WYN_REPORT_NESTED";
/// Touched after each report: a build older than it was shown already.
const char* const kReported = "/.reported";

/// The report configuration with the options write_reports takes.
struct Config : wyn::ReportConfig {
  explicit Config(const wyn::ReportConfig& config) : wyn::ReportConfig(config) {
    options.formats = formats;
    options.junit.flavor = junit_flavor;
    options.junit.output_cap = output_cap;
  }
  wyn::ReportOptions options;
};

/// The build steps of the last Ninja run, when it came after the previous report.
std::vector<wyn::BuildStep> recent_build(const Config& config, double shown_until) {
  std::string log;
  if (!wyn::try_read_file(config.build_dir + "/.ninja_log", log)) return {};
  std::map<std::string, std::string> compile_tests;
  for (const std::string& dir : config.suites) {
    std::vector<wyn::TestSpec> specs;
    try {
      specs = wyn::read_json_as<std::vector<wyn::TestSpec>>(dir + "/manifest.json");
    } catch (const wyn::Error&) {
      continue;  // collect_records reports a broken manifest
    }
    for (const wyn::TestSpec& spec : specs)
      compile_tests[spec.test_dir + "/compile.json"] = spec.name;
  }
  auto steps = wyn::last_build(wyn::parse_ninja_log(log), config.build_dir, compile_tests);
  double end = 0;
  for (const wyn::BuildStep& s : steps) end = std::max(end, s.end);
  if (shown_until > 0 && end < shown_until) return {};
  return steps;
}

/// The shard this build runs, from a suite's configuration ("K/N" or "").
std::string shard_of(const Config& config) {
  if (config.suites.empty()) return "";
  try {
    const wyn::SuiteConfig suite = wyn::load_suite_config(config.suites.front());
    if (suite.shard_count > 1)
      return std::to_string(suite.shard_index) + "/" + std::to_string(suite.shard_count);
  } catch (const wyn::Error&) {
  }
  return "";
}

/// The report's codegen section (report/codegen.hpp). A fault in it leaves
/// the section out, with a warning, and never costs the report itself.
wyn::CodegenImpact codegen_of(const Config& config, const std::vector<wyn::TestRecord>& records) {
  const char* pinned = std::getenv("WYN_CODEGEN_BASELINE");
  try {
    return wyn::codegen_impact(records, config.report_dir, pinned ? pinned : "");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wyn-report: warning: generated code not compared: %s\n", e.what());
    return {};
  }
}

int report_run(const Config& config, double since) {
  wyn::MachineRun machine;
  machine.records = wyn::collect_records(config.suites, since);
  // `ctest -N` and `--show-only` run the post-test command too: with no test
  // run there is nothing to say, and nothing may be printed into their output.
  if (machine.records.empty()) return 0;
  machine.shard = shard_of(config);
  machine.hostname = wyn::local_hostname();
  machine.build_steps =
      recent_build(config, since > 0 ? wyn::mtime_of(config.report_dir + kReported) : 0);
  wyn::Report report = wyn::make_report({std::move(machine)});
  report.codegen = codegen_of(config, report.records);
  const auto files = wyn::write_reports(report, config.report_dir, config.options);
  wyn::write_file_atomic(config.report_dir + kReported, "");
  std::fputs(wyn::summary_text(report, config.report_dir, files).c_str(), stdout);
  return 0;
}

int merge(const std::vector<std::string>& args) {
  wyn::ReportOptions options;
  std::vector<std::string> dirs;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--formats" || a == "--junit" || a == "--output-cap") {
      if (i + 1 >= args.size()) throw wyn::Error(a + " needs a value");
      wyn::set_report_option(options,
                             a == "--formats" ? "formats"
                             : a == "--junit" ? "junit"
                                              : "output_cap",
                             args[++i]);
    } else if (a.size() > 1 && a[0] == '-') {
      throw wyn::Error("unknown option '" + a + "'");
    } else {
      dirs.push_back(a);
    }
  }
  if (dirs.size() < 2) throw wyn::Error("merge needs OUT_DIR and at least one RESULT_DIR");
  const std::string out = dirs.front();
  dirs.erase(dirs.begin());
  const wyn::Report report = wyn::make_report(wyn::load_results(dirs));
  const auto files = wyn::write_reports(report, out, options);
  std::fputs(wyn::summary_text(report, out, files).c_str(), stdout);
  const auto problems = wyn::shard_problems(report.machines);
  for (const std::string& p : problems) std::fprintf(stderr, "wyn-report: error: %s\n", p.c_str());
  return problems.empty() ? 0 : 1;
}

int save_baseline(const std::string& name, const std::string& config_path) {
  const wyn::ReportConfig config = wyn::read_report_config(config_path);
  size_t saved = 0;
  const std::string dir = wyn::save_codegen_baseline(config.suites, config.report_dir, name, saved);
  std::printf(
      "wyn-report: saved the generated code of %zu programs as baseline %s (%s)\n"
      "Compare later runs with it: WYN_CODEGEN_BASELINE=%s ctest ...\n",
      saved, name.c_str(), dir.c_str(), name.c_str());
  return 0;
}

void usage() {
  std::fprintf(stderr,
               "usage: wyn-report begin|end|summary|check CONFIG\n"
               "       wyn-report codegen-baseline save NAME|DIR CONFIG\n"
               "       wyn-report merge [--formats junit,ctrf,markdown,trace,html]\n"
               "                        [--junit default|strict] [--output-cap BYTES]\n"
               "                        OUT_DIR RESULT_DIR...\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (!args.empty() && args[0] == "merge") return merge({args.begin() + 1, args.end()});
    if (args.size() == 4 && args[0] == "codegen-baseline" && args[1] == "save")
      return save_baseline(args[2], args[3]);
    if (args.size() != 2 ||
        (args[0] != "begin" && args[0] != "end" && args[0] != "summary" && args[0] != "check")) {
      usage();
      return 2;
    }
    if (args[0] == "check") {
      wyn::read_report_config(args[1]);
      return 0;
    }
    if (args[0] != "summary" && std::getenv(kNested)) return 0;
    const Config config(wyn::read_report_config(args[1]));
    if (args[0] == "begin") {
      wyn::make_directories(config.report_dir);
      try {
        wyn::renumber_rerun_failed(config.build_dir, config.report_dir,
                                   std::string(kNested) + "=1");
      } catch (const std::exception& e) {
        // CTest then reruns by its own numbers, as it would without wyn-ctest.
        std::fprintf(stderr, "wyn-report: warning: %s\n", e.what());
      }
      wyn::write_file_atomic(config.report_dir + kRunStart, "");
      return 0;
    }
    const double since = args[0] == "end" ? wyn::mtime_of(config.report_dir + kRunStart) : 0;
    return report_run(config, since);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wyn-report: error: %s\n", e.what());
    return 1;
  }
}
