#include "util/json_io.hpp"

#include "util/fs.hpp"

namespace wyn {

nlohmann::json read_json_file(const std::string& path) {
  const std::string text = read_file(path);
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": invalid JSON: " + e.what());
  }
}

void throw_json_shape_error(const std::string& path, const std::string& what) {
  throw Error(path + ": unexpected JSON content: " + what);
}

std::string dump_json(const nlohmann::json& value) {
  return value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void write_json_file(const std::string& path, const nlohmann::json& value) {
  write_file_atomic(path, dump_json(value));
}

}  // namespace wyn
