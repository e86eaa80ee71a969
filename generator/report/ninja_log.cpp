#include "report/ninja_log.hpp"

#include <algorithm>
#include <cstdlib>
#include <tuple>

#include "util/text.hpp"

namespace wyn {

namespace {

/// Builds start further apart than this; the lines of one build lie closer
/// together (the output is written a moment before Ninja notes the end).
constexpr double kSameBuildSeconds = 1.0;

bool parse_number(const std::string& text, long long& value) {
  char* end = nullptr;
  value = std::strtoll(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0';
}

}  // namespace

std::vector<NinjaLogEntry> parse_ninja_log(std::string_view log) {
  std::vector<NinjaLogEntry> entries;
  for (const std::string& line : split_lines(log)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> fields;
    size_t start = 0;
    for (size_t tab; (tab = line.find('\t', start)) != std::string::npos; start = tab + 1)
      fields.push_back(line.substr(start, tab - start));
    fields.push_back(line.substr(start));
    long long begin = 0, end = 0, mtime = 0;
    if (fields.size() < 5 || !parse_number(fields[0], begin) || !parse_number(fields[1], end) ||
        !parse_number(fields[2], mtime) || end < begin)
      continue;
    NinjaLogEntry entry;
    entry.start_ms = static_cast<long>(begin);
    entry.end_ms = static_cast<long>(end);
    // Ninja 1.10 and later record nanoseconds, older versions seconds.
    entry.mtime = mtime > 100000000000LL ? mtime / 1e9 : static_cast<double>(mtime);
    entry.output = fields[3];
    entry.command_hash = fields[4];
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<BuildStep> last_build(const std::vector<NinjaLogEntry>& entries,
                                  const std::string& build_dir,
                                  const std::map<std::string, std::string>& compile_tests) {
  // When each line's build began, latest first.
  std::vector<std::pair<double, const NinjaLogEntry*>> began;
  for (const NinjaLogEntry& e : entries)
    if (e.mtime > 0) began.push_back({e.mtime - e.end_ms / 1000.0, &e});
  if (began.empty()) return {};
  std::sort(began.begin(), began.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  size_t last = 1;
  while (last < began.size() && began[last - 1].first - began[last].first <= kSameBuildSeconds)
    ++last;
  const double origin = began[last / 2].first;

  // One step per command: its lines have equal times and hash.
  std::map<std::tuple<long, long, std::string>, BuildStep> steps;
  for (size_t i = 0; i < last; ++i) {
    const NinjaLogEntry& e = *began[i].second;
    BuildStep& step = steps[{e.start_ms, e.end_ms, e.command_hash}];
    const std::string path =
        !e.output.empty() && e.output[0] == '/' ? e.output : build_dir + "/" + e.output;
    const auto test = compile_tests.find(path);
    if (test != compile_tests.end()) {
      step.name = test->second;
      step.kind = "compile";
    } else if (step.kind.empty() ||
               (step.kind == "build" && path != e.output && step.name[0] == '/')) {
      step.name = e.output;  // the shorter, relative name when there is one
      step.kind = "build";
    }
    step.start = origin + e.start_ms / 1000.0;
    step.end = origin + e.end_ms / 1000.0;
  }
  std::vector<BuildStep> result;
  for (auto& [key, step] : steps) result.push_back(std::move(step));
  std::sort(result.begin(), result.end(), [](const BuildStep& a, const BuildStep& b) {
    return a.start < b.start || (a.start == b.start && a.name < b.name);
  });
  return result;
}

}  // namespace wyn
