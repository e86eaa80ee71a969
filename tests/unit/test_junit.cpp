#include <gtest/gtest.h>

#include <regex>

#include "record_fixture.hpp"
#include "report/junit.hpp"

namespace wyn {
namespace {

using namespace std::string_literals;

TestRecord make(const std::string& name, Status status, const std::string& reason = "") {
  const bool ran = status != Status::skipped;
  return make_record(name, status, reason, 0.25, ran ? 0.5 : 0, ran ? 1700000000 : 0);
}

/// A run with a test of every kind, as the launcher records them.
Report every_kind() {
  MachineRun m;
  m.hostname = "ci-host";
  TestRecord wrong =
      make("outcomes/wrong_output", Status::failed, "output line 1 is 'wrong', expected 'right'");
  wrong.diff = {{1, "right", "wrong", false}, {3, "end", "", true}};
  wrong.output = "wrong\nsecond\n";
  TestRecord compile =
      make("outcomes/compile_error", Status::compile_error,
           "the compiler failed with status 1: Error: Undefined function 'frobnicate'");
  compile.diagnostics = "Building t.wyn\nError: Undefined function 'frobnicate'\n";
  TestRecord crash =
      make("outcomes/segfault", Status::crashed, "the program was killed by SIGSEGV");
  crash.signal = "SIGSEGV";
  TestRecord hang = make("outcomes/hangs", Status::timeout,
                         "timed out after 2 s; the process group was terminated");
  hang.signals_sent = {"SIGTERM", "SIGKILL"};
  m.records = {
      wrong,
      compile,
      crash,
      hang,
      make("outcomes/skipped", Status::skipped, "not on this machine"),
      make("outcomes/xfail", Status::xfail, "expected failure (known bug): exit code 1"),
      make("outcomes/xpass", Status::xpass, "passed, but it is marked XFAIL: was a bug"),
      make("outcomes/not_built", Status::harness_error, "not built yet: run cmake --build first"),
      make("outcomes/deep/dir/ok", Status::passed),
      make("other/ok", Status::passed)};
  return make_report({m});
}

TestRecord& find(Report& report, const std::string& name) {
  for (TestRecord& r : report.records)
    if (r.name == name) return r;
  throw std::runtime_error("no test " + name);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(Junit, OneTestsuitePerWynSuiteWithItsCounts) {
  const std::string xml = junit_xml(every_kind(), {});
  EXPECT_EQ(count(xml, "<testsuite "), 2u);
  EXPECT_NE(
      xml.find(
          "<testsuite name=\"outcomes\" tests=\"9\" failures=\"5\" errors=\"1\" skipped=\"1\""),
      std::string::npos)
      << xml;
  EXPECT_NE(
      xml.find("<testsuite name=\"other\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\""),
      std::string::npos);
  EXPECT_NE(xml.find("hostname=\"ci-host\""), std::string::npos);
  EXPECT_TRUE(std::regex_search(
      xml, std::regex("timestamp=\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\"")));
}

TEST(Junit, FailureMessagesCarryTheRealReason) {
  const std::string xml = junit_xml(every_kind(), {});
  EXPECT_NE(xml.find("<failure message=\"output line 1 is &#39;wrong&#39;, expected "
                     "&#39;right&#39;\" type=\"failed\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("message=\"the program was killed by SIGSEGV\" type=\"crashed\""),
            std::string::npos);
  EXPECT_NE(xml.find("Undefined function &#39;frobnicate&#39;\" type=\"compile_error\""),
            std::string::npos);
  EXPECT_NE(xml.find("message=\"timed out after 2 s"), std::string::npos);
  EXPECT_NE(
      xml.find("<error message=\"not built yet: run cmake --build first\" type=\"harness_error\">"),
      std::string::npos);
  EXPECT_NE(xml.find("<skipped message=\"not on this machine\"/>"), std::string::npos);
  EXPECT_EQ(xml.find("message=\"Failed\""), std::string::npos);
  // The body has the diff and the harness's signals.
  EXPECT_NE(xml.find("line 1: expected 'right'\n         actual   'wrong'"), std::string::npos);
  EXPECT_NE(xml.find("line 3: expected 'end'\n         output ended"), std::string::npos);
  EXPECT_NE(xml.find("the harness sent: SIGTERM, SIGKILL"), std::string::npos);
}

TEST(Junit, ExpectedFailuresPassAndKeepTheirStatus) {
  const std::string xml = junit_xml(every_kind(), {});
  const size_t xfail = xml.find("<testcase name=\"xfail\"");
  ASSERT_NE(xfail, std::string::npos);
  const std::string testcase = xml.substr(xfail, xml.find("</testcase>", xfail) - xfail);
  EXPECT_EQ(testcase.find("<failure"), std::string::npos);
  EXPECT_NE(testcase.find("<property name=\"wyn.status\" value=\"xfail\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<testcase name=\"xpass\""), std::string::npos);
  EXPECT_NE(xml.find("type=\"xpass\""), std::string::npos);
}

TEST(Junit, ScriptSubChecksShowSkippedOnesAsSkipLines) {
  MachineRun m;
  TestRecord gpu = make("gate/run_gpu_test", Status::passed);
  gpu.subchecks = {{"sites are counted", true, "", 1},
                   {"GPU-run checks", true, "no Metal on Linux", 2, true}};
  m.records = {gpu, make("gate/run_lsp_test", Status::skipped, "python3 not found")};
  const std::string xml = junit_xml(make_report({m}), {});
  EXPECT_NE(xml.find("<system-out>sub-checks:\n  ok    sites are counted\n"
                     "  skip  GPU-run checks (no Metal on Linux)\n"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"python3 not found\"/>"), std::string::npos);
}

TEST(Junit, DefaultFlavorNamesFileClassAndSplitsTime) {
  const std::string xml = junit_xml(every_kind(), {});
  EXPECT_NE(xml.find("<testcase name=\"ok\" classname=\"outcomes.deep.dir\" time=\"0.750\" "
                     "file=\"/src/outcomes/deep/dir/ok.wyn\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<property name=\"wyn.compile_seconds\" value=\"0.250\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<property name=\"wyn.run_seconds\" value=\"0.500\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"wyn.test\" value=\"outcomes/deep/dir/ok\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("      <system-out>wrong\nsecond\n</system-out>"), std::string::npos);
  EXPECT_NE(xml.find("      <system-err>compiler output:\nBuilding t.wyn"), std::string::npos);
}

TEST(Junit, StrictFlavorKeepsToTheAntSchema) {
  const std::string xml = junit_xml(every_kind(), {"strict", 16 * 1024});
  EXPECT_NE(xml.find("<testsuites>\n"), std::string::npos);
  EXPECT_EQ(xml.find("file="), std::string::npos);
  // No testcase-level properties or output: only the suite's, one each.
  EXPECT_EQ(count(xml, "<properties>"), 2u);
  EXPECT_EQ(count(xml, "<system-out>"), 2u);
  EXPECT_EQ(count(xml, "<system-err>"), 2u);
  EXPECT_NE(xml.find("id=\"0\" package=\"other\""), std::string::npos);  // suites by name
  EXPECT_NE(xml.find("id=\"1\" package=\"outcomes\""), std::string::npos);
  EXPECT_NE(xml.find("<property name=\"outcomes/segfault.run_seconds\" value=\"0.500\"/>"),
            std::string::npos);
  EXPECT_NE(
      xml.find("<property name=\"outcomes/segfault.file\" value=\"/src/outcomes/segfault.wyn\"/>"),
      std::string::npos);
  EXPECT_NE(xml.find("===== outcomes/wrong_output (failed)\nwrong\nsecond\n"), std::string::npos);
  // Elements in the order the schema's sequence demands.
  const size_t suite = xml.find("<testsuite ");
  EXPECT_LT(xml.find("<properties>", suite), xml.find("<testcase", suite));
  EXPECT_LT(xml.rfind("<testcase"), xml.rfind("<system-out>"));
  EXPECT_LT(xml.rfind("<system-out>"), xml.rfind("<system-err>"));
}

TEST(Junit, HostileOutputStaysWellFormedAndVisible) {
  Report report = every_kind();
  TestRecord& r = find(report, "outcomes/wrong_output");
  r.output = "nul \0 esc \x1b[1m bad \\xff end ]]> <tag> & \r\n"s;
  r.reason = "output line 1 is '\x1b[1m\0', expected ''"s;
  for (const char* flavor : {"default", "strict"}) {
    const std::string xml = junit_xml(report, {flavor, 1024});
    for (unsigned char c : xml)
      EXPECT_FALSE(c < 0x20 && c != '\n' && c != '\t') << flavor << int(c);
    EXPECT_NE(xml.find("nul \\x00 esc \\x1b[1m bad \\xff end ]]&gt; &lt;tag&gt; &amp; &#13;"),
              std::string::npos)
        << xml;
    EXPECT_NE(xml.find("message=\"output line 1 is &#39;\\x1b[1m\\x00&#39;"), std::string::npos);
  }
}

TEST(Junit, OutputIsCappedPerTestCase) {
  Report report = every_kind();
  find(report, "outcomes/wrong_output").output = std::string(100000, 'x');
  const std::string xml = junit_xml(report, {"default", 2048});
  const size_t open = xml.find("<system-out>x");
  ASSERT_NE(open, std::string::npos);
  const size_t close = xml.find("</system-out>", open);
  EXPECT_LT(close - open, 2048u + 200);
  EXPECT_NE(xml.find("bytes left out"), std::string::npos);
}

TEST(Junit, FailureMessageFallsBackToTheStatus) {
  EXPECT_EQ(failure_message(make("s/x", Status::crashed)), "crashed");
  EXPECT_EQ(failure_message(make("s/x", Status::crashed, "killed by SIGBUS")), "killed by SIGBUS");
}

}  // namespace
}  // namespace wyn
