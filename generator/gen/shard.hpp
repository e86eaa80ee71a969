#pragma once
// Splitting a suite's tests between machines (WYN_SHARD=K/N). Every machine
// runs the same scan over the same inputs, so each computes the same split
// and takes its own part: together the shards hold every test exactly once.

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "suite/test_spec.hpp"

namespace wyn {

/// Seconds per test name: duration (compile + run) as recorded in a
/// summary.json ("tests": [{"name", "compile_seconds", "run_seconds"}]).
std::map<std::string, double> recorded_durations(const nlohmann::json& summary);

/// The names (in their given order) that shard `index` (1-based) of `count`
/// takes.
///
/// With durations: longest first, each test onto the least-loaded shard
/// (ties: the lower shard; equal durations: by name). A test without a
/// recorded duration counts as the median of the recorded ones. Recorded
/// tests that are not in `names` (other suites) take part as load too, so
/// that the shards balance over all suites, not per suite.
///
/// Without durations: round-robin over the sorted names, starting at a shard
/// chosen from the first name so that many small suites do not all give
/// their extra test to shard 1.
std::vector<std::string> select_shard(const std::vector<std::string>& names,
                                      const std::map<std::string, double>& durations, int index,
                                      int count);

/// The shard (1-based) of every test of `names` and of the recorded tests
/// taking part; what select_shard chooses from.
std::map<std::string, int> assign_shards(const std::vector<std::string>& names,
                                         const std::map<std::string, double>& durations, int count);

/// Drops from `specs` the tests (`test_names`) of other shards when
/// `config` asks for a shard, reading the durations file it names (a
/// missing file means round-robin: the first CI run has none). Modules and
/// ignored files stay: a test of any shard may import them. Returns the
/// account for people ("shard 2/3 (round-robin): 7 of 20 tests"), or ""
/// when not sharding. Throws Error when the durations file is not JSON.
std::string keep_own_shard(const SuiteConfig& config, const std::vector<std::string>& test_names,
                           std::vector<TestSpec>& specs);

}  // namespace wyn
