#include "report/trace.hpp"

#include <cmath>

#include "report/timeline.hpp"

namespace wyn {

namespace {

nlohmann::json metadata(const char* what, int pid, int tid, const nlohmann::json& args) {
  nlohmann::json event = {{"ph", "M"}, {"name", what}, {"pid", pid}, {"args", args}};
  if (tid > 0) event["tid"] = tid;
  return event;
}

long long micros(double seconds) { return std::llround(seconds * 1e6); }

}  // namespace

nlohmann::json trace_json(const Report& report) {
  const std::vector<Track> tracks = timeline(report);
  const double origin = timeline_origin(tracks);
  nlohmann::json events = nlohmann::json::array();
  int pid = 0;
  for (const Track& track : tracks) {
    ++pid;
    events.push_back(metadata("process_name", pid, 0, {{"name", track.title}}));
    events.push_back(metadata("process_sort_index", pid, 0, {{"sort_index", pid}}));
    const bool builds = track.spans.front().category != "run";
    for (int lane = 1; lane <= track.lanes; ++lane)
      events.push_back(
          metadata("thread_name", pid, lane,
                   {{"name", (builds ? "ninja job " : "ctest job ") + std::to_string(lane)}}));
    for (const Span& span : track.spans) {
      nlohmann::json args = {{"seconds", span.end - span.start}};
      if (!span.status.empty()) args["status"] = span.status;
      if (!span.detail.empty()) args["reason"] = span.detail;
      events.push_back({{"ph", "X"},
                        {"name", span.name},
                        {"cat", span.category},
                        {"pid", pid},
                        {"tid", span.lane + 1},
                        {"ts", micros(span.start - origin)},
                        {"dur", std::max(1LL, micros(span.end - span.start))},
                        {"args", args}});
    }
  }
  return {{"traceEvents", events},
          {"displayTimeUnit", "ms"},
          {"otherData",
           {{"generator", std::string("wyn-ctest ") + WYN_CTEST_VERSION},
            {"origin_unix_seconds", origin}}}};
}

}  // namespace wyn
