#include "report/timeline.hpp"

#include <algorithm>

namespace wyn {

int assign_lanes(std::vector<Span>& spans) {
  std::stable_sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.start < b.start || (a.start == b.start && a.name < b.name);
  });
  std::vector<double> lane_free_at;
  for (Span& span : spans) {
    size_t lane = 0;
    while (lane < lane_free_at.size() && lane_free_at[lane] > span.start) ++lane;
    if (lane == lane_free_at.size()) lane_free_at.push_back(0);
    lane_free_at[lane] = span.end;
    span.lane = static_cast<int>(lane);
  }
  return static_cast<int>(lane_free_at.size());
}

std::vector<Track> timeline(const Report& report) {
  std::vector<Track> tracks;
  for (const MachineRun& m : report.machines) {
    const std::string prefix = m.shard.empty() ? "" : "shard " + m.shard + ": ";
    Track build{prefix + "build", {}, 0};
    for (const BuildStep& step : m.build_steps)
      build.spans.push_back(
          {step.name, step.kind, "", "", step.start, std::max(step.end, step.start), 0});
    Track tests{prefix + "tests", {}, 0};
    for (const TestRecord& r : m.records) {
      if (r.start_time <= 0 || r.cached) continue;
      tests.spans.push_back({r.name, "run", status_name(r.status), r.reason, r.start_time,
                             r.start_time + std::max(0.0, r.run_seconds), 0});
      for (const Attempt& a : earlier_attempts(r))  // ctest --repeat ran it before
        if (a.start_time > 0)
          tests.spans.push_back({r.name, "run", status_name(a.status), a.reason, a.start_time,
                                 a.start_time + std::max(0.0, a.run_seconds), 0});
    }
    for (Track* track : {&build, &tests}) {
      if (track->spans.empty()) continue;
      track->lanes = assign_lanes(track->spans);
      tracks.push_back(std::move(*track));
    }
  }
  return tracks;
}

double timeline_origin(const std::vector<Track>& tracks) {
  double origin = 0;
  for (const Track& t : tracks)
    for (const Span& s : t.spans)
      if (origin == 0 || s.start < origin) origin = s.start;
  return origin;
}

}  // namespace wyn
