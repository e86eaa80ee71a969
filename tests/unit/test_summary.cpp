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

}  // namespace
}  // namespace wyn
