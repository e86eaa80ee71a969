#include "report/ctrf.hpp"

#include <cmath>
#include <map>
#include <set>

#include "report/escape.hpp"
#include "report/junit.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

/// CTRF's osPlatform, in Node's process.platform spelling.
const char* os_platform() {
#if defined(__linux__)
  return "linux";
#elif defined(__APPLE__)
  return "darwin";
#elif defined(__FreeBSD__)
  return "freebsd";
#elif defined(__OpenBSD__)
  return "openbsd";
#elif defined(__NetBSD__)
  return "netbsd";
#else
  return "unknown";
#endif
}

long long millis(double seconds) { return std::llround(seconds * 1000); }

std::string rfc3339(double unix_seconds) { return format_utc(unix_seconds, "%Y-%m-%dT%H:%M:%SZ"); }

nlohmann::json ctrf_test(const TestRecord& r, const std::string& shard, size_t output_cap) {
  const Presentation p = present(r.status);
  nlohmann::json test = {
      {"name", r.name},
      {"status", p.ctrf},
      {"rawStatus", status_name(r.status)},
      {"duration", millis(r.run_seconds)},
      {"suite", {suite_of(r)}},
      {"filePath", r.source},
      {"line", 1},
      {"tags", r.labels},
      {"type", "wyn"},
  };
  if (r.start_time > 0 && !r.cached) {
    test["start"] = millis(r.start_time);
    test["stop"] = millis(r.start_time + r.run_seconds);
  }
  // Reporters show these texts to people: control characters are made visible.
  if (!r.reason.empty()) test["message"] = visible_text(r.reason);
  if (!is_success(r.status)) test["trace"] = visible_text(failure_details(r, output_cap));
  if (!r.output.empty()) {
    // Program output is one stream (stdout and stderr interleaved, as written).
    test["stdout"] = split_lines(visible_text(excerpt(r.output, output_cap)));
  }
  if (!r.diagnostics.empty())
    test["stderr"] = split_lines(visible_text(excerpt(r.diagnostics, output_cap)));
  if (!shard.empty()) test["threadId"] = "shard " + shard;
  if (r.attempts.size() > 1) {
    test["flaky"] = r.status == Status::flaky;
    test["retries"] = r.attempts.size() - 1;
    nlohmann::json attempts = nlohmann::json::array();
    for (size_t i = 0; i < r.attempts.size(); ++i) {
      const Attempt& a = r.attempts[i];
      nlohmann::json attempt = {{"attempt", i + 1},
                                {"status", present(a.status).ctrf},
                                {"duration", millis(a.run_seconds)}};
      if (a.start_time > 0) {
        attempt["start"] = millis(a.start_time);
        attempt["stop"] = millis(a.start_time + a.run_seconds);
      }
      if (!a.reason.empty()) attempt["message"] = visible_text(a.reason);
      attempts.push_back(attempt);
    }
    test["retryAttempts"] = attempts;
  }
  nlohmann::json extra = {{"compile_seconds", r.compile_seconds},
                          {"run_seconds", r.run_seconds},
                          {"exit_code", r.exit_code},
                          {"cached", r.cached}};
  if (!r.signal.empty()) extra["signal"] = r.signal;
  if (!r.diff.empty()) extra["diff"] = r.diff;
  test["extra"] = extra;
  return test;
}

}  // namespace

nlohmann::json ctrf_json(const Report& report, double generated_at, size_t output_cap) {
  std::map<std::string, std::string> shard_of;
  std::set<std::string> shards;
  for (const MachineRun& m : report.machines) {
    shards.insert(m.shard);
    for (const TestRecord& r : m.records) shard_of[r.name] = m.shard;
  }
  std::map<std::string, int> counts = {
      {"passed", 0}, {"failed", 0}, {"skipped", 0}, {"pending", 0}, {"other", 0}};
  nlohmann::json wyn_counts = nlohmann::json::object();
  for (Status s : all_statuses()) wyn_counts[status_name(s)] = 0;
  std::set<std::string> suites;
  nlohmann::json tests = nlohmann::json::array();
  for (const TestRecord& r : report.records) {
    ++counts[present(r.status).ctrf];
    wyn_counts[status_name(r.status)] = wyn_counts[status_name(r.status)].get<int>() + 1;
    suites.insert(suite_of(r));
    tests.push_back(ctrf_test(r, shard_of[r.name], output_cap));
  }
  auto [start, stop] = run_interval(report.records);
  if (start == 0) start = stop = generated_at;
  const TimeSplit t = time_split(report);

  nlohmann::json summary = {
      {"tests", report.records.size()},
      {"passed", counts["passed"]},
      {"failed", counts["failed"]},
      {"skipped", counts["skipped"]},
      {"pending", counts["pending"]},
      {"other", counts["other"]},
      {"flaky", wyn_counts["flaky"]},
      {"suites", suites.size()},
      {"start", millis(start)},
      {"stop", millis(stop)},
      {"duration", millis(stop - start)},
      {"extra",
       {{"wyn_counts", wyn_counts},
        {"compile_seconds", t.compile_sum},
        {"run_seconds", t.run_sum},
        {"compile_wall_seconds", t.compile_wall},
        {"run_wall_seconds", t.run_wall}}},
  };
  nlohmann::json environment = {{"reportName", "wyn-ctest"}, {"osPlatform", os_platform()}};
  if (shards.size() == 1 && !shards.begin()->empty()) environment["shardId"] = *shards.begin();
  const std::string version = WYN_CTEST_VERSION;
  return {{"reportFormat", "CTRF"},
          {"specVersion", "1.0.0"},
          {"timestamp", rfc3339(generated_at)},
          {"generatedBy", "wyn-ctest " + version},
          {"results",
           {{"tool", {{"name", "wyn-ctest"}, {"version", version}}},
            {"summary", summary},
            {"tests", tests},
            {"environment", environment}}}};
}

}  // namespace wyn
