#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "launcher/snapshot.hpp"
#include "process/subprocess.hpp"
#include "temp_dir.hpp"
#include "util/fs.hpp"

namespace wyn {
namespace {

// The expectations below are what the reference runner's
// `sed -e 's|[^"[:space:]]*NAME\.wyn|NAME.wyn|g' -e 's|\r$||'` prints for
// them (GNU sed, C locale); SnapshotAgainstSed checks more of them there.

TEST(Snapshot, LineDirectivesOfAbsoluteAndRelativePathsNameTheFile) {
  EXPECT_EQ(normalize_snapshot("#line 2 \"/home/ci/wyn/tests/golden/fib.wyn\"\n", "fib.wyn"),
            "#line 2 \"fib.wyn\"\n");
  EXPECT_EQ(normalize_snapshot("#line 2 \"tests/golden/fib.wyn\"\n", "fib.wyn"),
            "#line 2 \"fib.wyn\"\n");
  EXPECT_EQ(normalize_snapshot("#line 2 \"fib.wyn\"\n", "fib.wyn"), "#line 2 \"fib.wyn\"\n");
}

TEST(Snapshot, LocationCommentsLoseTheirPathAndTheAt) {
  // As the real compiler writes them, indented and with a blank after.
  EXPECT_EQ(normalize_snapshot("/* @/home/ci/wyn/tests/golden/fib.wyn:2 */ \n"
                               "    /* @tests/golden/fib.wyn:13 */ \n"
                               "/* @fib.wyn:4 */\n",
                               "fib.wyn"),
            "/* fib.wyn:2 */ \n    /* fib.wyn:13 */ \n/* fib.wyn:4 */\n");
}

TEST(Snapshot, TheRunIsReplacedUpToTheLastOccurrenceOfTheName) {
  // Only what follows the last occurrence survives; the run can go on.
  EXPECT_EQ(normalize_snapshot("f(/a/fib.wyn)", "fib.wyn"), "fib.wyn)");
  EXPECT_EQ(normalize_snapshot("/a/fib.wyn/b/fib.wyn:3 x", "fib.wyn"), "fib.wyn:3 x");
  EXPECT_EQ(normalize_snapshot("/tmp/fib.wyn.c", "fib.wyn"), "fib.wyn.c");
  EXPECT_EQ(normalize_snapshot("libfib.wyn", "fib.wyn"), "fib.wyn");
  EXPECT_EQ(normalize_snapshot("x/fib.wynfib.wyn2", "fib.wyn"), "fib.wyn2");
}

TEST(Snapshot, QuotesAndWhiteSpaceEndRuns) {
  // Inside a string literal the path is a run of its own, like a bare one.
  EXPECT_EQ(normalize_snapshot("puts(\"see /src/fib.wyn:3 now\");", "fib.wyn"),
            "puts(\"see fib.wyn:3 now\");");
  EXPECT_EQ(normalize_snapshot("puts(\"/src/fib.wyn\");", "fib.wyn"), "puts(\"fib.wyn\");");
  // The quote ends the run: the part before it is kept.
  EXPECT_EQ(normalize_snapshot("x=\"/src/fib.wyn\"", "fib.wyn"), "x=\"fib.wyn\"");
  EXPECT_EQ(normalize_snapshot("a\\\"/b/fib.wyn", "fib.wyn"), "a\\\"fib.wyn");
  // Every byte sed's [[:space:]] has in the C locale ends a run.
  EXPECT_EQ(normalize_snapshot("a\t/b/fib.wyn\v/c/fib.wyn\f/d/fib.wyn\r/e/fib.wyn", "fib.wyn"),
            "a\tfib.wyn\vfib.wyn\ffib.wyn\rfib.wyn");
  // A directory with a blank in its name is cut at the blank only.
  EXPECT_EQ(normalize_snapshot("/* @/my dir/fib.wyn:2 */", "fib.wyn"), "/* @/my fib.wyn:2 */");
}

TEST(Snapshot, BackslashesArePartOfTheRun) {
  // Windows paths, as written in a comment and (escaped) in a C string.
  EXPECT_EQ(normalize_snapshot("/* @C:\\src\\wyn\\fib.wyn:2 */", "fib.wyn"), "/* fib.wyn:2 */");
  EXPECT_EQ(normalize_snapshot("#line 2 \"C:\\\\src\\\\fib.wyn\"", "fib.wyn"),
            "#line 2 \"fib.wyn\"");
}

TEST(Snapshot, OtherNamesAreLeftAlone) {
  const std::string text =
      "#line 1 \"/a/b/other.wyn\"\n/* @/a/fib.wy:3 */ fib.wynn is not fib_wyn; FIB.wyn\n";
  EXPECT_EQ(normalize_snapshot(text, "fib.wyn"), text);
  // The name is matched as it is: its '.' is no wildcard.
  EXPECT_EQ(normalize_snapshot("/a/fibXwyn", "fib.wyn"), "/a/fibXwyn");
}

TEST(Snapshot, CarriageReturnsAreDroppedOnEveryLine) {
  EXPECT_EQ(normalize_snapshot("a\r\nb\r\nc\r", "x.wyn"), "a\nb\nc");
  EXPECT_EQ(normalize_snapshot("#line 1 \"/s/x.wyn\"\r\n", "x.wyn"), "#line 1 \"x.wyn\"\n");
  // One per line, and only at its end.
  EXPECT_EQ(normalize_snapshot("a\r\r\nb\rc\n", "x.wyn"), "a\r\nb\rc\n");
  EXPECT_EQ(drop_carriage_returns("a\r\r\nb\rc\r\nd\r"), "a\r\nb\rc\nd");
}

TEST(Snapshot, TheSnapshotSideKeepsItsPaths) {
  // The reference compares the snapshot as it is (but for CRs): a path left
  // in a snapshot is a difference, not something to normalize away.
  EXPECT_EQ(drop_carriage_returns("#line 1 \"/s/x.wyn\"\r\n"), "#line 1 \"/s/x.wyn\"\n");
  EXPECT_EQ(drop_carriage_returns(""), "");
}

TEST(Snapshot, FiltersApplyInOrderToEachLine) {
  const std::vector<SnapshotFilter> filters = compile_snapshot_filters({
      "[0-9]{2}:[0-9]{2}:[0-9]{2}", "<TIME>",  // a timestamp
      "/tmp/wyn-[A-Za-z0-9]+/", "<TMP>/",      // a temporary directory
      "^(\\w+) <TIME>$", "$1 at <TIME>",       // anchors are a line's ends; groups
      "<TMP>", "[$&]",                         // the earlier replacement is seen
  });
  EXPECT_EQ(
      apply_snapshot_filters("built 12:30:59\n/tmp/wyn-a8Z/x.c\nbuilt 01:02:03 ok\n", filters),
      "built at <TIME>\n[<TMP>]/x.c\nbuilt <TIME> ok\n");
  EXPECT_EQ(apply_snapshot_filters("done 00:00:00", filters), "done at <TIME>");
  EXPECT_EQ(apply_snapshot_filters("a\nb", {}), "a\nb");
}

TEST(Snapshot, FiltersDoNotReachAcrossLines) {
  const std::vector<SnapshotFilter> filters = compile_snapshot_filters({"a\\s+b", "X", "$", ";"});
  EXPECT_EQ(apply_snapshot_filters("a b\na\nb\n", filters), "X;\na;\nb;\n");
}

TEST(Snapshot, AnOddLastWordIsNoFilter) {
  EXPECT_EQ(compile_snapshot_filters({"a", "b", "c"}).size(), 1u);
}

TEST(Snapshot, BadPatternsThrow) {
  EXPECT_THROW(compile_snapshot_filters({"([a-z", "x"}), std::regex_error);
  EXPECT_THROW(compile_snapshot_filters({"ok", "x", "*", "y"}), std::regex_error);
}

/// GNU sed, which the reference runner uses, when it is on PATH.
bool have_gnu_sed() {
  TempDir dir;
  SpawnOptions options;
  options.argv = {"sed", "--version"};
  options.env = current_environment();
  options.stdout_path = dir.path() + "/version.txt";
  const ProcessResult result = run_process(options);
  std::string version;
  return result.exit_code == 0 && try_read_file(options.stdout_path, version) &&
         version.find("GNU sed") != std::string::npos;
}

TEST(SnapshotAgainstSed, NormalizationEqualsTheReferenceRunnersSed) {
  if (!have_gnu_sed()) GTEST_SKIP() << "needs GNU sed, as the reference runner has";
  // Texts made of the pieces that matter, compared byte for byte with what
  // the reference's command prints for them in the C locale.
  const std::vector<std::string> pieces = {"t_1.wyn",
                                           "t_1.wy",
                                           "t_1",
                                           ".wyn",
                                           "/",
                                           "\\",
                                           "@",
                                           ":",
                                           "7",
                                           "\"",
                                           " ",
                                           "\t",
                                           "\r",
                                           "\n",
                                           "\v",
                                           "\f",
                                           "a",
                                           "*/",
                                           std::string(1, '\0'),
                                           "\xff",
                                           "\xe3\x80\x80",
                                           "#line "};
  std::mt19937 random(20261207);
  std::string text;
  for (int i = 0; i < 3000; ++i) text += pieces[random() % pieces.size()];
  TempDir dir;
  const std::string input = dir.path() + "/input.c";
  write_file_atomic(input, text);
  SpawnOptions sed;
  sed.argv = {"sed", "-e", "s|[^\"[:space:]]*t_1\\.wyn|t_1.wyn|g", "-e", "s|\\r$||", input};
  sed.env = current_environment();
  sed.env.erase(std::remove_if(sed.env.begin(), sed.env.end(),
                               [](const std::string& e) { return e.rfind("LC_ALL=", 0) == 0; }),
                sed.env.end());
  sed.env.push_back("LC_ALL=C");
  sed.capture = CaptureMode::split;
  sed.stdout_path = dir.path() + "/sed.out";
  sed.stderr_path = dir.path() + "/sed.err";
  ASSERT_EQ(run_process(sed).exit_code, 0);
  EXPECT_EQ(normalize_snapshot(text, "t_1.wyn"), read_file(sed.stdout_path));
}

TEST(Snapshot, FirstLinesCountsWhatIsLeftOut) {
  EXPECT_EQ(first_lines("a\nb\nc\nd\n", 2), "a\nb\n... (2 more lines)");
  EXPECT_EQ(first_lines("a\nb\n", 5), "a\nb\n");
}

}  // namespace
}  // namespace wyn
