#include <gtest/gtest.h>

#include "util/edit_distance.hpp"
#include "util/hash.hpp"
#include "util/text.hpp"

namespace wyn {
namespace {

TEST(Text, StripAnsiRemovesColourAndTitles) {
  EXPECT_EQ(strip_ansi("\x1b[1;31mError at line 2:\x1b[0m bad"), "Error at line 2: bad");
  EXPECT_EQ(strip_ansi("\x1b]0;title\x07ok"), "ok");
  EXPECT_EQ(strip_ansi("plain"), "plain");
}

TEST(Text, ValidUtf8IsKeptInvalidBytesAreEscaped) {
  EXPECT_EQ(to_valid_utf8("h\xc3\xa9llo \xef\xbf\xbe"), "h\xc3\xa9llo \xef\xbf\xbe");  // é, U+FFFE
  EXPECT_EQ(to_valid_utf8(std::string("a\xff"
                                      "b\xc3",
                                      4)),
            "a\\xffb\\xc3");
  EXPECT_EQ(to_valid_utf8("\xed\xa0\x80"), "\\xed\\xa0\\x80");  // a UTF-16 surrogate
  EXPECT_EQ(to_valid_utf8("\xc0\xaf"), "\\xc0\\xaf");           // overlong '/'
  EXPECT_EQ(to_valid_utf8(std::string("\0x", 2)), std::string("\0x", 2));
}

TEST(Text, SplitLines) {
  EXPECT_EQ(split_lines("a\r\nb\n\nc"), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(split_lines("a\n"), (std::vector<std::string>{"a"}));
  EXPECT_TRUE(split_lines("").empty());
}

TEST(Text, ExcerptKeepsHeadAndTail) {
  const std::string big = std::string(1000, 'a') + std::string(1000, 'b');
  const std::string e = excerpt(big, 100);
  EXPECT_EQ(e.substr(0, 50), std::string(50, 'a'));
  EXPECT_EQ(e.substr(e.size() - 50), std::string(50, 'b'));
  EXPECT_NE(e.find("1900 bytes left out"), std::string::npos);
  EXPECT_EQ(excerpt("short", 100), "short");
  EXPECT_EQ(excerpt("bad \xff byte", 100), "bad \\xff byte") << "always valid UTF-8";
}

TEST(Text, ExcerptNeverSplitsACharacter) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "\xc3\xa9";  // e acute, two bytes each
  const std::string e = excerpt(text, 101);
  EXPECT_EQ(to_valid_utf8(e), e) << "a cut inside a character would show as \\xHH";
  EXPECT_EQ(e.find("\\x"), std::string::npos);
  EXPECT_LT(e.size(), 160u);
}

TEST(Text, EditDistance) {
  EXPECT_EQ(edit_distance("EXPECT", "EXPECTT", 3), 1);
  EXPECT_EQ(edit_distance("TIMOUT", "TIMEOUT", 3), 1);
  EXPECT_EQ(edit_distance("kitten", "sitting", 5), 3);
  EXPECT_EQ(edit_distance("a", "abcdef", 2), 3);  // gives up past the bound
}

TEST(Text, Fnv1a64KnownValues) {
  EXPECT_EQ(fnv1a64_hex(""), "cbf29ce484222325");
  EXPECT_EQ(fnv1a64_hex("a"), "af63dc4c8601ec8c");
}

TEST(Text, FormatUtcGivesTheTimeInUtc) {
  EXPECT_EQ(format_utc(0, "%Y-%m-%dT%H:%M:%SZ"), "1970-01-01T00:00:00Z");
  // Whole seconds: the fraction is dropped, not rounded.
  EXPECT_EQ(format_utc(1700000000.9, "%Y-%m-%dT%H:%M:%S"), "2023-11-14T22:13:20");
  EXPECT_EQ(format_utc(951782400, "%Y-%m-%d"), "2000-02-29");
}

}  // namespace
}  // namespace wyn
