#include "core/test_spec.hpp"

#include "core/fs.hpp"
#include "core/json_io.hpp"

namespace wyn {

TestSpec load_test_spec(const std::string& test_dir) {
  return read_json_as<TestSpec>(test_dir + "/test.json");
}

SuiteConfig load_suite_config(const std::string& suite_build_dir) {
  return read_json_as<SuiteConfig>(suite_build_dir + "/suite.json");
}

std::string suite_dir_of(const std::string& test_dir) {
  // Test directories sit at <suite dir>/t/<id>; a marker file ties them together.
  std::string content;
  if (!try_read_file(test_dir + "/suite-dir", content))
    throw Error("cannot read '" + test_dir + "/suite-dir': not a wyn-ctest test directory");
  while (!content.empty() && content.back() == '\n') content.pop_back();
  return content;
}

}  // namespace wyn
