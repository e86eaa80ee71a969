// The report formats other than JUnit (test_junit.cpp), the timeline and
// the merge of shards.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "record_fixture.hpp"
#include "report/ctrf.hpp"
#include "report/html.hpp"
#include "report/junit.hpp"
#include "report/markdown.hpp"
#include "report/merge.hpp"
#include "report/ninja_log.hpp"
#include "report/rerun.hpp"
#include "report/summary.hpp"
#include "report/timeline.hpp"
#include "report/trace.hpp"
#include "report/write.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"

namespace wyn {
namespace {

using namespace std::string_literals;

TestRecord make(const std::string& name, Status status, double start, double run,
                const std::string& reason = "") {
  return make_record(name, status, reason, 0.1, run, start);
}

MachineRun machine(std::string shard = "") {
  MachineRun m;
  m.shard = std::move(shard);
  m.hostname = "host";
  m.build_steps = {{"s/a", "compile", 100.0, 100.5},
                   {"s/b", "compile", 100.1, 100.4},
                   {"s/c", "compile", 100.5, 100.9},
                   {"wyn/s/ctest-tests.cmake", "build", 101.0, 101.1}};
  m.records = {make("s/a", Status::passed, 102.0, 0.5),
               make("s/b", Status::failed, 102.0, 1.0, "exit code 3, expected 0"),
               make("s/c", Status::xfail, 102.6, 0.2, "expected failure (bug): crashed"),
               make("s/skip", Status::skipped, 0, 0, "not here")};
  return m;
}

// --- .ninja_log ---

/// A log line: times in ms, the output's mtime in Unix seconds (written as
/// nanoseconds, as Ninja 1.10 and later do).
std::string line(long start, long end, double mtime, const std::string& output,
                 const std::string& hash) {
  return std::to_string(start) + "\t" + std::to_string(end) + "\t" +
         std::to_string(static_cast<long long>(mtime * 1e9)) + "\t" + output + "\t" + hash + "\n";
}

TEST(NinjaLog, ParsesNanosecondAndSecondTimestamps) {
  const auto entries =
      parse_ninja_log("# ninja log v5\n" + line(5, 40, 1000.5, "out/a", "ab") +
                      "1\t2\t1000\told\tcd\ngarbage line\n7\t3\t0\tbackwards\tef\n");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].start_ms, 5);
  EXPECT_EQ(entries[0].end_ms, 40);
  EXPECT_NEAR(entries[0].mtime, 1000.5, 1e-6);
  EXPECT_EQ(entries[0].output, "out/a");
  EXPECT_EQ(entries[0].command_hash, "ab");
  EXPECT_DOUBLE_EQ(entries[1].mtime, 1000);
}

TEST(NinjaLog, TheLastBuildIsFoundByTimeEvenInACompactedLog) {
  // An old build that began at 1000 and the last one, at 5000, interleaved
  // as CMake's log compaction leaves them; "stamp" was not rewritten by the
  // last build (its mtime is old) and is not part of it.
  const std::string log = "# ninja log v5\n" +
                          line(0, 900, 1000.9, "wyn/s/t/old/compile.json", "o") +
                          line(1000, 3000, 5003.02, "wyn/s/t/c/compile.json", "3") +
                          line(0, 1000, 5001.0, "wyn/s/t/a/compile.json", "1") +
                          line(10, 50, 900.0, "wyn/s/fileset.stamp", "f") +
                          line(0, 1000, 5001.0, "/b/wyn/s/t/a/compile.json", "1") +
                          line(3000, 3100, 5003.1, "/b/wyn/s/ctest-tests.cmake", "r") +
                          line(0, 2000, 5002.01, "wyn/s/t/b/compile.json", "2") +
                          line(3000, 3100, 5003.1, "wyn/s/ctest-tests.cmake", "r");
  const std::map<std::string, std::string> tests = {{"/b/wyn/s/t/a/compile.json", "s/a"},
                                                    {"/b/wyn/s/t/b/compile.json", "s/b"},
                                                    {"/b/wyn/s/t/c/compile.json", "s/c"},
                                                    {"/b/wyn/s/t/old/compile.json", "s/old"}};
  const auto steps = last_build(parse_ninja_log(log), "/b", tests);
  ASSERT_EQ(steps.size(), 4u);
  EXPECT_EQ(steps[0].name, "s/a");
  EXPECT_EQ(steps[0].kind, "compile");
  EXPECT_NEAR(steps[0].start, 5000.0, 0.03);
  EXPECT_NEAR(steps[0].end, 5001.0, 0.03);
  EXPECT_EQ(steps[1].name, "s/b");
  EXPECT_EQ(steps[2].name, "s/c");
  EXPECT_NEAR(steps[2].start, 5001.0, 0.03);
  EXPECT_EQ(steps[3].name, "wyn/s/ctest-tests.cmake");  // one step, named by the relative output
  EXPECT_EQ(steps[3].kind, "build");
}

TEST(NinjaLog, NothingWithoutTimestamps) {
  EXPECT_TRUE(last_build(parse_ninja_log("# ninja log v5\n1\t2\t0\tx\th\n"), "/b", {}).empty());
}

// --- timeline and trace.json ---

TEST(Timeline, LanesAreAsManyAsStepsRanAtOnce) {
  std::vector<Span> spans = {{"a", "run", "", "", 0, 10, 0},
                             {"b", "run", "", "", 1, 3, 0},
                             {"c", "run", "", "", 3, 5, 0},
                             {"d", "run", "", "", 4, 6, 0},
                             {"e", "run", "", "", 10, 11, 0}};
  EXPECT_EQ(assign_lanes(spans), 3);
  std::map<std::string, int> lane;
  for (const Span& s : spans) lane[s.name] = s.lane;
  EXPECT_EQ(lane["a"], 0);
  EXPECT_EQ(lane["b"], 1);
  EXPECT_EQ(lane["c"], 1);  // b ended as c began
  EXPECT_EQ(lane["d"], 2);
  EXPECT_EQ(lane["e"], 0);
}

TEST(Trace, OneCompleteEventPerCompileAndPerRun) {
  const nlohmann::json trace = trace_json(make_report({machine()}));
  std::map<std::string, int> by_category;
  long long first_ts = -1;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "X") {
      EXPECT_EQ(e["ph"], "M");
      continue;
    }
    ++by_category[e["cat"].get<std::string>()];
    EXPECT_GT(e["dur"].get<long long>(), 0);
    if (e["name"] == "s/a" && e["cat"] == "compile") first_ts = e["ts"];
    if (e["name"] == "s/b" && e["cat"] == "run") {
      EXPECT_EQ(e["ts"], 2000000);
      EXPECT_EQ(e["dur"], 1000000);
      EXPECT_EQ(e["args"]["status"], "failed");
      EXPECT_EQ(e["args"]["reason"], "exit code 3, expected 0");
    }
  }
  EXPECT_EQ(first_ts, 0);
  EXPECT_EQ(by_category["compile"], 3);
  EXPECT_EQ(by_category["run"], 3);  // the skipped test did not run
  EXPECT_EQ(by_category["build"], 1);
  EXPECT_EQ(trace["displayTimeUnit"], "ms");
}

TEST(Trace, EachShardIsAProcessOfItsOwn) {
  MachineRun one = machine("1/2"), two = machine("2/2");
  for (auto& r : two.records) r.name += "2";
  const nlohmann::json trace = trace_json(make_report({one, two}));
  std::set<std::string> processes;
  for (const auto& e : trace["traceEvents"])
    if (e["name"] == "process_name") processes.insert(e["args"]["name"].get<std::string>());
  EXPECT_EQ(processes, (std::set<std::string>{"shard 1/2: build", "shard 1/2: tests",
                                              "shard 2/2: build", "shard 2/2: tests"}));
}

// --- ctrf.json ---

TEST(Ctrf, StatusesAndCountsMapOntoCtrf) {
  const nlohmann::json ctrf = ctrf_json(make_report({machine("2/3")}), 200.0, 4096);
  EXPECT_EQ(ctrf["reportFormat"], "CTRF");
  EXPECT_EQ(ctrf["specVersion"], "1.0.0");
  const auto& summary = ctrf["results"]["summary"];
  EXPECT_EQ(summary["tests"], 4);
  EXPECT_EQ(summary["passed"], 2);  // xfail passes, as CTest counts it
  EXPECT_EQ(summary["failed"], 1);
  EXPECT_EQ(summary["skipped"], 1);
  EXPECT_EQ(summary["start"], 102000);
  EXPECT_EQ(summary["stop"], 103000);
  EXPECT_EQ(summary["extra"]["wyn_counts"]["xfail"], 1);
  EXPECT_EQ(ctrf["results"]["environment"]["shardId"], "2/3");
  std::map<std::string, nlohmann::json> tests;
  for (const auto& t : ctrf["results"]["tests"]) tests[t["name"]] = t;
  EXPECT_EQ(tests["s/c"]["status"], "passed");
  EXPECT_EQ(tests["s/c"]["rawStatus"], "xfail");
  EXPECT_EQ(tests["s/b"]["status"], "failed");
  EXPECT_EQ(tests["s/b"]["message"], "exit code 3, expected 0");
  EXPECT_EQ(tests["s/b"]["duration"], 1000);
  EXPECT_EQ(tests["s/b"]["suite"], nlohmann::json::array({"s"}));
  EXPECT_EQ(tests["s/b"]["filePath"], "/src/s/b.wyn");
  EXPECT_TRUE(tests["s/b"]["trace"].get<std::string>().find("exit code 3") != std::string::npos);
  EXPECT_EQ(tests["s/skip"]["status"], "skipped");
  EXPECT_FALSE(tests["s/skip"].contains("start"));
}

TEST(Ctrf, OutputBecomesVisibleLines) {
  MachineRun m = machine();
  m.records[1].output = "one\n\x1b[31mtwo\0\n"s;
  const nlohmann::json ctrf = ctrf_json(make_report({m}), 200.0, 4096);
  for (const auto& t : ctrf["results"]["tests"]) {
    if (t["name"] == "s/b") {
      EXPECT_EQ(t["stdout"], nlohmann::json::array({"one", "\\x1b[31mtwo\\x00"}));
    }
  }
}

// --- summary.md ---

TEST(Markdown, FailuresAreATableWithEscapedCells) {
  MachineRun m = machine();
  m.records[1].reason = "output line 1 is 'a|b', expected '<b>x</b>'";
  m.records[1].output = "has ``` fences\n";
  const std::string md = markdown_summary(make_report({m}));
  EXPECT_NE(md.find("## Wyn tests: 1 of 4 failed"), std::string::npos) << md;
  EXPECT_NE(md.find("| s/b | failed | output line 1 is 'a\\|b', expected '&lt;b&gt;x&lt;/b&gt;' |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| passed | 1 |"), std::string::npos);
  EXPECT_NE(md.find("````text\nprogram output:\nhas ``` fences\n````"), std::string::npos) << md;
  EXPECT_NE(md.find("### Slowest tests"), std::string::npos);
  EXPECT_LT(md.find("| s/b | 1.00 s"), md.find("| s/a | 0.50 s"));
}

TEST(Markdown, AllPassedSaysSo) {
  MachineRun m;
  m.records = {make("s/a", Status::passed, 1, 1)};
  EXPECT_EQ(markdown_summary(make_report({m})).rfind("## Wyn tests: all 1 passed", 0), 0u);
}

// --- report.html ---

TEST(Html, SelfContainedWithCountsFailuresChartAndTimeline) {
  MachineRun m = machine();
  m.records[1].output = "<script>alert(1)</script>\x1b[0m";
  const std::string html = html_report(make_report({m}));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("id=\"count-total\"><b>4</b>"), std::string::npos);
  EXPECT_NE(html.find("id=\"count-failed\"><b>1</b>"), std::string::npos);
  EXPECT_NE(html.find("<h2>Failures (1)</h2>"), std::string::npos);
  EXPECT_NE(html.find("exit code 3, expected 0"), std::string::npos);
  EXPECT_NE(html.find("<svg id=\"slowest-chart\""), std::string::npos);
  EXPECT_NE(html.find("<svg id=\"timeline-chart\""), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;\\x1b[0m"), std::string::npos);
  // The page's one script is its own, inline, at the end.
  EXPECT_EQ(html.find("<script"), html.rfind("<script>"));
  EXPECT_LT(html.rfind("</table>"), html.find("<script>"));
  EXPECT_EQ(html.find("http"), std::string::npos);  // nothing fetched from anywhere
  EXPECT_EQ(html.find("src="), std::string::npos);
}

TEST(Html, AFailedScriptListsItsSubChecksWithTheSkippedOnes) {
  MachineRun m = machine();
  m.records[1].subchecks = {{"sites are counted", true, "", 1},
                            {"residual is exact", false, "got -1.0", 2},
                            {"GPU-run checks", true, "no Metal on Linux", 3, true}};
  const std::string html = html_report(make_report({m}));
  EXPECT_NE(html.find("<tr><td>sites are counted</td><td>ok</td></tr>\n"
                      "<tr><td>residual is exact</td><td><b>FAIL</b> got -1.0</td></tr>\n"
                      "<tr><td>GPU-run checks</td><td>skipped no Metal on Linux</td></tr>\n"),
            std::string::npos)
      << html;
}

TEST(Html, TestTableHasStatusesAndFiltersForThePresentOnes) {
  const std::string html = html_report(make_report({machine()}));
  // Hidden until the script shows them: without scripts the page has no dead controls.
  EXPECT_NE(html.find("<div id=\"test-controls\" hidden>"), std::string::npos);
  EXPECT_NE(html.find("<input type=\"search\" id=\"test-search\""), std::string::npos);
  for (const char* filter : {"all", "failing", "passed", "failed", "xfail", "skipped"})
    EXPECT_NE(html.find(std::string("data-filter=\"") + filter + "\""), std::string::npos)
        << filter;
  EXPECT_EQ(html.find("data-filter=\"timeout\""), std::string::npos);
  EXPECT_NE(html.find("<tr data-status=\"passed\"><td>s/a</td>"), std::string::npos);
  EXPECT_NE(html.find("<tr data-status=\"failed\" data-failing=\"1\"><td>s/b</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr data-status=\"xfail\"><td>s/c</td>"), std::string::npos);

  MachineRun good;
  good.records = {make("s/a", Status::passed, 1, 1)};
  EXPECT_EQ(html_report(make_report({good})).find("data-filter=\"failing\""), std::string::npos);
}

// --- summary.json round trip and merging ---

TEST(Summary, RoundTripKeepsMachinesRecordsAndSteps) {
  const Report report = make_report({machine("1/2")});
  const auto machines =
      machines_from_summary(nlohmann::json::parse(dump_json(summary_json(report))), "x");
  ASSERT_EQ(machines.size(), 1u);
  EXPECT_EQ(machines[0].shard, "1/2");
  EXPECT_EQ(machines[0].hostname, "host");
  EXPECT_EQ(machines[0].build_steps.size(), 4u);
  EXPECT_EQ(machines[0].records.size(), 4u);
  EXPECT_THROW(machines_from_summary(nlohmann::json::object(), "x"), Error);
}

TEST(Summary, TextSplitsWallTimeIntoCompileAndRun) {
  const std::string text =
      summary_text(make_report({machine()}), "/b/wyn-report", {"summary.json", "junit.xml"});
  EXPECT_NE(text.find("4 tests: 1 passed, 1 failed, 1 xfail, 1 skipped"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  failed  s/b: exit code 3, expected 0\n"), std::string::npos);
  EXPECT_NE(text.find("Time: compile 0.90 s wall (3 compile steps), run 1.00 s wall"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Reports in /b/wyn-report: summary.json junit.xml"), std::string::npos);
}

TEST(Summary, TextKeepsEscapeSequencesOutOfTheTerminal) {
  MachineRun m;
  m.records = {make("s/x", Status::failed, 1, 1, "output line 1 is '\x1b]0;pwned\x07'")};
  const std::string text = summary_text(make_report({m}), "/r", {});
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("\\x1b]0;pwned\\x07"), std::string::npos);
}

class Merge : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wyn-merge-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    m_dir = tmpl;
  }
  void TearDown() override { remove_tree(m_dir); }
  std::string shard(const std::string& name, const MachineRun& m, bool as_build_dir) {
    const std::string dir = m_dir + "/" + name + (as_build_dir ? "/wyn-report" : "");
    write_reports(make_report({m}), dir, ReportOptions{});
    return m_dir + "/" + name;
  }
  std::string m_dir;
};

TEST_F(Merge, ShardsMergeIntoTheReportOfOneRun) {
  MachineRun all = machine();
  MachineRun one = machine("1/2"), two = machine("2/2");
  one.records = {all.records[0], all.records[2]};
  two.records = {all.records[1], all.records[3]};
  const auto machines = load_results({shard("one", one, false), shard("two", two, true)});
  EXPECT_TRUE(shard_problems(machines).empty());
  const Report merged = make_report(machines);
  const Report single = make_report({all});
  EXPECT_EQ(dump_json(summary_json(merged)["counts"]), dump_json(summary_json(single)["counts"]));
  EXPECT_EQ(dump_json(summary_json(merged)["tests"]), dump_json(summary_json(single)["tests"]));
  EXPECT_EQ(markdown_summary(merged).substr(0, 200), markdown_summary(single).substr(0, 200));
}

TEST_F(Merge, MissingShardsAndDuplicateTestsAreErrors) {
  MachineRun one = machine("1/3");
  const auto machines = load_results({shard("one", one, false)});
  EXPECT_EQ(shard_problems(machines),
            (std::vector<std::string>{"shard 2/3 is missing", "shard 3/3 is missing"}));
  const std::string a = shard("a", one, false), b = shard("b", one, false);
  try {
    load_results({a, b});
    FAIL() << "a test in two results must be an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("the test s/a is in both"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_results({m_dir + "/nothing"}), Error);
}

TEST_F(Merge, UnchosenFormatsAreRemoved) {
  const std::string dir = shard("r", machine(), false);
  EXPECT_TRUE(path_exists(dir + "/junit.xml"));
  ReportOptions options;
  set_report_option(options, "formats", "ctrf;html");
  const auto files = write_reports(make_report({machine()}), dir, options);
  EXPECT_EQ(files, (std::vector<std::string>{"summary.json", "ctrf.json", "report.html"}));
  EXPECT_FALSE(path_exists(dir + "/junit.xml"));
  EXPECT_THROW(set_report_option(options, "formats", "junit;pdf"), Error);
  EXPECT_THROW(set_report_option(options, "junit", "lenient"), Error);
}

// --- flaky tests (ctest --repeat until-pass) ---

MachineRun with_flaky() {
  MachineRun m = machine();
  TestRecord f = make("s/flaky", Status::flaky, 104.0, 0.3);
  f.attempts = {{Status::failed, "exit code 1, expected 0", 103.0, 0.4},
                {Status::flaky, "", 104.0, 0.3}};
  m.records.push_back(f);
  return m;
}

TEST(Flaky, PassesEverywhereWithItsAttemptsNoted) {
  const Report report = make_report({with_flaky()});
  EXPECT_STREQ(present(Status::flaky).ctrf, "passed");
  EXPECT_STREQ(present(Status::flaky).junit, "");

  const std::string text = summary_text(report, "/r", {});
  EXPECT_NE(
      text.find(
          "Flaky (passed when run again):\n  s/flaky: attempt 1 failed: exit code 1, expected 0\n"),
      std::string::npos)
      << text;
  EXPECT_EQ(text.find("failed  s/flaky"), std::string::npos);

  const std::string xml = junit_xml(report, {});
  const size_t at = xml.find("<testcase name=\"flaky\"");
  const std::string testcase = xml.substr(at, xml.find("</testcase>", at) - at);
  EXPECT_EQ(testcase.find("<failure"), std::string::npos);
  EXPECT_NE(testcase.find("<property name=\"wyn.status\" value=\"flaky\"/>"), std::string::npos);
  EXPECT_NE(testcase.find("<property name=\"wyn.attempts\" value=\"2\"/>"), std::string::npos);
  EXPECT_NE(testcase.find("value=\"attempt 1 failed: exit code 1, expected 0\""),
            std::string::npos);

  const nlohmann::json ctrf = ctrf_json(report, 200.0, 4096);
  EXPECT_EQ(ctrf["results"]["summary"]["flaky"], 1);
  for (const auto& t : ctrf["results"]["tests"]) {
    if (t["name"] != "s/flaky") continue;
    EXPECT_EQ(t["status"], "passed");
    EXPECT_EQ(t["rawStatus"], "flaky");
    EXPECT_EQ(t["flaky"], true);
    EXPECT_EQ(t["retries"], 1);
    ASSERT_EQ(t["retryAttempts"].size(), 2u);
    EXPECT_EQ(t["retryAttempts"][0]["status"], "failed");
    EXPECT_EQ(t["retryAttempts"][0]["message"], "exit code 1, expected 0");
    EXPECT_EQ(t["retryAttempts"][1]["attempt"], 2);
  }

  EXPECT_NE(
      markdown_summary(report).find("| s/flaky | attempt 1 failed: exit code 1, expected 0 |"),
      std::string::npos);
  EXPECT_NE(html_report(report).find("<section id=\"flaky\">"), std::string::npos);
}

TEST(Flaky, EveryAttemptIsARunOnTheTimeline) {
  int runs = 0;
  const nlohmann::json trace = trace_json(make_report({with_flaky()}));
  for (const auto& e : trace["traceEvents"])
    if (e["ph"] == "X" && e["name"] == "s/flaky") ++runs;
  EXPECT_EQ(runs, 2);
}

// --- --rerun-failed ---

TEST(RerunFailed, TheLogIsRenumberedFromTheNames) {
  const nlohmann::json listing = {
      {"kind", "ctestInfo"},
      {"tests", {{{"name", "s/new"}}, {{"name", "s/a"}}, {{"name", "s/b:c"}}}}};
  const auto numbers = test_numbers(listing);
  EXPECT_EQ(numbers, (std::map<std::string, int>{{"s/new", 1}, {"s/a", 2}, {"s/b:c", 3}}));
  EXPECT_EQ(renumber_failed_log("1:s/a\n2:s/b:c\n3:s/gone\n", numbers), "2:s/a\n3:s/b:c\n");
  EXPECT_EQ(renumber_failed_log("5:s/gone\n", numbers), "0:-\n");
}

}  // namespace
}  // namespace wyn
