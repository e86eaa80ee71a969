#pragma once
// trace.json: the timeline in Chrome's trace-event format, for Perfetto
// (ui.perfetto.dev) and chrome://tracing.

#include <nlohmann/json.hpp>

#include "report/run.hpp"

namespace wyn {

/// {"traceEvents": [...], "displayTimeUnit": "ms", ...}: one complete ("X")
/// event per build step (category "compile" or "build") and per test run
/// (category "run"), timestamps in microseconds from the first event. Each
/// machine's build and tests are a process of their own, each lane a
/// thread; metadata ("M") events name them.
nlohmann::json trace_json(const Report& report);

}  // namespace wyn
