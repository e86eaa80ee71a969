#include <gtest/gtest.h>

#include <string>

#include "util/diff.hpp"

namespace wyn {
namespace {

TEST(Diff, EqualTextsHaveNoDiff) { EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "x", "y"), ""); }

TEST(Diff, UnifiedDiffHasHeadersHunksAndContext) {
  const std::string expected = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
  const std::string actual = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  EXPECT_EQ(
      unified_diff(expected, actual, "x.c.golden", "the generated C"),
      "--- x.c.golden\n+++ the generated C\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(Diff, InsertionsAndDistantChangesMakeSeparateHunks) {
  std::string expected, actual;
  for (int i = 1; i <= 20; ++i) expected += std::to_string(i) + "\n";
  actual = "0\n" + expected;
  actual.replace(actual.find("\n15\n"), 4, "\n15\nextra\n");
  const std::string diff = unified_diff(expected, actual, "a", "b");
  EXPECT_NE(diff.find("@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"), std::string::npos) << diff;
  EXPECT_NE(diff.find("@@ -13,6 +14,7 @@\n 13\n 14\n 15\n+extra\n 16\n"), std::string::npos)
      << diff;
}

TEST(Diff, SaysWhichSideHasNoNewlineAtTheEnd) {
  EXPECT_EQ(unified_diff("a\nb\n", "a\nb", "old.c", "new.c"),
            "--- old.c\n+++ new.c\n\\ No newline at end of new.c\n");
  EXPECT_NE(unified_diff("a", "a\n", "old.c", "new.c").find("\\ No newline at end of old.c\n"),
            std::string::npos);
}

}  // namespace
}  // namespace wyn
