#include "report/escape.hpp"

#include <cstdio>

#include "util/text.hpp"

namespace wyn {

namespace {

/// Decodes the UTF-8 sequence at `s[i]` (known valid) and returns its length.
size_t decode(std::string_view s, size_t i, char32_t& code) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) {
    code = c;
    return 1;
  }
  const size_t length = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
  code = c & (length == 2 ? 0x1f : length == 3 ? 0x0f : 0x07);
  for (size_t k = 1; k < length && i + k < s.size(); ++k) code = (code << 6) | (byte(i + k) & 0x3f);
  return length;
}

std::string hex_escape(const char* format, unsigned value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

}  // namespace

std::string visible_text(std::string_view text) {
  const std::string valid = to_valid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (size_t i = 0; i < valid.size();) {
    char32_t code = 0;
    const size_t length = decode(valid, i, code);
    if (code == '\t' || code == '\n' || code == '\r') {
      out += static_cast<char>(code);
    } else if (code < 0x20 || code == 0x7f) {
      out += hex_escape("\\x%02x", static_cast<unsigned>(code));
    } else if ((code >= 0x80 && code <= 0x9f) || code == 0xfffe || code == 0xffff) {
      out += hex_escape("\\u{%x}", static_cast<unsigned>(code));
    } else {
      out.append(valid, i, length);
    }
    i += length;
  }
  return out;
}

std::string visible_text_with(std::string_view text, Replacement replace) {
  std::string out;
  for (char c : visible_text(text)) {
    if (const char* replacement = replace(c))
      out += replacement;
    else
      out += c;
  }
  return out;
}

const char* markup_reference(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    default:
      return nullptr;
  }
}

std::string xml_text(std::string_view text) {
  return visible_text_with(text, [](char c) { return c == '\r' ? "&#13;" : markup_reference(c); });
}

std::string xml_attribute(std::string_view text) {
  return visible_text_with(text, [](char c) -> const char* {
    switch (c) {
      case '"':
        return "&quot;";
      case '\'':
        return "&#39;";
      case '\t':
        return "&#9;";
      case '\n':
        return "&#10;";
      case '\r':
        return "&#13;";
      default:
        return markup_reference(c);
    }
  });
}

std::string first_line(std::string_view text) {
  const size_t end = text.find('\n');
  return std::string(trim(text.substr(0, end)));
}

}  // namespace wyn
