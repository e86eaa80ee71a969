#include <gtest/gtest.h>

#include "launcher/subchecks.hpp"

namespace wyn {
namespace {

TEST(SubChecks, ReadsTheWynGateFormat) {
  const auto checks = parse_subchecks(
      "== errors: undefined names ==\n"
      "  ok    undefined variable is reported\n"
      "  FAIL  undefined function names the line (got 'Error at line 0' (no line))\n"
      "  ok    exit status is 1\n"
      "2 passed, 1 failed\n");
  ASSERT_EQ(checks.size(), 3u);
  EXPECT_TRUE(checks[0].ok);
  EXPECT_EQ(checks[0].name, "undefined variable is reported");
  EXPECT_EQ(checks[0].line, 2);
  EXPECT_FALSE(checks[1].ok);
  EXPECT_EQ(checks[1].name, "undefined function names the line");
  EXPECT_EQ(checks[1].details, "got 'Error at line 0' (no line)");
  EXPECT_EQ(failing_subchecks(checks),
            "undefined function names the line (got 'Error at line 0' (no line))");
}

TEST(SubChecks, ReadsTap) {
  const auto checks = parse_subchecks(
      "TAP version 13\n1..3\nok 1 - parses\nnot ok 2 - type checks\n# diagnostic\nok 3\n");
  ASSERT_EQ(checks.size(), 2u);
  EXPECT_EQ(checks[0].name, "parses");
  EXPECT_TRUE(checks[0].ok);
  EXPECT_EQ(checks[1].name, "type checks");
  EXPECT_FALSE(checks[1].ok);
  EXPECT_EQ(checks[1].line, 4);
}

TEST(SubChecks, IgnoresColoursAndProseThatMerelyMentionsOk) {
  const auto checks = parse_subchecks(
      "okay then\nFAILED to start\n\033[32m  ok    green check\033[0m\nall ok\nFAIL  \n");
  ASSERT_EQ(checks.size(), 1u);
  EXPECT_EQ(checks[0].name, "green check");
}

TEST(SubChecks, NamesAFewFailuresAndCountsTheRest) {
  std::vector<SubCheck> checks;
  for (int i = 0; i < 8; ++i) checks.push_back({"c" + std::to_string(i), i == 0, "", i + 1});
  EXPECT_EQ(failing_subchecks(checks, 2), "c1; c2; and 5 more");
  EXPECT_EQ(failing_subchecks({{"a", true, "", 1}}), "");
}

}  // namespace
}  // namespace wyn
