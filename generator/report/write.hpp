#pragma once
// Writing the reports of a run into the report directory.

#include <string>
#include <vector>

#include "report/junit.hpp"
#include "report/run.hpp"

namespace wyn {

/// What to write besides summary.json.
struct ReportOptions {
  /// Any of "junit" (junit.xml), "ctrf" (ctrf.json), "markdown" (summary.md),
  /// "trace" (trace.json) and "html" (report.html).
  std::vector<std::string> formats = {"junit", "ctrf", "markdown", "trace", "html"};
  JunitOptions junit;
};

/// Sets one option of `wyn-report merge` by name: formats (separated by ';'
/// or ','), junit (default or strict), output_cap (bytes). Throws Error on an
/// unknown name or a bad value.
void set_report_option(ReportOptions& options, const std::string& name, const std::string& value);

/// Writes summary.json and the chosen formats into `dir` (each atomically),
/// removes the files of formats not chosen so nothing stale is published,
/// and returns the names of the files written.
std::vector<std::string> write_reports(const Report& report, const std::string& dir,
                                       const ReportOptions& options);

}  // namespace wyn
