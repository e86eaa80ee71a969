#include "report/merge.hpp"

#include <cstdlib>
#include <map>
#include <set>

#include "report/summary.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"

namespace wyn {

std::string find_summary(const std::string& dir) {
  for (const std::string& path : {dir + "/summary.json", dir + "/wyn-report/summary.json"})
    if (path_exists(path)) return path;
  throw Error(dir +
              ": no summary.json (neither a wyn-report directory nor a build directory with one)");
}

std::vector<MachineRun> load_results(const std::vector<std::string>& dirs) {
  std::vector<MachineRun> machines;
  std::map<std::string, std::string> source_of;  // test name -> summary it came from
  for (const std::string& dir : dirs) {
    const std::string path = find_summary(dir);
    for (MachineRun& m : machines_from_summary(read_json_file(path), path)) {
      for (const TestRecord& r : m.records) {
        const auto [it, added] = source_of.emplace(r.name, path);
        if (!added)
          throw Error("the test " + r.name + " is in both " + it->second + " and " + path +
                      " (shards of different WYN_SHARD counts, or one result given twice?)");
      }
      machines.push_back(std::move(m));
    }
  }
  return machines;
}

std::vector<std::string> shard_problems(const std::vector<MachineRun>& machines) {
  std::vector<std::string> problems;
  std::set<int> counts;
  std::map<int, int> seen;  // shard index -> times
  for (const MachineRun& m : machines) {
    if (m.shard.empty()) continue;
    const size_t slash = m.shard.find('/');
    const int k = std::atoi(m.shard.substr(0, slash).c_str());
    const int n = slash == std::string::npos ? 0 : std::atoi(m.shard.substr(slash + 1).c_str());
    counts.insert(n);
    ++seen[k];
  }
  if (counts.empty()) return problems;
  if (counts.size() > 1) {
    problems.push_back("the results come from shardings of different counts");
    return problems;
  }
  const int n = *counts.begin();
  for (int k = 1; k <= n; ++k) {
    if (!seen.count(k))
      problems.push_back("shard " + std::to_string(k) + "/" + std::to_string(n) + " is missing");
    else if (seen[k] > 1)
      problems.push_back("shard " + std::to_string(k) + "/" + std::to_string(n) + " was given " +
                         std::to_string(seen[k]) + " times");
  }
  return problems;
}

}  // namespace wyn
