#pragma once
// Making `ctest --rerun-failed` rerun the tests that failed. CTest reads
// Testing/Temporary/LastTestsFailed*.log ("N:name" lines) and reruns tests
// by their numbers N alone, numbers that shift as soon as a test is added
// or removed: a new test file then makes it run the wrong tests. The
// pre-test hook runs before CTest reads the log, so it renumbers the log
// from the names.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace wyn {

/// The log with each line's number replaced by the test's current number
/// (`index_of`: name -> 1-based CTest number). Tests that no longer exist
/// are dropped; when none is left, the one line "0:-" makes CTest run
/// nothing (an empty list would make it run every test).
std::string renumber_failed_log(std::string_view log, const std::map<std::string, int>& index_of);

/// Name -> CTest number, from `ctest --show-only=json-v1` output (the tests
/// are listed in number order).
std::map<std::string, int> test_numbers(const nlohmann::json& listing);

/// When the ctest that runs this hook was asked to --rerun-failed, lists
/// the tests through that same ctest and renumbers the newest
/// LastTestsFailed*.log under `build_dir`. The nested ctest runs the hooks
/// too: `nested_env` ("NAME=1") is set for it, and the hooks do nothing
/// when they see it. Throws Error when listing fails.
void renumber_rerun_failed(const std::string& build_dir, const std::string& scratch_dir,
                           const std::string& nested_env);

}  // namespace wyn
