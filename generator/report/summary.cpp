#include "report/summary.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/fs.hpp"
#include "core/json_io.hpp"
#include "core/test_spec.hpp"

namespace wyn {

namespace {

double mtime_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
}

std::string seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f s", s);
  return buffer;
}

}  // namespace

std::vector<TestRecord> collect_records(const std::vector<std::string>& suite_dirs, double since) {
  std::vector<TestRecord> records;
  for (const std::string& dir : suite_dirs) {
    const auto specs = read_json_as<std::vector<TestSpec>>(dir + "/manifest.json");
    for (const TestSpec& spec : specs) {
      const std::string path = spec.test_dir + "/result.json";
      const double written = mtime_of(path);
      if (written < 0 || (since > 0 && written < since)) continue;
      try {
        records.push_back(read_json_as<TestRecord>(path));
      } catch (const Error& e) {
        TestRecord broken;
        broken.name = spec.name;
        broken.source = spec.source;
        broken.test_dir = spec.test_dir;
        broken.status = Status::harness_error;
        broken.reason = std::string("unreadable record: ") + e.what();
        records.push_back(broken);
      }
    }
  }
  return records;
}

nlohmann::json summary_json(const std::vector<TestRecord>& records) {
  nlohmann::json counts = {{"total", records.size()}};
  for (Status s : all_statuses()) counts[status_name(s)] = 0;
  double compile = 0, run = 0;
  nlohmann::json tests = nlohmann::json::array();
  for (const TestRecord& r : records) {
    counts[status_name(r.status)] = counts[status_name(r.status)].get<int>() + 1;
    compile += r.compile_seconds;
    run += r.run_seconds;
    tests.push_back(r);
  }
  return {{"schema", "wyn-ctest/summary/1"},
          {"counts", counts},
          {"compile_seconds", compile},
          {"run_seconds", run},
          {"tests", tests}};
}

std::string summary_text(const std::vector<TestRecord>& records, const std::string& report_dir) {
  std::map<Status, int> counts;
  double compile = 0, run = 0;
  for (const TestRecord& r : records) {
    ++counts[r.status];
    compile += r.compile_seconds;
    run += r.run_seconds;
  }
  std::string out = "\nwyn-ctest summary: " + std::to_string(records.size()) + " tests:";
  bool first = true;
  for (Status s : all_statuses()) {
    if (!counts[s]) continue;
    out += (first ? " " : ", ") + std::to_string(counts[s]) + " " + status_name(s);
    first = false;
  }
  out += "\n";

  std::vector<const TestRecord*> failures;
  for (const TestRecord& r : records)
    if (!is_success(r.status)) failures.push_back(&r);
  if (!failures.empty()) {
    out += "Failures:\n";
    for (const TestRecord* r : failures)
      out += "  " + status_name(r->status) + "  " + r->name + ": " + r->reason + "\n";
  }

  std::vector<const TestRecord*> slowest;
  for (const TestRecord& r : records)
    if (!r.cached && r.status != Status::skipped) slowest.push_back(&r);
  std::sort(slowest.begin(), slowest.end(), [](const TestRecord* a, const TestRecord* b) {
    return a->run_seconds > b->run_seconds || (a->run_seconds == b->run_seconds && a->name < b->name);
  });
  if (slowest.size() > 10) slowest.resize(10);
  if (!slowest.empty()) {
    out += "Slowest runs:\n";
    for (const TestRecord* r : slowest) out += "  " + seconds(r->run_seconds) + "  " + r->name + "\n";
  }
  out += "Time: compile " + seconds(compile) + ", run " + seconds(run) + " (summed over tests)\n";
  out += "Report: " + report_dir + "/summary.json\n\n";
  return out;
}

}  // namespace wyn
