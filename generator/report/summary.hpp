#pragma once
// Collecting the test records of a run and summarising them: summary.json
// (the data every other report, and a later merge, is made from) and the
// short account printed after ctest.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "records/record.hpp"
#include "report/run.hpp"

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

/// summary_json of the report's records, plus "runs": one entry per machine
/// with its shard, host, build steps and the names of its tests. Enough to
/// write every report again, or to merge it with other shards.
nlohmann::json summary_json(const Report& report);

/// The machines of a summary.json written by summary_json(const Report&);
/// records of tests no run lists go to the first. Throws Error naming `path`
/// when it is not such a file.
std::vector<MachineRun> machines_from_summary(const nlohmann::json& summary,
                                              const std::string& path);

/// The short account printed after ctest: counts, failures with reasons,
/// the slowest tests, and where the time went.
std::string summary_text(const std::vector<TestRecord>& records, const std::string& report_dir);

/// The same for a report, with wall times, naming the files written.
std::string summary_text(const Report& report, const std::string& report_dir,
                         const std::vector<std::string>& files);

}  // namespace wyn
