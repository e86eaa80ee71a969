#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace wyn {

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
