#include "suite/test_spec.hpp"

#include <filesystem>

#include "util/fs.hpp"
#include "util/json_io.hpp"

namespace wyn {

TestSpec load_test_spec(const std::string& test_dir) {
  return read_json_as<TestSpec>(test_dir + "/test.json");
}

std::string suite_dir_of(const std::string& test_dir) {
  // Test directories sit at <suite build dir>/t/<id>; suite.json marks the suite's.
  std::filesystem::path dir = std::filesystem::absolute(test_dir).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();  // a trailing slash
  const std::filesystem::path t = dir.parent_path();
  const std::string suite_dir = t.parent_path().string();
  if (t.filename() != "t" || !path_exists(suite_dir + "/suite.json"))
    throw Error("'" + test_dir + "' is not a wyn-ctest test directory (no ../../suite.json)");
  return suite_dir;
}

// The JSON conversions the header declares. nlohmann's macro writes them
// inline: here, so that they are compiled once and not in every file that
// includes the header.
namespace json_fields {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TestSpec, name, source, relative, test_dir)
}  // namespace json_fields

void to_json(nlohmann::json& j, const TestSpec& value) { json_fields::to_json(j, value); }
void from_json(const nlohmann::json& j, TestSpec& value) { json_fields::from_json(j, value); }

}  // namespace wyn
