#include "report/summary.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "report/escape.hpp"
#include "suite/test_spec.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

constexpr size_t kFailuresListed = 50;
constexpr size_t kSlowestListed = 10;
constexpr size_t kSkippedListed = 10;

std::string seconds_text(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f s", s);
  return buffer;
}

/// A reason on one terminal line: no escape sequences, no line breaks.
std::string one_line(const std::string& text) {
  return visible_text_with(text, [](char c) -> const char* {
    return c == '\n' ? "\\n" : c == '\r' ? "\\r" : c == '\t' ? " " : nullptr;
  });
}

/// A reason for the failure list: its first line after the test's name,
/// the lines after it (a snapshot diff) below, indented, at most
/// kReasonLines of them.
std::string reason_lines(const std::string& text) {
  constexpr size_t kReasonLines = 12;
  std::vector<std::string_view> lines = line_views(text);
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  if (lines.empty()) return "\n";
  std::string out = one_line(std::string(lines[0])) + "\n";
  const size_t shown = std::min(lines.size(), kReasonLines + 1);
  for (size_t i = 1; i < shown; ++i) out += "      " + one_line(std::string(lines[i])) + "\n";
  if (lines.size() > shown)
    out += "      ... " + std::to_string(lines.size() - shown) + " more lines in the record\n";
  return out;
}

/// The records of one status, in the order they ran.
std::vector<const TestRecord*> with_status(const std::vector<TestRecord>& records, Status status) {
  std::vector<const TestRecord*> found;
  for (const TestRecord& r : records)
    if (r.status == status) found.push_back(&r);
  return found;
}

/// The line that stands for the items of a list past its first `listed`.
std::string more_line(size_t total, size_t listed) {
  return total > listed
             ? "  ... and " + std::to_string(total - listed) + " more (see the reports)\n"
             : "";
}

/// The codegen section: quiet unless some code changed, or a saved
/// baseline was asked for.
std::string codegen_text(const CodegenImpact& codegen, const std::string& report_dir,
                         const std::vector<std::string>& files) {
  if (!codegen.computed || (codegen.changed.empty() && !codegen.pinned)) return "";
  const std::string compared = std::to_string(codegen.compared);
  if (codegen.changed.empty())
    return "Generated code: the same as in " + one_line(codegen.baseline) + " for all " + compared +
           " programs\n";
  std::string out = "Generated code changed: " + std::to_string(codegen.changed.size()) + " of " +
                    compared + " programs differ from " + one_line(codegen.baseline) + ":\n";
  for (size_t i = 0; i < codegen.changed.size() && i < kFailuresListed; ++i) {
    const CodegenChange& c = codegen.changed[i];
    out += "  " + one_line(c.name) + (c.source_changed ? "  (its source changed too)" : "") + "\n";
  }
  out += more_line(codegen.changed.size(), kFailuresListed);
  const bool diffs = std::any_of(codegen.changed.begin(), codegen.changed.end(),
                                 [](const CodegenChange& c) { return !c.diff_file.empty(); });
  const bool html = std::find(files.begin(), files.end(), "report.html") != files.end();
  if (diffs)
    out += "  diffs in " + report_dir + "/codegen/diffs" + (html ? " and report.html" : "") + "\n";
  return out;
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
        broken.suite = spec.name.substr(0, spec.name.find('/'));
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
  int cached = 0;  // passes taken from the result cache; not a status, so not in "counts"
  nlohmann::json tests = nlohmann::json::array();
  for (const TestRecord& r : records) {
    counts[status_name(r.status)] = counts[status_name(r.status)].get<int>() + 1;
    cached += r.cached ? 1 : 0;
    compile += r.compile_seconds;
    run += r.run_seconds;
    tests.push_back(r);
  }
  nlohmann::json fixed = nlohmann::json::array();
  for (const TestRecord* r : fixed_tests(records))
    fixed.push_back({{"name", r->name}, {"listed_at", r->known_failure}});
  return {{"schema", "wyn-ctest/summary/1"},
          {"counts", counts},
          {"cached", cached},
          {"compile_seconds", compile},
          {"run_seconds", run},
          {"fixed", fixed},
          {"tests", tests}};
}

nlohmann::json summary_json(const Report& report) {
  nlohmann::json summary = summary_json(report.records);
  nlohmann::json runs = nlohmann::json::array();
  for (const MachineRun& m : report.machines) {
    nlohmann::json names = nlohmann::json::array();
    for (const TestRecord& r : m.records) names.push_back(r.name);
    runs.push_back({{"shard", m.shard},
                    {"hostname", m.hostname},
                    {"build_steps", m.build_steps},
                    {"tests", names}});
  }
  summary["runs"] = runs;
  const CodegenImpact& codegen = report.codegen;
  if (codegen.computed) {
    nlohmann::json changed = nlohmann::json::array();
    for (const CodegenChange& c : codegen.changed)
      changed.push_back({{"name", c.name},
                         {"codegen", c.codegen},
                         {"source_changed", c.source_changed},
                         {"diff_file", c.diff_file}});
    summary["codegen"] = {{"baseline", codegen.baseline},
                          {"pinned", codegen.pinned},
                          {"compared", codegen.compared},
                          {"changed", changed}};
  }
  return summary;
}

std::vector<MachineRun> machines_from_summary(const nlohmann::json& summary,
                                              const std::string& path) {
  if (!summary.is_object() || summary.value("schema", "") != "wyn-ctest/summary/1" ||
      !summary.contains("tests") || !summary["tests"].is_array())
    throw Error(path + ": not a wyn-ctest summary.json (schema wyn-ctest/summary/1)");
  std::vector<MachineRun> machines;
  std::map<std::string, size_t> machine_of;
  try {
    for (const nlohmann::json& run : summary.value("runs", nlohmann::json::array())) {
      MachineRun m;
      m.shard = run.value("shard", "");
      m.hostname = run.value("hostname", "");
      m.build_steps = run.value("build_steps", std::vector<BuildStep>{});
      for (const std::string& name : run.value("tests", std::vector<std::string>{}))
        machine_of[name] = machines.size();
      machines.push_back(std::move(m));
    }
    if (machines.empty()) machines.emplace_back();
    for (const nlohmann::json& test : summary["tests"]) {
      TestRecord record = test.get<TestRecord>();
      const auto it = machine_of.find(record.name);
      machines[it == machine_of.end() ? 0 : it->second].records.push_back(std::move(record));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(path + ": " + e.what());
  }
  return machines;
}

std::string summary_text(const std::vector<TestRecord>& records, const std::string& report_dir) {
  MachineRun machine;
  machine.records = records;
  return summary_text(make_report({machine}), report_dir, {"summary.json"});
}

std::string summary_text(const Report& report, const std::string& report_dir,
                         const std::vector<std::string>& files) {
  const std::vector<TestRecord>& records = report.records;
  std::map<Status, int> counts;
  for (const TestRecord& r : records) ++counts[r.status];
  std::string out = "\nwyn-ctest summary: " + std::to_string(records.size()) + " tests:";
  bool first = true;
  for (Status s : all_statuses()) {
    if (!counts[s]) continue;
    out += (first ? " " : ", ") + std::to_string(counts[s]) + " " + status_name(s);
    first = false;
  }
  const auto cached =
      std::count_if(records.begin(), records.end(), [](const TestRecord& r) { return r.cached; });
  if (cached) out += " (" + std::to_string(cached) + " cached: not run again)";
  out += "\n";

  std::vector<const TestRecord*> failures;
  for (const TestRecord& r : records)
    if (!is_success(r.status)) failures.push_back(&r);
  if (!failures.empty()) {
    out += "Failures:\n";
    for (size_t i = 0; i < failures.size() && i < kFailuresListed; ++i) {
      const TestRecord* r = failures[i];
      out +=
          "  " + status_name(r->status) + "  " + one_line(r->name) + ": " + reason_lines(r->reason);
    }
    out += more_line(failures.size(), kFailuresListed);
  }

  // What did not run, and why: a script that skipped itself here (a tool
  // missing on this machine) checked nothing, which a count alone hides.
  const std::vector<const TestRecord*> skipped = with_status(records, Status::skipped);
  if (!skipped.empty()) {
    out += "Skipped:\n";
    for (size_t i = 0; i < skipped.size() && i < kSkippedListed; ++i)
      out += "  " + one_line(skipped[i]->name) + ": " + one_line(skipped[i]->reason) + "\n";
    out += more_line(skipped.size(), kSkippedListed);
  }

  const std::vector<const TestRecord*> flaky = with_status(records, Status::flaky);
  if (!flaky.empty()) {
    out += "Flaky (passed when run again):\n";
    for (size_t i = 0; i < flaky.size() && i < kFailuresListed; ++i)
      out += "  " + one_line(flaky[i]->name) + ": " + one_line(attempts_note(*flaky[i])) + "\n";
  }

  const std::vector<const TestRecord*> fixed = fixed_tests(records);
  if (!fixed.empty()) {
    out += "Fixed (listed as known failures, now passing: delete these lines):\n";
    for (const TestRecord* r : fixed)
      out += "  " + one_line(r->known_failure) + "  " + one_line(r->name) + "\n";
  }
  std::string written;
  for (const TestRecord& r : records)
    if (r.snapshot_written) written += "  " + one_line(r.snapshot_file) + "\n";
  if (!written.empty()) out += "Snapshots written (WYN_BLESS):\n" + written;

  out += codegen_text(report.codegen, report_dir, files);

  std::vector<const TestRecord*> slowest;
  for (const TestRecord& r : records)
    if (!r.cached && r.status != Status::skipped) slowest.push_back(&r);
  std::sort(slowest.begin(), slowest.end(), [](const TestRecord* a, const TestRecord* b) {
    return a->run_seconds > b->run_seconds ||
           (a->run_seconds == b->run_seconds && a->name < b->name);
  });
  if (slowest.size() > kSlowestListed) slowest.resize(kSlowestListed);
  if (!slowest.empty()) {
    out += "Slowest runs:\n";
    for (const TestRecord* r : slowest)
      out += "  " + seconds_text(r->run_seconds) + "  " + one_line(r->name) + "\n";
  }

  const TimeSplit t = time_split(report);
  out += "Time: compile ";
  if (t.compile_wall >= 0)
    out += seconds_text(t.compile_wall) + " wall (" + std::to_string(t.compiles) +
           (t.compiles == 1 ? " compile step)" : " compile steps)");
  else
    out += "- (no test compiled in the last build)";
  out += ", run ";
  out += t.run_wall >= 0 ? seconds_text(t.run_wall) + " wall" : std::string("-");
  out += "; summed over tests: compile " + seconds_text(t.compile_sum) + ", run " +
         seconds_text(t.run_sum) + "\n";
  out += "Reports in " + report_dir + ": " + (files.empty() ? "summary.json" : join(files, " ")) +
         "\n\n";
  return out;
}

}  // namespace wyn
