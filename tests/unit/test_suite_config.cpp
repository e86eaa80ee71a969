#include <gtest/gtest.h>

#include "suite/suite_config.hpp"
#include "temp_dir.hpp"
#include "util/fs.hpp"

namespace wyn {
namespace {

using nlohmann::json;

const char* const kPath = "/b/wyn/unit-1234/suite.json";

/// The keys every .wyn suite has, as WynTests.cmake writes them.
json minimal_suite() {
  return {{"format", 1},
          {"kind", "wyn"},
          {"name", "unit"},
          {"root", "/src/tests/unit"},
          {"build_dir", "/b/wyn/unit-1234"},
          {"compiler", "/opt/wyn/wyn"},
          {"compiler_style", "build"},
          {"launcher", "/b/wyn-tools/bin/wyn-launch"}};
}

/// The message of the Error `parse` throws for `doc` read from `path`.
template <typename Parse>
std::string error_of(Parse parse, const json& doc, const std::string& path) {
  try {
    parse(doc, path);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for " << doc.dump();
  return "";
}

std::string suite_error(const json& doc) { return error_of(parse_suite_config, doc, kPath); }

/// minimal_suite() with `key` set to `value`.
json with(const std::string& key, const json& value) {
  json doc = minimal_suite();
  doc[key] = value;
  return doc;
}

TEST(SuiteConfig, TheRequiredKeysAloneGiveTheDefaults) {
  const SuiteConfig c = parse_suite_config(minimal_suite(), kPath);
  EXPECT_EQ(c.name, "unit");
  EXPECT_EQ(c.root, "/src/tests/unit");
  EXPECT_EQ(c.compiler_style, "build");
  EXPECT_EQ(c.exit_code, "zero");
  EXPECT_EQ(c.no_expect, "run");
  EXPECT_EQ(c.timeout_seconds, 30);
  EXPECT_EQ(c.compile_timeout_seconds, 600);
  EXPECT_EQ(c.remote_cache_mode, "read-write");
  EXPECT_EQ(c.shard_index, 1);
  EXPECT_EQ(c.shard_count, 1);
  EXPECT_EQ(c.memory_limit_mb, 4096u);
  EXPECT_EQ(c.leak_policy, "fail");
  EXPECT_EQ(c.snapshot, "");
  EXPECT_TRUE(c.labels.empty());
}

TEST(SuiteConfig, EveryKeyIsRead) {
  json doc = minimal_suite();
  doc.update({{"root", "/src/tests/./unit/"},
              {"source_tree", "/src"},
              {"build_tree", "/b"},
              {"compiler_style", "legacy"},
              {"wyn_root", "/opt/wyn"},
              {"compiler_launcher", {"env", "A=1"}},
              {"exit_code", "any"},
              {"no_expect", "ignore"},
              {"timeout_seconds", 2.5},
              {"compile_timeout_seconds", 60},
              {"grace_seconds", 1},
              {"labels", {"slow", "legacy"}},
              {"strict_build", true},
              {"compile_cache_dir", "/cache"},
              {"result_cache", true},
              {"remote_cache", "http://cache:8080/wyn"},
              {"remote_cache_mode", "read-only"},
              {"toolchain_cache_dir", "/cache/toolchain"},
              {"ccache", "/usr/bin/ccache"},
              {"cc_wrapper", "/b/wyn-tools/bin/wyn-cc"},
              {"emulator", {"/src/cmake/toolchains/wine-run.sh"}},
              {"shard", "2/3"},
              {"shard_durations", "/old/summary.json"},
              {"memory_limit_mb", 0},
              {"cpu_limit_seconds", 5},
              {"max_open_files", 64},
              {"core_dumps", true},
              {"output_limit_mb", 1},
              {"leak_policy", "warn"},
              {"snapshot", "GENERATED_C"},
              {"snapshot_suffix", ".c.golden"},
              {"compile_args", {"--debug"}},
              {"known_failures", "/src/tests/unit/known.txt"},
              {"known_failures_strict", true}});
  const SuiteConfig c = parse_suite_config(doc, kPath);
  EXPECT_EQ(c.root, "/src/tests/unit/");  // normalized, as wyn-gen always did
  EXPECT_EQ(c.compiler_style, "legacy");
  EXPECT_EQ(c.wyn_root, "/opt/wyn");
  EXPECT_EQ(c.compiler_launcher, (std::vector<std::string>{"env", "A=1"}));
  EXPECT_EQ(c.exit_code, "any");
  EXPECT_EQ(c.timeout_seconds, 2.5);
  EXPECT_EQ(c.labels, (std::vector<std::string>{"slow", "legacy"}));
  EXPECT_TRUE(c.strict_build);
  EXPECT_EQ(c.remote_cache_mode, "read-only");
  EXPECT_EQ(c.cc_wrapper, "/b/wyn-tools/bin/wyn-cc");
  EXPECT_EQ(c.emulator, (std::vector<std::string>{"/src/cmake/toolchains/wine-run.sh"}));
  EXPECT_EQ(c.shard_index, 2);
  EXPECT_EQ(c.shard_count, 3);
  EXPECT_EQ(c.memory_limit_mb, 0u);
  EXPECT_EQ(c.cpu_limit_seconds, 5);
  EXPECT_TRUE(c.core_dumps);
  EXPECT_EQ(c.snapshot, "generated_c");  // the tools' spelling
  EXPECT_EQ(c.compile_args, (std::vector<std::string>{"--debug"}));
  EXPECT_TRUE(c.known_failures_strict);
}

TEST(SuiteConfig, AScriptSuiteNeedsNoCompilerStyle) {
  json doc = minimal_suite();
  doc.erase("compiler_style");
  doc.update({{"kind", "script"},
              {"scripts", {"/src/tests/run_a.sh"}},
              {"working_directory", "/src"},
              {"env", {"A=1", "B="}},
              {"args", {"1", "", "a;b $x"}}});
  const SuiteConfig c = parse_suite_config(doc, kPath);
  EXPECT_EQ(c.kind, "script");
  EXPECT_EQ(c.scripts, (std::vector<std::string>{"/src/tests/run_a.sh"}));
  EXPECT_EQ(c.env, (std::vector<std::string>{"A=1", "B="}));
  EXPECT_EQ(c.args, (std::vector<std::string>{"1", "", "a;b $x"}));
  EXPECT_NE(suite_error(with("args", "1 60")).find("key \"args\": ARGS must be a list of strings"),
            std::string::npos);
  EXPECT_NE(suite_error(with("kind", "scripts")).find("must be one of wyn, script"),
            std::string::npos);
}

TEST(SuiteConfig, AWynSuiteMayHaveAWorkingDirectory) {
  EXPECT_EQ(parse_suite_config(minimal_suite(), kPath).working_directory, "");
  EXPECT_EQ(
      parse_suite_config(with("working_directory", "/src/./checkout/"), kPath).working_directory,
      "/src/checkout/");
  EXPECT_EQ(suite_error(with("working_directory", "checkout")),
            std::string(kPath) +
                ": key \"working_directory\": WORKING_DIRECTORY must be an absolute path, not "
                "'checkout'");
  EXPECT_NE(suite_error(with("working_directory", 1)).find("WORKING_DIRECTORY must be"),
            std::string::npos);
}

TEST(SuiteConfig, ABadChoiceNamesTheFileTheKeyTheSettingAndTheChoices) {
  const std::string message = suite_error(with("exit_code", "sometimes"));
  EXPECT_EQ(message, std::string(kPath) +
                         ": key \"exit_code\": EXIT_CODE must be one of zero, any, not "
                         "'sometimes' (default: WYN_EXIT_CODE)");
  EXPECT_NE(suite_error(with("no_expect", "skip")).find("NO_EXPECT must be one of run, ignore"),
            std::string::npos);
  EXPECT_NE(
      suite_error(with("leak_policy", "ignore")).find("WYN_LEAK_POLICY must be one of fail, warn"),
      std::string::npos);
  EXPECT_NE(suite_error(with("remote_cache_mode", "write"))
                .find("WYN_REMOTE_CACHE_MODE must be one of read-write, read-only, not 'write'"),
            std::string::npos);
}

TEST(SuiteConfig, TheCompilerStyleMustBeResolved) {
  for (const char* style : {"auto", "Build", ""}) {
    const std::string message = suite_error(with("compiler_style", style));
    EXPECT_NE(message.find("COMPILER_STYLE must be one of legacy, build"), std::string::npos)
        << message;
    EXPECT_NE(message.find("WYN_COMPILER_STYLE"), std::string::npos) << message;
  }
  json doc = minimal_suite();
  doc.erase("compiler_style");
  EXPECT_NE(suite_error(doc).find("key \"compiler_style\" is missing"), std::string::npos);
}

TEST(SuiteConfig, SnapshotsAreSpelledAsWynAddTestsTakesThem) {
  json doc = with("snapshot", "generated_c");
  doc["snapshot_suffix"] = ".c.golden";
  EXPECT_NE(suite_error(doc).find("SNAPSHOT must be one of GENERATED_C, OUTPUT, not 'generated_c'"),
            std::string::npos);
  EXPECT_NE(
      suite_error(with("snapshot", "OUTPUT")).find("SNAPSHOT_SUFFIX must be a file name suffix"),
      std::string::npos);
  EXPECT_EQ(parse_suite_config(with("snapshot", ""), kPath).snapshot, "");
}

TEST(SuiteConfig, SnapshotFiltersArePairsOfValidPatterns) {
  json doc = with("snapshot", "GENERATED_C");
  doc["snapshot_suffix"] = ".c.golden";
  doc["snapshot_filters"] = {"built at [0-9:]+", "built at <TIME>", "\\[[0-9]+", ""};
  EXPECT_EQ(parse_suite_config(doc, kPath).snapshot_filters,
            (std::vector<std::string>{"built at [0-9:]+", "built at <TIME>", "\\[[0-9]+", ""}));

  // An odd count, and a pattern that is not one, are named.
  doc["snapshot_filters"] = {"a", "b", "c"};
  std::string message = suite_error(doc);
  EXPECT_NE(
      message.find(std::string(kPath) + ": key \"snapshot_filters\": SNAPSHOT_FILTERS must "
                                        "be pairs of a regular expression and its replacement"),
      std::string::npos)
      << message;
  doc["snapshot_filters"] = {"fine", "x", "([a-z]+", "y"};
  message = suite_error(doc);
  EXPECT_NE(message.find("SNAPSHOT_FILTERS must be pairs of an ECMAScript regular expression and "
                         "its replacement (pattern 2: "),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(", not '([a-z]+'"), std::string::npos) << message;

  // Without SNAPSHOT there is nothing to filter.
  message = suite_error(with("snapshot_filters", {"a", "b"}));
  EXPECT_NE(message.find("SNAPSHOT_FILTERS must be empty unless SNAPSHOT is set"),
            std::string::npos)
      << message;
  EXPECT_TRUE(parse_suite_config(minimal_suite(), kPath).snapshot_filters.empty());
}

TEST(SuiteConfig, AValueOfTheWrongTypeNamesTheTypeAndTheValue) {
  EXPECT_NE(suite_error(with("timeout_seconds", "abc"))
                .find("\"timeout_seconds\": TIMEOUT must be a positive number of seconds, not "
                      "'abc' (default: WYN_TEST_TIMEOUT)"),
            std::string::npos);
  EXPECT_NE(
      suite_error(with("grace_seconds", 0)).find("WYN_TIMEOUT_GRACE must be a positive number"),
      std::string::npos);
  EXPECT_NE(suite_error(with("cpu_limit_seconds", -1))
                .find("WYN_CPU_LIMIT must be a number of seconds (0: none), not -1"),
            std::string::npos);
  EXPECT_NE(suite_error(with("memory_limit_mb", 1.5))
                .find("WYN_MEMORY_LIMIT_MB must be a whole number of MiB"),
            std::string::npos);
  EXPECT_NE(
      suite_error(with("labels", "slow")).find("LABELS must be a list of strings, not 'slow'"),
      std::string::npos);
  EXPECT_NE(
      suite_error(with("compile_args", {"-O", 2})).find("COMPILE_ARGS must be a list of strings"),
      std::string::npos);
  EXPECT_NE(
      suite_error(with("strict_build", "ON")).find("STRICT_BUILD must be true or false, not 'ON'"),
      std::string::npos);
  EXPECT_NE(suite_error(with("name", 7)).find("NAME must be a string, not 7"), std::string::npos);
}

TEST(SuiteConfig, PathsMustBeAbsolute) {
  EXPECT_NE(suite_error(with("root", "tests/unit"))
                .find("\"root\": DIRECTORY must be an absolute path, not 'tests/unit'"),
            std::string::npos);
  EXPECT_NE(suite_error(with("launcher", "")).find("\"launcher\": must be an absolute path"),
            std::string::npos);
  EXPECT_NE(suite_error(with("known_failures", "known.txt"))
                .find("KNOWN_FAILURES must be an absolute path"),
            std::string::npos);
  EXPECT_EQ(parse_suite_config(with("wyn_root", ""), kPath).wyn_root, "");
}

TEST(SuiteConfig, AShardIsKOfN) {
  for (const char* shard : {"3/2", "0/2", "1", "a/b", "1/10001", "-1/2", "1/2/3"}) {
    const std::string message = suite_error(with("shard", shard));
    EXPECT_NE(message.find("WYN_SHARD must be K/N with 1 <= K <= N <= 10000, not '" +
                           std::string(shard) + "'"),
              std::string::npos)
        << message;
  }
  EXPECT_EQ(parse_suite_config(with("shard", ""), kPath).shard_count, 1);
}

TEST(SuiteConfig, CrossKeyRequirements) {
  EXPECT_NE(
      suite_error(with("env", {"A=1", "=x"})).find("ENV must be a list of NAME=VALUE, not '=x'"),
      std::string::npos);
  EXPECT_NE(suite_error(with("env", {"A"})).find("not 'A'"), std::string::npos);
  EXPECT_NE(suite_error(with("toolchain_cache_dir", "/cache/toolchain"))
                .find("\"toolchain_cache_dir\" needs \"ccache\" and \"cc_wrapper\""),
            std::string::npos);
  EXPECT_NE(suite_error(with("name", "")).find("NAME must be a non-empty name"), std::string::npos);
}

TEST(SuiteConfig, UnknownKeysAreErrorsWithASuggestion) {
  EXPECT_EQ(suite_error(with("exit_cod", "any")),
            std::string(kPath) + ": unknown key \"exit_cod\" (did you mean \"exit_code\"?)");
  EXPECT_EQ(suite_error(with("colour", true)), std::string(kPath) + ": unknown key \"colour\"");
}

TEST(SuiteConfig, TheFormatAndTheShapeAreChecked) {
  EXPECT_NE(
      suite_error(with("format", 2)).find("this wyn-ctest reads format 1, not 2; run cmake again"),
      std::string::npos);
  json doc = minimal_suite();
  doc.erase("format");
  EXPECT_EQ(suite_error(doc), std::string(kPath) + ": key \"format\" is missing");
  doc = minimal_suite();
  doc.erase("root");
  EXPECT_EQ(suite_error(doc), std::string(kPath) + ": key \"root\" is missing");
  EXPECT_EQ(suite_error(json::array()), std::string(kPath) + ": not a JSON object");
}

TEST(SuiteConfig, ReadFromASuiteBuildDirectory) {
  TempDir temp;
  write_file_atomic(temp.path() + "/suite.json", minimal_suite().dump());
  EXPECT_EQ(load_suite_config(temp.path()).name, "unit");
  write_file_atomic(temp.path() + "/suite.json", "{\"format\": 1,");
  try {
    load_suite_config(temp.path());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(temp.path() + "/suite.json: invalid JSON"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(load_suite_config(temp.path() + "/none"), Error);
}

const char* const kReportPath = "/b/wyn/report.json";

json minimal_report() {
  return {{"format", 1}, {"report_dir", "/b/wyn-report"}, {"build_dir", "/b"}};
}

std::string report_error(const std::string& key, const json& value) {
  json doc = minimal_report();
  doc[key] = value;
  return error_of(parse_report_config, doc, kReportPath);
}

TEST(ReportConfig, IsRead) {
  json doc = minimal_report();
  doc.update({{"suites", {"/b/wyn/a-1", "/b/wyn/b-2"}},
              {"formats", {"junit", "html"}},
              {"junit_flavor", "strict"},
              {"output_cap", 256}});
  const ReportConfig c = parse_report_config(doc, kReportPath);
  EXPECT_EQ(c.report_dir, "/b/wyn-report");
  EXPECT_EQ(c.build_dir, "/b");
  EXPECT_EQ(c.suites, (std::vector<std::string>{"/b/wyn/a-1", "/b/wyn/b-2"}));
  EXPECT_EQ(c.formats, (std::vector<std::string>{"junit", "html"}));
  EXPECT_EQ(c.junit_flavor, "strict");
  EXPECT_EQ(c.output_cap, 256u);
  const ReportConfig defaults = parse_report_config(minimal_report(), kReportPath);
  EXPECT_TRUE(defaults.formats.empty());
  EXPECT_EQ(defaults.junit_flavor, "default");
  EXPECT_EQ(defaults.output_cap, 16384u);
}

TEST(ReportConfig, ABadSettingNamesTheCacheVariable) {
  EXPECT_EQ(report_error("formats", {"junit", "xml"}),
            std::string(kReportPath) +
                ": key \"formats\": WYN_REPORT_FORMATS must be a list of junit, ctrf, markdown, "
                "trace, html, not 'xml'");
  EXPECT_NE(report_error("junit_flavor", "ant")
                .find("WYN_JUNIT_FLAVOR must be one of default, strict, not 'ant'"),
            std::string::npos);
  EXPECT_NE(
      report_error("output_cap", 100)
          .find("WYN_REPORT_OUTPUT_CAP must be a whole number of bytes (256 or more), not 100"),
      std::string::npos);
  EXPECT_NE(report_error("output_cap", "lots").find("not 'lots'"), std::string::npos);
  EXPECT_NE(
      report_error("suites", {"wyn/a-1"}).find("\"suites\": must be a list of absolute paths"),
      std::string::npos);
  EXPECT_NE(report_error("junit", "strict").find("unknown key \"junit\""), std::string::npos);
}

}  // namespace
}  // namespace wyn
