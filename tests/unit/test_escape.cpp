#include <gtest/gtest.h>

#include "report/escape.hpp"

namespace wyn {
namespace {

/// True when every character of `text` is one XML 1.0 allows and none is a
/// control character other than tab, line feed and carriage return.
bool only_xml_chars(const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = text[i];
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return false;
    if (c == 0x7f) return false;
    if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) < 0xa0)
      return false;
    if (c == 0xef && text.compare(i, 3, "\xef\xbf\xbe") == 0) return false;
    if (c == 0xef && text.compare(i, 3, "\xef\xbf\xbf") == 0) return false;
  }
  return true;
}

TEST(Escape, ControlCharactersBecomeVisibleEscapes) {
  EXPECT_EQ(visible_text(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(visible_text("\x1b[31mred\x1b[0m"), "\\x1b[31mred\\x1b[0m");
  EXPECT_EQ(visible_text("del\x7f"), "del\\x7f");
  EXPECT_EQ(visible_text("next line\xc2\x85"), "next line\\u{85}");
  EXPECT_EQ(visible_text("\xef\xbf\xbe\xef\xbf\xbf"), "\\u{fffe}\\u{ffff}");
}

TEST(Escape, InvalidUtf8BecomesHexAndValidTextIsKept) {
  EXPECT_EQ(visible_text("\xff\xfe ok"), "\\xff\\xfe ok");
  const std::string text = "tab\there\nline\r\n\xc3\xa9t\xc3\xa9 \xf0\x9f\x99\x82 \xe2\x80\xa8";
  EXPECT_EQ(visible_text(text), text);
}

TEST(Escape, XmlTextEscapesMarkupAndKeepsCarriageReturns) {
  EXPECT_EQ(xml_text("a < b && c > d ]]> e"), "a &lt; b &amp;&amp; c &gt; d ]]&gt; e");
  EXPECT_EQ(xml_text("\"quotes\" stay"), "\"quotes\" stay");
  EXPECT_EQ(xml_text("one\r\ntwo"), "one&#13;\ntwo");
  const std::string hostile = std::string("\0\x01\x1b\x7f\xff\xc2\x80", 7) + "]]><![CDATA[";
  const std::string escaped = xml_text(hostile);
  EXPECT_TRUE(only_xml_chars(escaped)) << escaped;
  EXPECT_EQ(escaped.find("]]>"), std::string::npos);
  EXPECT_EQ(escaped.find('<'), std::string::npos);
}

TEST(Escape, AttributesKeepWhitespaceThroughNormalisation) {
  EXPECT_EQ(xml_attribute("a\tb\nc\rd"), "a&#9;b&#10;c&#13;d");
  EXPECT_EQ(xml_attribute("say \"hi\" & 'bye' <x>"),
            "say &quot;hi&quot; &amp; &#39;bye&#39; &lt;x&gt;");
  EXPECT_TRUE(only_xml_chars(xml_attribute(std::string("\0\x1b\x08", 3))));
}

TEST(Escape, FirstLine) {
  EXPECT_EQ(first_line("  error: x\nmore"), "error: x");
  EXPECT_EQ(first_line("single"), "single");
}

}  // namespace
}  // namespace wyn
