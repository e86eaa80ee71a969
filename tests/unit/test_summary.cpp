#include <gtest/gtest.h>

#include "report/summary.hpp"

namespace wyn {
namespace {

TestRecord record(std::string name, Status status, double run, std::string reason = "") {
  TestRecord r;
  r.name = std::move(name);
  r.status = status;
  r.run_seconds = run;
  r.compile_seconds = 0.5;
  r.reason = std::move(reason);
  return r;
}

TEST(Summary, CountsEveryStatusAndTheTotal) {
  const std::vector<TestRecord> records = {record("s/a", Status::passed, 1),
                                           record("s/b", Status::failed, 2, "wrong"),
                                           record("s/c", Status::passed, 3)};
  const auto j = summary_json(records);
  EXPECT_EQ(j["counts"]["total"], 3);
  EXPECT_EQ(j["counts"]["passed"], 2);
  EXPECT_EQ(j["counts"]["failed"], 1);
  EXPECT_EQ(j["counts"]["timeout"], 0);
  EXPECT_EQ(j["tests"].size(), 3u);
  EXPECT_EQ(j["tests"][1]["status"], "failed");
  EXPECT_EQ(j["tests"][1]["reason"], "wrong");
  EXPECT_DOUBLE_EQ(j["compile_seconds"].get<double>(), 1.5);
}

TEST(Summary, TextListsFailuresAndSlowestFirst) {
  const std::vector<TestRecord> records = {
      record("s/fast", Status::passed, 0.1), record("s/slow", Status::passed, 9),
      record("s/bad", Status::crashed, 1, "killed by SIGSEGV")};
  const std::string text = summary_text(records, "/b/wyn-report");
  EXPECT_NE(text.find("3 tests: 2 passed, 1 crashed"), std::string::npos) << text;
  EXPECT_NE(text.find("crashed  s/bad: killed by SIGSEGV"), std::string::npos);
  EXPECT_LT(text.find("s/slow"), text.find("s/fast"));
}

TEST(Summary, AReasonOfSeveralLinesIsIndentedBelowItsTest) {
  std::string diff = "the generated C differs from the snapshot:\n--- a.c.golden\n+++ a.c\n";
  for (int i = 0; i < 20; ++i) diff += "-old " + std::to_string(i) + "\n+new\x1b[31m\n";
  const std::vector<TestRecord> records = {record("s/a", Status::failed, 1, diff),
                                           record("s/b", Status::failed, 1, "wrong")};
  const std::string text = summary_text(records, "/b/wyn-report");
  EXPECT_NE(text.find("failed  s/a: the generated C differs from the snapshot:\n"
                      "      --- a.c.golden\n      +++ a.c\n      -old 0\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("\x1b"), std::string::npos) << "no escape sequence reaches the terminal";
  EXPECT_NE(text.find("      ... 30 more lines in the record\n  failed  s/b: wrong\n"),
            std::string::npos)
      << text;
}

TEST(Summary, TextListsSkippedTestsWithTheirReasonsAFewAtMost) {
  std::vector<TestRecord> records = {
      record("s/ok", Status::passed, 1),
      record("lsp/run_lsp_test", Status::skipped, 0.1, "python3 not found")};
  std::string text = summary_text(records, "/b/wyn-report");
  EXPECT_NE(text.find("Skipped:\n  lsp/run_lsp_test: python3 not found\n"), std::string::npos)
      << text;
  for (int i = 10; i < 22; ++i)
    records.push_back(record("s/skip" + std::to_string(i), Status::skipped, 0, "later"));
  text = summary_text(records, "/b/wyn-report");  // in name order
  EXPECT_NE(text.find("  s/skip18: later\n  ... and 3 more (see the reports)\n"), std::string::npos)
      << text;
  EXPECT_EQ(text.find("s/skip19"), std::string::npos) << text;
}

}  // namespace
}  // namespace wyn
