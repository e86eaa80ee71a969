#pragma once
// summary.md: the run in Markdown, for $GITHUB_STEP_SUMMARY and merge
// request comments.

#include <string>

#include "report/run.hpp"

namespace wyn {

/// Counts, the failures with their reasons (and output in collapsed
/// sections), the slowest tests and the time split. Bounded in size: GitHub
/// accepts 1 MiB per step summary.
std::string markdown_summary(const Report& report);

/// `text` safe inside a Markdown table cell: one line, no markup.
std::string markdown_cell(const std::string& text);

}  // namespace wyn
