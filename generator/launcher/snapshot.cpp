#include "launcher/snapshot.hpp"

#include <vector>

#include "util/text.hpp"

namespace wyn {

namespace {

/// Where the reference's runs end: '"' and [[:space:]] of the C locale.
bool ends_run(char c) { return c == '"' || c == ' ' || (c >= '\t' && c <= '\r'); }

/// Calls `each(line, has_newline)` for every line of `text`, without its '\n'.
template <typename Each>
void for_each_line(std::string_view text, Each each) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    const bool has_newline = end != std::string_view::npos;
    if (!has_newline) end = text.size();
    each(text.substr(start, end - start), has_newline);
    start = end + 1;
  }
}

std::string_view without_carriage_return(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

}  // namespace

std::string normalize_snapshot(std::string_view text, std::string_view file_name) {
  std::string out;
  out.reserve(text.size());
  for_each_line(text, [&](std::string_view line, bool has_newline) {
    line = without_carriage_return(line);  // a '\r' ends every run: the order does not matter
    size_t at = 0;
    while (at < line.size()) {
      if (ends_run(line[at])) {
        out += line[at++];
        continue;
      }
      size_t end = at;
      while (end < line.size() && !ends_run(line[end])) ++end;
      const std::string_view run = line.substr(at, end - at);
      // The sed expression's match: from the start of the run to the end of
      // the last occurrence of the name in it (leftmost, then longest).
      const size_t last = file_name.empty() ? std::string_view::npos : run.rfind(file_name);
      if (last == std::string_view::npos) {
        out.append(run);
      } else {
        out.append(file_name);
        out.append(run.substr(last + file_name.size()));
      }
      at = end;
    }
    if (has_newline) out += '\n';
  });
  return out;
}

std::string drop_carriage_returns(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for_each_line(text, [&](std::string_view line, bool has_newline) {
    out.append(without_carriage_return(line));
    if (has_newline) out += '\n';
  });
  return out;
}

std::vector<SnapshotFilter> compile_snapshot_filters(const std::vector<std::string>& pairs) {
  std::vector<SnapshotFilter> filters;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2)
    filters.push_back({Regex(pairs[i]), pairs[i + 1]});
  return filters;
}

std::string apply_snapshot_filters(std::string_view text,
                                   const std::vector<SnapshotFilter>& filters) {
  if (filters.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  // Line by line: `^` and `$` mean the line's ends, and a pattern cannot
  // reach across lines (nor make std::regex recurse over a whole file).
  for_each_line(text, [&](std::string_view line, bool has_newline) {
    std::string filtered(line);
    for (const SnapshotFilter& filter : filters)
      filtered = filter.pattern.replace_all(filtered, filter.replacement);
    out += filtered;
    if (has_newline) out += '\n';
  });
  return out;
}

std::string first_lines(std::string_view text, size_t lines) {
  size_t end = 0;
  for (size_t n = 0; n < lines; ++n) {
    end = text.find('\n', end);
    if (end == std::string_view::npos) return std::string(text);
    ++end;
  }
  if (end >= text.size()) return std::string(text);
  size_t rest = 0;
  for (size_t k = end; k < text.size(); ++k) rest += text[k] == '\n';
  return std::string(text.substr(0, end)) + "... (" + std::to_string(rest) + " more lines)";
}

}  // namespace wyn
