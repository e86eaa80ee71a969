#include "util/json_io.hpp"

#include "util/fs.hpp"

namespace wyn {

nlohmann::json parse_json(std::string_view text) { return nlohmann::json::parse(text); }

nlohmann::json parse_json_or_discarded(std::string_view text) {
  return nlohmann::json::parse(text, nullptr, false);
}

std::string json_text(const nlohmann::json& value, int indent, bool ensure_ascii,
                      nlohmann::json::error_handler_t invalid_utf8) {
  return value.dump(indent, ' ', ensure_ascii, invalid_utf8);
}

nlohmann::json read_json_file(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return parse_json(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": invalid JSON: " + e.what());
  }
}

void throw_json_shape_error(const std::string& path, const std::string& what) {
  throw Error(path + ": unexpected JSON content: " + what);
}

std::string dump_json(const nlohmann::json& value) {
  return json_text(value, 2, false, nlohmann::json::error_handler_t::replace) + "\n";
}

void write_json_file(const std::string& path, const nlohmann::json& value) {
  write_file_atomic(path, dump_json(value));
}

}  // namespace wyn
