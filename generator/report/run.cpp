#include "report/run.hpp"

#include <algorithm>

#include "util/fs.hpp"

namespace wyn {

Report make_report(std::vector<MachineRun> machines) {
  Report report;
  for (MachineRun& m : machines) {
    for (TestRecord& r : m.records) {
      report.records.push_back(r);
      r.output.clear();
      r.output.shrink_to_fit();
      r.diagnostics.clear();
      r.diagnostics.shrink_to_fit();
      r.diff.clear();
    }
  }
  std::stable_sort(report.records.begin(), report.records.end(),
                   [](const TestRecord& a, const TestRecord& b) { return a.name < b.name; });
  report.machines = std::move(machines);
  return report;
}

std::string local_hostname() {
  const std::string name = host_name();
  return name.empty() ? "localhost" : name;
}

Presentation present(Status status) {
  switch (status) {
    case Status::passed:
    case Status::flaky:
    case Status::xfail:
      return {"", "passed"};
    case Status::skipped:
      return {"skipped", "skipped"};
    case Status::failed:
    case Status::compile_error:
    case Status::crashed:
    case Status::timeout:
    case Status::xpass:
      return {"failure", "failed"};
    case Status::harness_error:
    case Status::interrupted:
      return {"error", "failed"};
    case Status::unknown:
      break;
  }
  return {"error", "other"};
}

std::pair<double, double> run_interval(const std::vector<TestRecord>& records) {
  double first = 0, last = 0;
  for (const TestRecord& r : records) {
    if (r.start_time <= 0 || r.cached) continue;
    if (first == 0 || r.start_time < first) first = r.start_time;
    last = std::max(last, r.start_time + r.run_seconds);
  }
  return {first, last};
}

TimeSplit time_split(const Report& report) {
  TimeSplit split;
  for (const TestRecord& r : report.records) {
    split.compile_sum += r.compile_seconds;
    split.run_sum += r.run_seconds;
  }
  // Machines work side by side: the wall time is the longest machine's.
  for (const MachineRun& m : report.machines) {
    double first = 0, last = 0;
    for (const BuildStep& s : m.build_steps) {
      if (s.kind != "compile") continue;
      ++split.compiles;
      if (first == 0 || s.start < first) first = s.start;
      last = std::max(last, s.end);
    }
    if (first > 0) split.compile_wall = std::max(split.compile_wall, last - first);
    const auto [start, end] = run_interval(m.records);
    if (start > 0) split.run_wall = std::max(split.run_wall, end - start);
  }
  return split;
}

std::vector<Attempt> earlier_attempts(const TestRecord& record) {
  if (record.attempts.size() < 2) return {};
  return {record.attempts.begin(), record.attempts.end() - 1};
}

std::string attempts_note(const TestRecord& record) {
  std::string note;
  const std::vector<Attempt> earlier = earlier_attempts(record);
  for (size_t i = 0; i < earlier.size(); ++i) {
    note += (i ? "; attempt " : "attempt ") + std::to_string(i + 1) + " " +
            status_name(earlier[i].status);
    if (!earlier[i].reason.empty()) note += ": " + earlier[i].reason;
  }
  return note;
}

std::string suite_of(const TestRecord& record) {
  if (!record.suite.empty()) return record.suite;
  return record.name.substr(0, record.name.find('/'));
}

std::string name_in_suite(const TestRecord& record) {
  const std::string suite = suite_of(record);
  if (record.name.size() > suite.size() &&
      record.name.compare(0, suite.size() + 1, suite + "/") == 0)
    return record.name.substr(suite.size() + 1);
  return record.name;
}

std::string subchecks_text(const TestRecord& record) {
  std::string text;
  for (const SubCheck& c : record.subchecks)
    text += std::string(c.skipped ? "  skip  "
                        : c.ok    ? "  ok    "
                                  : "  FAIL  ") +
            c.name + (c.details.empty() ? "" : " (" + c.details + ")") + "\n";
  return text;
}

std::vector<const TestRecord*> fixed_tests(const std::vector<TestRecord>& records) {
  std::vector<const TestRecord*> fixed;
  for (const TestRecord& r : records)
    if (r.fixed) fixed.push_back(&r);
  return fixed;
}

// The JSON conversions the header declares. nlohmann's macro writes them
// inline: here, so that they are compiled once and not in every file that
// includes the header.
namespace json_fields {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(BuildStep, name, kind, start, end)
}  // namespace json_fields

void to_json(nlohmann::json& j, const BuildStep& value) { json_fields::to_json(j, value); }
void from_json(const nlohmann::json& j, BuildStep& value) { json_fields::from_json(j, value); }

}  // namespace wyn
