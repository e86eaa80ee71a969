#pragma once
// Collecting the test records of a run and summarising them.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/record.hpp"

namespace wyn {

/// Every record of the suites whose build directories are given, in
/// manifest order. With `since` > 0 only records written at or after that
/// time (seconds since the epoch, from the file's mtime) are taken, so a
/// report covers one ctest invocation. A test whose record is missing or
/// unreadable although its launcher ran is reported as a harness error,
/// never dropped.
std::vector<TestRecord> collect_records(const std::vector<std::string>& suite_dirs, double since);

/// {"counts": {"total": N, "<status>": N...}, "tests": [...], ...}
nlohmann::json summary_json(const std::vector<TestRecord>& records);

/// The short account printed after ctest: counts, failures with reasons,
/// the slowest tests, and where the time went.
std::string summary_text(const std::vector<TestRecord>& records, const std::string& report_dir);

}  // namespace wyn
