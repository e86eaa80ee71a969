#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace wyn {

// The parser and the serializer are most of the JSON code a file would
// instantiate and optimize: every tool parses and writes JSON through these
// functions, compiled once (json_io.cpp), rather than through
// nlohmann::json::parse and dump.

/// nlohmann::json::parse(text); throws nlohmann::json::parse_error.
nlohmann::json parse_json(std::string_view text);

/// nlohmann::json::parse(text, nullptr, false): a value whose is_discarded()
/// is true when `text` is not JSON.
nlohmann::json parse_json_or_discarded(std::string_view text);

/// value.dump(indent, ' ', ensure_ascii, invalid_utf8).
std::string json_text(
    const nlohmann::json& value, int indent = -1, bool ensure_ascii = false,
    nlohmann::json::error_handler_t invalid_utf8 = nlohmann::json::error_handler_t::strict);

/// Parses a JSON file; throws Error naming the file (and the byte offset) when
/// it is missing, truncated or not JSON.
nlohmann::json read_json_file(const std::string& path);

[[noreturn]] void throw_json_shape_error(const std::string& path, const std::string& what);

/// read_json_file converted to T; a value of the wrong shape throws Error naming the file.
template <typename T>
T read_json_as(const std::string& path) {
  nlohmann::json value = read_json_file(path);
  try {
    return value.get<T>();
  } catch (const nlohmann::json::exception& e) {
    throw_json_shape_error(path, e.what());
  }
}

/// Serialises with invalid UTF-8 replaced rather than thrown on (captured
/// output is arbitrary bytes), then writes atomically.
void write_json_file(const std::string& path, const nlohmann::json& value);

/// The text write_json_file writes.
std::string dump_json(const nlohmann::json& value);

}  // namespace wyn
