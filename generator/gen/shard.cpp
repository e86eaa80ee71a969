#include "gen/shard.hpp"

#include <algorithm>
#include <set>

#include "util/fs.hpp"
#include "util/hash.hpp"
#include "util/json_io.hpp"

namespace wyn {

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

std::map<std::string, int> round_robin(std::vector<std::string> names, int count) {
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  std::map<std::string, int> shard_of;
  if (names.empty()) return shard_of;
  Fnv1a64 hash;
  hash.update(names.front());
  const uint64_t offset = hash.value() % static_cast<uint64_t>(count);
  for (size_t i = 0; i < names.size(); ++i)
    shard_of[names[i]] = static_cast<int>((i + offset) % count) + 1;
  return shard_of;
}

}  // namespace

std::map<std::string, double> recorded_durations(const nlohmann::json& summary) {
  std::map<std::string, double> durations;
  if (!summary.is_object() || !summary.contains("tests") || !summary["tests"].is_array())
    return durations;
  for (const nlohmann::json& test : summary["tests"]) {
    if (!test.is_object() || !test.contains("name") || !test["name"].is_string()) continue;
    const double compile = test.value("compile_seconds", 0.0);
    const double run = test.value("run_seconds", 0.0);
    durations[test["name"].get<std::string>()] = std::max(0.0, compile) + std::max(0.0, run);
  }
  return durations;
}

std::map<std::string, int> assign_shards(const std::vector<std::string>& names,
                                         const std::map<std::string, double>& durations,
                                         int count) {
  if (durations.empty()) return round_robin(names, count);

  std::vector<double> recorded;
  for (const auto& [name, seconds] : durations) recorded.push_back(seconds);
  const double typical = median(recorded);

  struct Job {
    std::string name;
    double seconds;
  };
  std::vector<Job> jobs;
  const std::set<std::string> own(names.begin(), names.end());
  for (const std::string& name : own) {
    const auto it = durations.find(name);
    jobs.push_back({name, it == durations.end() ? typical : it->second});
  }
  for (const auto& [name, seconds] : durations)
    if (!own.count(name)) jobs.push_back({name, seconds});
  std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) {
    return a.seconds > b.seconds || (a.seconds == b.seconds && a.name < b.name);
  });

  std::vector<double> load(count, 0.0);
  std::map<std::string, int> shard_of;
  for (const Job& job : jobs) {
    const size_t least = std::min_element(load.begin(), load.end()) - load.begin();
    load[least] += job.seconds;
    shard_of[job.name] = static_cast<int>(least) + 1;
  }
  return shard_of;
}

std::vector<std::string> select_shard(const std::vector<std::string>& names,
                                      const std::map<std::string, double>& durations, int index,
                                      int count) {
  if (count <= 1) return names;
  const std::map<std::string, int> shard_of = assign_shards(names, durations, count);
  std::vector<std::string> mine;
  for (const std::string& name : names)
    if (shard_of.at(name) == index) mine.push_back(name);
  return mine;
}

std::string keep_own_shard(const SuiteConfig& config, const std::vector<std::string>& test_names,
                           std::vector<TestSpec>& specs) {
  if (config.shard_count <= 1) return "";
  std::map<std::string, double> durations;
  std::string how = "round-robin";
  if (!config.shard_durations.empty()) {
    if (path_exists(config.shard_durations)) {
      durations = recorded_durations(read_json_file(config.shard_durations));
      how = "balanced by the durations in " + config.shard_durations;
    } else {
      how = "round-robin: " + config.shard_durations + " does not exist yet";
    }
  }
  const std::vector<std::string> mine =
      select_shard(test_names, durations, config.shard_index, config.shard_count);
  const std::set<std::string> keep(mine.begin(), mine.end());
  const std::set<std::string> tests(test_names.begin(), test_names.end());
  specs.erase(
      std::remove_if(specs.begin(), specs.end(),
                     [&](const TestSpec& s) { return tests.count(s.name) && !keep.count(s.name); }),
      specs.end());
  return "shard " + std::to_string(config.shard_index) + "/" + std::to_string(config.shard_count) +
         " (" + how + "): " + std::to_string(mine.size()) + " of " +
         std::to_string(test_names.size()) + " tests";
}

}  // namespace wyn
