#pragma once
// report.html: one self-contained page (no scripts, no network, no external
// files) for people: counts, failures with their reasons and output, the
// slowest tests as a bar chart, the timeline, and every test.

#include <string>

#include "report/run.hpp"

namespace wyn {

std::string html_report(const Report& report);

/// `text` made visible (see visible_text) and escaped for HTML text or a
/// double-quoted attribute.
std::string html_escape(const std::string& text);

}  // namespace wyn
