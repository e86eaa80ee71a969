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

TEST(SubChecks, ReadsTapSkipAndTodoDirectives) {
  const auto checks = parse_subchecks(
      "1..5\n"
      "ok 1 - needs sqlite3 # SKIP sqlite3 not found\n"
      "ok 2 # skip\n"  // no name: not shown, as a bare `ok 2`
      "not ok 3 - parses generics # TODO not implemented yet\n"
      "not ok 4 - a real failure # with a comment\n"
      "ok 5 - counts # Skipped: no network\n");
  ASSERT_EQ(checks.size(), 4u);
  EXPECT_EQ(checks[0].name, "needs sqlite3");
  EXPECT_TRUE(checks[0].skipped);
  EXPECT_TRUE(checks[0].ok);
  EXPECT_EQ(checks[0].details, "sqlite3 not found");
  EXPECT_EQ(checks[1].name, "parses generics");
  EXPECT_FALSE(checks[1].skipped);
  EXPECT_TRUE(checks[1].ok);
  EXPECT_EQ(checks[1].details, "TODO: not implemented yet");
  EXPECT_EQ(checks[2].name, "a real failure # with a comment");
  EXPECT_FALSE(checks[2].ok);
  EXPECT_TRUE(checks[3].skipped);
  EXPECT_EQ(checks[3].name, "counts");
  EXPECT_EQ(checks[3].details, "no network");
  EXPECT_EQ(failing_subchecks(checks), "a real failure # with a comment");
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

TEST(SubChecks, ReadsSkippedChecksWithTheirReasonAsNotFailing) {
  const auto checks = parse_subchecks(
      "  ok    sites are counted\n"
      "  skip  GPU-run checks (no Metal on Linux)\n"
      "  skip  fd-leak check\n"
      "skipping the rest\n"
      "  SKIP  upper case is not the format\n");
  ASSERT_EQ(checks.size(), 3u);
  EXPECT_FALSE(checks[0].skipped);
  EXPECT_TRUE(checks[1].skipped);
  EXPECT_TRUE(checks[1].ok);
  EXPECT_EQ(checks[1].name, "GPU-run checks");
  EXPECT_EQ(checks[1].details, "no Metal on Linux");
  EXPECT_EQ(checks[1].line, 2);
  EXPECT_EQ(checks[2].name, "fd-leak check");
  EXPECT_EQ(checks[2].details, "");
  EXPECT_EQ(failing_subchecks(checks), "");
}

TEST(SkipLine, MatchesEveryFormTheWynGateScriptsPrint) {
  // Each SKIP line of the Wyn 1.20 gate's scripts.
  for (const char* line : {"lsp: SKIP (python3 not found)", "sqlite: SKIP (sqlite3 not installed)",
                           "http-server-load: SKIP (POSIX sockets/pgrep required)",
                           "orphan-child: SKIP (POSIX signals/pgrep required)",
                           "sqlite-link-order: SKIP (./packages/sqlite vendored - -lsqlite3 "
                           "branch not taken)",
                           "sqlite-link-order: SKIP (system sqlite3 not linkable)"}) {
    const SkipLine skip = find_skip_line(std::string("== setup ==\n") + line + "\n");
    EXPECT_EQ(skip.line, 2) << line;
    EXPECT_EQ(skip.text, line);
  }
  EXPECT_EQ(find_skip_line("lsp: SKIP (python3 not found)\n").reason, "python3 not found");
  EXPECT_EQ(find_skip_line("x: SKIP (needs (nested) parens)").reason, "needs (nested) parens");
}

TEST(SkipLine, IgnoresColoursAndTrailingBlanksButNothingElse) {
  EXPECT_EQ(find_skip_line("\033[33mlsp: SKIP (no python3)\033[0m  \r\n").reason, "no python3");
  for (const char* text : {
           "  lsp: SKIP (indented: a sub-script's line)",
           "lsp: SKIP (no closing parenthesis",
           "lsp: SKIP ()",
           "lsp: SKIP python3 not found",
           "lsp: skip (lower case)",
           "two words: SKIP (not a name)",
           ": SKIP (no name)",
           "lsp: SKIP (python3 not found) and then more",
           "echo \"lsp: SKIP (python3 not found)\"",
       })
    EXPECT_EQ(find_skip_line(text).line, 0) << text;
}

TEST(SelfSkip, ASkipLineWithoutChecksSkipsTheScript) {
  const std::string output = "lsp: SKIP (python3 not found)\n";
  EXPECT_EQ(self_skip_reason(find_skip_line(output), parse_subchecks(output)), "python3 not found");
  // Skipped sub-checks before it change nothing.
  const std::string more = "  skip  a (no a)\nsqlite: SKIP (sqlite3 not installed)\n";
  EXPECT_EQ(self_skip_reason(find_skip_line(more), parse_subchecks(more)), "sqlite3 not installed");
}

TEST(SelfSkip, ChecksThatRanMakeItNoSkip) {
  for (const char* output : {"  ok    built\nlsp: SKIP (python3 not found)\n",
                             "  FAIL  built\nlsp: SKIP (python3 not found)\n",
                             "  ok    sites\n  skip  GPU-run checks (no Metal)\n", "", "done\n"}) {
    EXPECT_EQ(self_skip_reason(find_skip_line(output), parse_subchecks(output)), "") << output;
  }
}

TEST(SelfSkip, EverySubCheckSkippedSkipsTheScriptNamingThem) {
  const std::string output = "  skip  GPU-run checks (no Metal)\n  skip  fd-leak check\n";
  EXPECT_EQ(self_skip_reason(find_skip_line(output), parse_subchecks(output)),
            "every sub-check was skipped: GPU-run checks (no Metal); fd-leak check");
}

}  // namespace
}  // namespace wyn
