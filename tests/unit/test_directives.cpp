#include <gtest/gtest.h>

#include "suite/directives.hpp"

namespace wyn {
namespace {

ParsedSource parse(std::string_view text) { return parse_source(text, "t.wyn"); }

TEST(Directives, ExpectLinesKeepTextAfterOneBlank) {
  const auto p =
      parse("// EXPECT: hello\n// EXPECT:   indented\n//EXPECT:\nfn main() -> int {\n}\n");
  ASSERT_TRUE(p.errors.empty());
  ASSERT_EQ(p.directives.expect.size(), 3u);
  EXPECT_EQ(p.directives.expect[0].text, "hello");
  EXPECT_EQ(p.directives.expect[0].line, 1);
  EXPECT_EQ(p.directives.expect[1].text, "  indented");
  EXPECT_EQ(p.directives.expect[2].text, "");
  EXPECT_TRUE(p.has_main);
  EXPECT_TRUE(p.directives.has_expectations());
}

TEST(Directives, CarriageReturnsAreDropped) {
  const auto p = parse("// EXPECT: crlf\r\n// TIMEOUT: 5\r\n");
  ASSERT_TRUE(p.errors.empty());
  EXPECT_EQ(p.directives.expect[0].text, "crlf");
  EXPECT_DOUBLE_EQ(p.directives.timeout_seconds, 5);
}

TEST(Directives, EveryKnownKey) {
  const auto p = parse(
      "// EXPECT_EXIT: 42\n// TIMEOUT: 2.5\n// XFAIL: bug 12\n// LABELS: slow  io\n"
      "// LABELS: io net\n// ARGS: a 'b c' \"d \\\"e\\\"\" f\\ g\n// ENV: A=1\n// ENV: B=x=y\n"
      "// STDIN: data/in.txt\n// NO_CACHE: reads the clock\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].str();
  const Directives& d = p.directives;
  EXPECT_EQ(d.expect_exit, 42);
  EXPECT_DOUBLE_EQ(d.timeout_seconds, 2.5);
  EXPECT_TRUE(d.xfail);
  EXPECT_EQ(d.xfail_reason, "bug 12");
  EXPECT_EQ(d.labels, (std::vector<std::string>{"slow", "io", "net"}));
  EXPECT_EQ(d.args, (std::vector<std::string>{"a", "b c", "d \"e\"", "f g"}));
  ASSERT_EQ(d.env.size(), 2u);
  EXPECT_EQ(d.env[1].name, "B");
  EXPECT_EQ(d.env[1].value, "x=y");
  EXPECT_EQ(d.stdin_file, "data/in.txt");
  EXPECT_TRUE(d.no_cache);
}

TEST(Directives, LimitKeys) {
  const auto p = parse(
      "// MEMORY_LIMIT: 512\n// CPU_LIMIT: 5\n// OPEN_FILES: 64\n"
      "// OUTPUT_LIMIT: 50\n// CORE_DUMPS: On\n// STDIN: in.txt\n");
  ASSERT_TRUE(p.errors.empty()) << p.errors[0].str();
  const Directives& d = p.directives;
  EXPECT_EQ(d.memory_limit_mb, 512);
  EXPECT_EQ(d.cpu_limit_seconds, 5);
  EXPECT_EQ(d.open_files, 64);
  EXPECT_EQ(d.output_limit_mb, 50);
  EXPECT_EQ(d.core_dumps, 1);
  EXPECT_FALSE(d.has_expectations()) << "limits are no expectation";
  EXPECT_EQ(p.directive_lines.at("STDIN"), 6) << "later checks name the line";

  const Directives none =
      parse("// MEMORY_LIMIT: 0\n// CPU_LIMIT: 0\n// CORE_DUMPS: off\n").directives;
  EXPECT_EQ(none.memory_limit_mb, 0);
  EXPECT_EQ(none.cpu_limit_seconds, 0);
  EXPECT_EQ(none.core_dumps, 0);
  const Directives absent = parse("fn main() -> int {\n}\n").directives;
  EXPECT_EQ(absent.memory_limit_mb, -1);
  EXPECT_EQ(absent.cpu_limit_seconds, -1);
  EXPECT_EQ(absent.open_files, -1);
  EXPECT_EQ(absent.output_limit_mb, -1);
  EXPECT_EQ(absent.core_dumps, -1);
}

TEST(Directives, BadLimitValuesNameTheLine) {
  const auto p = parse(
      "// MEMORY_LIMIT: 4\n// CPU_LIMIT: -1\n// OPEN_FILES: many\n"
      "// OUTPUT_LIMIT: 0\n// CORE_DUMPS: maybe\n// MEMORY_LIMIT: 1.5e3\n"
      "// CPU_LIMIT: 99999999999999999999\n// MEMORY_LYMIT: 64\n");
  ASSERT_EQ(p.errors.size(), 8u);
  for (size_t i = 0; i < p.errors.size(); ++i) EXPECT_EQ(p.errors[i].line, static_cast<int>(i) + 1);
  EXPECT_NE(p.errors[5].message.find("duplicate MEMORY_LIMIT"), std::string::npos);
  EXPECT_NE(p.errors[7].message.find("did you mean 'MEMORY_LIMIT'"), std::string::npos);
}

TEST(Directives, FreeTextKeysAreNotErrors) {
  const auto p = parse(
      "// TDD: later\n// TODO: x\n// NOTE: y\n// CRITICAL: z\n// NO-OP: w\n"
      "// END: here\n// EXPECTED: prose\n// http://example.invalid\n");
  EXPECT_TRUE(p.errors.empty()) << p.errors[0].str();
  EXPECT_FALSE(p.directives.has_expectations());
}

TEST(Directives, UpperCaseNearMissesSuggestTheKnownKey) {
  const auto p =
      parse("fn main() -> int {\n// EXPECTT: x\n// TIMOUT: 3\n// ARG: z\n// EXPECT_EXT: 1\n");
  ASSERT_EQ(p.errors.size(), 4u);
  EXPECT_EQ(p.errors[0].str(), "t.wyn:2: unknown directive 'EXPECTT'; did you mean 'EXPECT'?");
  EXPECT_NE(p.errors[1].message.find("'TIMEOUT'"), std::string::npos);
  EXPECT_NE(p.errors[2].message.find("'ARGS'"), std::string::npos);
  EXPECT_EQ(p.errors[3].line, 5);
  EXPECT_NE(p.errors[3].message.find("'EXPECT_EXIT'"), std::string::npos);
}

// Real suites open with prose such as `// Expect: boolean operations return
// "true"/"false" consistently`; the reference runner matched `// EXPECT:`
// exactly, so any key that is not all upper case is free text.
TEST(Directives, MixedAndLowerCaseKeysAreProse) {
  const auto p = parse(
      "// Expect: boolean operations return \"true\"/\"false\" consistently\n"
      "// Regression: issue with nested loops\n// Golden: emitted C for closures\n"
      "// Test: arithmetic\n// Feature: imports\n// expect: lower\n// Expectt: x\n"
      "// Skip: not really\n// Timeout: 3\n// EXPECT: real\nfn main() -> int {\n}\n");
  EXPECT_TRUE(p.errors.empty()) << p.errors[0].str();
  ASSERT_EQ(p.directives.expect.size(), 1u);
  EXPECT_EQ(p.directives.expect[0].text, "real");
  EXPECT_FALSE(p.directives.skip);
  EXPECT_EQ(p.directives.timeout_seconds, 0);
}

TEST(Directives, BadValuesNameTheLine) {
  const auto p = parse(
      "// EXPECT_EXIT: 256\n// TIMEOUT: soon\n// SKIP:\n// ENV: 1A=b\n"
      "// STDIN: /etc/passwd\n// ARGS: 'open\n// LABELS: a;b\n");
  ASSERT_EQ(p.errors.size(), 7u);
  for (size_t i = 0; i < p.errors.size(); ++i) EXPECT_EQ(p.errors[i].line, static_cast<int>(i) + 1);
}

TEST(Directives, DuplicatesAndContradictions) {
  const auto p = parse(
      "// TIMEOUT: 1\n// TIMEOUT: 2\n// EXPECT: a\n// EXPECT_ERROR: b\n"
      "// SKIP: s\n// XFAIL: x\n");
  ASSERT_EQ(p.errors.size(), 3u);
  EXPECT_EQ(p.errors[0].str(), "t.wyn:2: duplicate TIMEOUT (first given on line 1)");
  EXPECT_EQ(p.errors[1].line, 4);
  EXPECT_NE(p.errors[1].message.find("EXPECT (line 3)"), std::string::npos);
  EXPECT_EQ(p.errors[2].line, 6);
}

TEST(Directives, DirectivesMustStartTheLine) {
  const auto p =
      parse("fn main() -> int {\n    println(\"x\") // EXPECT: x\n    // EXPECT: y\n}\n");
  ASSERT_EQ(p.directives.expect.size(), 1u);
  EXPECT_EQ(p.directives.expect[0].text, "y");
}

TEST(Directives, ImportsInAllForms) {
  const auto p = parse(
      "import shapes\nimport shapes as sh\nimport { a, b } from state\n"
      "import math from \"wyn:math\"\nimport 9bad\n");
  ASSERT_EQ(p.imports.size(), 3u);
  EXPECT_EQ(p.imports[0].module, "shapes");
  EXPECT_EQ(p.imports[1].module, "shapes");
  EXPECT_EQ(p.imports[2].module, "state");
  EXPECT_EQ(p.imports[2].line, 3);
  EXPECT_FALSE(p.has_main);
}

TEST(Directives, SplitWordsReportsUnterminatedQuotes) {
  std::vector<std::string> words;
  std::string error;
  EXPECT_FALSE(split_words("a \"b", words, error));
  EXPECT_EQ(error, "unterminated \" quote");
  words.clear();
  EXPECT_TRUE(split_words("  ''  x  ", words, error));
  EXPECT_EQ(words, (std::vector<std::string>{"", "x"}));
}

}  // namespace
}  // namespace wyn
