#pragma once
// Reading result directories back, to merge the shards of a run (or runs
// on several machines) into one set of reports.

#include <string>
#include <vector>

#include "report/run.hpp"

namespace wyn {

/// The summary.json of a result directory: `dir`/summary.json (a copy of a
/// build's wyn-report directory, as CI jobs pass them on) or
/// `dir`/wyn-report/summary.json (a build directory). Throws Error when
/// there is neither.
std::string find_summary(const std::string& dir);

/// The machines of every result directory. A test reported by two of them
/// is an error naming both (shards configured with different WYN_SHARD
/// counts, or one directory given twice).
std::vector<MachineRun> load_results(const std::vector<std::string>& dirs);

/// What makes a set of shards incomplete: a missing shard, shards of
/// different counts, a shard given twice. Empty when nothing is wrong (or
/// nothing is sharded).
std::vector<std::string> shard_problems(const std::vector<MachineRun>& machines);

}  // namespace wyn
