#pragma once
// The timeline of a run, shared by trace.json and the HTML report: each
// machine's build steps and test runs, laid out in lanes.

#include <string>
#include <vector>

#include "report/run.hpp"

namespace wyn {

/// One bar of the timeline, in Unix seconds.
struct Span {
  std::string name;
  std::string category;  ///< "compile", "build" or "run"
  std::string status;    ///< for runs: the test's status
  std::string detail;    ///< for runs: the reason
  double start = 0;
  double end = 0;
  int lane = 0;  ///< 0-based
};

/// The spans of one kind of work on one machine.
struct Track {
  std::string title;        ///< "build" / "tests", prefixed with the shard when sharded
  std::vector<Span> spans;  ///< ordered by start
  int lanes = 0;
};

/// Neither Ninja nor CTest records which worker ran a step, so the lanes
/// are rebuilt: each span takes the lowest lane free when it starts, giving
/// as many lanes as steps ran at once (the -j that was in use, at most).
/// Returns the number of lanes.
int assign_lanes(std::vector<Span>& spans);

/// Per machine, a track of its build steps (when the report has them) and a
/// track of its test runs (tests that ran: not skipped, cached or unbuilt).
std::vector<Track> timeline(const Report& report);

/// The earliest start of any span, or 0.
double timeline_origin(const std::vector<Track>& tracks);

}  // namespace wyn
