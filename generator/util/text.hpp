#pragma once
// Text helpers shared by the tools: trimming, lines, ANSI escapes, and making
// arbitrary program output safe to store in JSON and show to people.

#include <string>
#include <string_view>
#include <vector>

namespace wyn {

std::string_view trim(std::string_view s);

/// The lines of `text` as views into it, split on '\n' with every other byte
/// kept (a '\r' too); a final newline does not start an extra empty line.
std::vector<std::string_view> line_views(std::string_view text);

/// Splits on '\n', dropping one trailing '\r' per line; a final newline does
/// not start an extra empty line.
std::vector<std::string> split_lines(std::string_view text);

/// Removes ANSI escape sequences (CSI and OSC), as compilers colour diagnostics.
std::string strip_ansi(std::string_view text);

/// Returns valid UTF-8: every byte that is not part of a well-formed UTF-8
/// sequence becomes the visible text "\xHH". Valid text is returned unchanged.
std::string to_valid_utf8(std::string_view bytes);

/// `text` as valid UTF-8 (see to_valid_utf8), and when that is longer than
/// `max_bytes`, its head and its tail, cut at character boundaries and
/// joined by a line saying how many bytes were left out.
std::string excerpt(std::string_view text, size_t max_bytes);

/// True when `line` contains `needle`.
inline bool contains(std::string_view line, std::string_view needle) {
  return line.find(needle) != std::string_view::npos;
}

/// True when `entry` ("NAME=value") sets the variable `name`; Windows
/// ignores the case of variable names (its PATH is often spelt "Path").
bool is_variable_entry(std::string_view entry, std::string_view name);

/// `unix_seconds` (whole seconds) as UTC through strftime(3)'s `format`:
/// "%Y-%m-%dT%H:%M:%SZ" gives RFC 3339.
std::string format_utc(double unix_seconds, const char* format);

/// Joins `items` with `separator`.
std::string join(const std::vector<std::string>& items, std::string_view separator);

}  // namespace wyn
