#pragma once
// ctrf.json: the Common Test Report Format (ctrf.io), read by CI reporters
// and bots.

#include <cstddef>
#include <nlohmann/json.hpp>

#include "report/run.hpp"

namespace wyn {

/// A CTRF document (specVersion 1.0.0). Wyn statuses map onto CTRF's five
/// with `rawStatus` keeping the original; the Wyn counts are in the
/// summary's `extra`. `generated_at` is the Unix time of the report.
/// `output_cap`: bytes of output kept per test.
nlohmann::json ctrf_json(const Report& report, double generated_at, size_t output_cap);

}  // namespace wyn
