#pragma once
// What the generator decides at configure time, read by the compile step,
// the launcher and the registration step: one TestSpec per .wyn file
// (<test dir>/test.json). The suite's settings (<suite dir>/suite.json) are
// in suite/suite_config.hpp.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "suite/suite_config.hpp"

namespace wyn {

/// One .wyn file of a suite.
struct TestSpec {
  std::string name;      ///< "<suite>/<relative path without .wyn>"
  std::string source;    ///< absolute path of the .wyn file
  std::string relative;  ///< path relative to the suite root, with .wyn
  std::string test_dir;  ///< absolute path of its build directory
};

void to_json(nlohmann::json& j, const TestSpec& value);
void from_json(const nlohmann::json& j, TestSpec& value);

/// Reads <test dir>/test.json; throws Error naming the file when it is missing or invalid.
TestSpec load_test_spec(const std::string& test_dir);

/// The suite build directory of a test directory (test.json records it too,
/// but the launcher must find suite.json from the test directory alone).
std::string suite_dir_of(const std::string& test_dir);

}  // namespace wyn
