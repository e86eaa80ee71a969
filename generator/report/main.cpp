// wyn-report: the post-processor. CTest runs `begin` before and `end` after
// the tests (CTEST_CUSTOM_PRE_TEST / CTEST_CUSTOM_POST_TEST); `summary` does
// the same over the latest records on demand.
//
//   wyn-report begin|end|summary CONFIG
//
// CONFIG (written at configure time) holds one path per line: the report
// directory, then the build directory of each suite.

#include <sys/stat.h>

#include <cstdio>
#include <string>
#include <vector>

#include "core/fs.hpp"
#include "core/json_io.hpp"
#include "core/text.hpp"
#include "report/summary.hpp"

namespace {

const char* const kRunStart = "/.run-start";

double mtime_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
}

int write_reports(const std::string& report_dir, const std::vector<std::string>& suites,
                  double since) {
  const auto records = wyn::collect_records(suites, since);
  // `ctest -N` and `--show-only` run the post-test command too: with no test
  // run there is nothing to say, and nothing may be printed into their output.
  if (records.empty()) return 0;
  wyn::make_directories(report_dir);
  wyn::write_json_file(report_dir + "/summary.json", wyn::summary_json(records));
  std::fputs(wyn::summary_text(records, report_dir).c_str(), stdout);
  return 0;
}

std::vector<std::string> read_config(const std::string& path) {
  std::vector<std::string> lines;
  for (const std::string& line : wyn::split_lines(wyn::read_file(path)))
    if (!line.empty()) lines.push_back(line);
  if (lines.empty()) throw wyn::Error(path + ": no report directory in the configuration");
  return lines;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() != 2 || (args[0] != "begin" && args[0] != "end" && args[0] != "summary")) {
      std::fprintf(stderr, "usage: wyn-report begin|end|summary CONFIG\n");
      return 2;
    }
    const std::vector<std::string> config = read_config(args[1]);
    const std::string& report_dir = config.front();
    if (args[0] == "begin") {
      wyn::make_directories(report_dir);
      wyn::write_file_atomic(report_dir + kRunStart, "");
      return 0;
    }
    const std::vector<std::string> suites(config.begin() + 1, config.end());
    const double since = args[0] == "end" ? mtime_of(report_dir + kRunStart) : 0;
    return write_reports(report_dir, suites, since);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wyn-report: error: %s\n", e.what());
    return 1;
  }
}
