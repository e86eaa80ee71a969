#include "report/write.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>

#include "report/ctrf.hpp"
#include "report/html.hpp"
#include "report/markdown.hpp"
#include "report/summary.hpp"
#include "report/trace.hpp"
#include "suite/suite_config.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

struct Format {
  const char* name;
  const char* file;
};
const Format kFormats[] = {{"junit", "junit.xml"},
                           {"ctrf", "ctrf.json"},
                           {"markdown", "summary.md"},
                           {"trace", "trace.json"},
                           {"html", "report.html"}};

bool chosen(const ReportOptions& options, const std::string& format) {
  return std::find(options.formats.begin(), options.formats.end(), format) != options.formats.end();
}

std::string render(const std::string& format, const Report& report, const ReportOptions& options) {
  if (format == "junit") return junit_xml(report, options.junit);
  if (format == "ctrf")
    return dump_json(ctrf_json(report, std::time(nullptr), options.junit.output_cap));
  if (format == "markdown") return markdown_summary(report);
  if (format == "trace") return dump_json(trace_json(report));
  return html_report(report);
}

}  // namespace

void set_report_option(ReportOptions& options, const std::string& name, const std::string& value) {
  if (name == "formats") {
    options.formats.clear();
    std::string item;
    for (size_t i = 0; i <= value.size(); ++i) {
      if (i < value.size() && value[i] != ';' && value[i] != ',') {
        item += value[i];
        continue;
      }
      if (item.empty()) continue;
      if (std::find(kReportFormats.begin(), kReportFormats.end(), item) == kReportFormats.end())
        throw Error("unknown report format '" + item + "' (known: " + join(kReportFormats, ", ") +
                    ")");
      options.formats.push_back(item);
      item.clear();
    }
  } else if (name == "junit") {
    if (std::find(kJunitFlavors.begin(), kJunitFlavors.end(), value) == kJunitFlavors.end())
      throw Error("the JUnit flavor must be one of " + join(kJunitFlavors, ", ") + ", not '" +
                  value + "'");
    options.junit.flavor = value;
  } else if (name == "output_cap") {
    char* end = nullptr;
    const unsigned long long bytes = std::strtoull(value.c_str(), &end, 10);
    if (value.empty() || *end || value[0] == '-' || bytes < kMinReportOutputCap)
      throw Error("output_cap must be a number of bytes (" + std::to_string(kMinReportOutputCap) +
                  " or more), not '" + value + "'");
    options.junit.output_cap = bytes;
  } else {
    throw Error("unknown report option '" + name + "'");
  }
}

std::vector<std::string> write_reports(const Report& report, const std::string& dir,
                                       const ReportOptions& options) {
  make_directories(dir);
  write_json_file(dir + "/summary.json", summary_json(report));
  std::vector<std::string> written = {"summary.json"};
  for (const Format& f : kFormats) {
    const std::string path = dir + "/" + f.file;
    if (!chosen(options, f.name)) {
      ::unlink(path.c_str());
      continue;
    }
    write_file_atomic(path, render(f.name, report, options));
    written.push_back(f.file);
  }
  return written;
}

}  // namespace wyn
