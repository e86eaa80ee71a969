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

}  // namespace wyn
