#include <gtest/gtest.h>

#include "launcher/snapshot.hpp"

namespace wyn {
namespace {

TEST(Snapshot, AbsoluteAndRelativePathsOfTheFileBecomeItsName) {
  const std::string a = normalize_snapshot(
      "#line 1 \"/home/ci/wyn/tests/golden/fib.wyn\"\nint x; /* "
      "@/home/ci/wyn/tests/golden/fib.wyn:3 */\n",
      "fib.wyn");
  const std::string b = normalize_snapshot(
      "#line 1 \"tests/golden/fib.wyn\"\nint x; /* @./fib.wyn:3 */\n", "fib.wyn");
  EXPECT_EQ(a, "#line 1 \"fib.wyn\"\nint x; /* @fib.wyn:3 */\n");
  EXPECT_EQ(a, b);
}

TEST(Snapshot, OtherNamesAreLeftAlone) {
  const std::string text = "// fib.wyn.c from libfib.wyn and /x/fib.wyn2\nsee /a/b/other.wyn\n";
  EXPECT_EQ(normalize_snapshot(text, "fib.wyn"), text);
}

TEST(Snapshot, CarriageReturnsAreDroppedOnEveryLine) {
  EXPECT_EQ(normalize_snapshot("a\r\nb\r\nc", "x.wyn"), "a\nb\nc");
  EXPECT_EQ(normalize_snapshot("a\r\nb\r\n", "x.wyn"), normalize_snapshot("a\nb\n", "x.wyn"));
}

TEST(Snapshot, EqualTextsHaveNoDiff) { EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "x", "y"), ""); }

TEST(Snapshot, UnifiedDiffHasHeadersHunksAndContext) {
  const std::string expected = "1\n2\n3\n4\n5\n6\n7\n8\n9\n";
  const std::string actual = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  EXPECT_EQ(
      unified_diff(expected, actual, "x.c.golden", "the generated C"),
      "--- x.c.golden\n+++ the generated C\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(Snapshot, InsertionsAndDistantChangesMakeSeparateHunks) {
  std::string expected, actual;
  for (int i = 1; i <= 20; ++i) expected += std::to_string(i) + "\n";
  actual = "0\n" + expected;
  actual.replace(actual.find("\n15\n"), 4, "\n15\nextra\n");
  const std::string diff = unified_diff(expected, actual, "a", "b");
  EXPECT_NE(diff.find("@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n"), std::string::npos) << diff;
  EXPECT_NE(diff.find("@@ -13,6 +14,7 @@\n 13\n 14\n 15\n+extra\n 16\n"), std::string::npos)
      << diff;
}

TEST(Snapshot, FirstLinesCountsWhatIsLeftOut) {
  EXPECT_EQ(first_lines("a\nb\nc\nd\n", 2), "a\nb\n... (2 more lines)");
  EXPECT_EQ(first_lines("a\nb\n", 5), "a\nb\n");
}

}  // namespace
}  // namespace wyn
