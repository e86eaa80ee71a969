#pragma once
// Making captured text safe for the report formats. Program output is
// arbitrary bytes; one character XML 1.0 forbids (NUL, ESC ...) makes a
// whole JUnit file unreadable for Jenkins or GitLab, and an ESC sequence in a
// terminal or a page is an injection. Such characters are shown, not dropped.

#include <string>
#include <string_view>

namespace wyn {

/// Valid UTF-8 in which every character outside XML 1.0's Char production,
/// and every other control character except tab, line feed and carriage
/// return, is replaced by a visible escape: "\x1b" for C0 controls and DEL,
/// "\u{85}" for C1 controls and U+FFFE/U+FFFF. Bytes that are not UTF-8 become
/// "\xHH" (as in the records). Ordinary text is returned unchanged.
std::string visible_text(std::string_view text);

/// visible_text with every character for which `replace` returns a string
/// replaced by that string; nullptr keeps the character. Each format below
/// is one such table.
using Replacement = const char* (*)(char c);
std::string visible_text_with(std::string_view text, Replacement replace);

/// The references every XML and HTML text needs: & < >, or nullptr.
const char* markup_reference(char c);

/// visible_text escaped for XML character data: & < > and carriage return
/// (which parsers would otherwise turn into a line feed) become references.
/// No CDATA sections are used, so "]]>" needs nothing special.
std::string xml_text(std::string_view text);

/// visible_text escaped for a double-quoted XML or HTML attribute; tab,
/// line feed and carriage return become references so they survive
/// attribute-value normalisation.
std::string xml_attribute(std::string_view text);

/// The first line of `text`, or all of it when it is a single line.
std::string first_line(std::string_view text);

}  // namespace wyn
