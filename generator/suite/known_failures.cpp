#include "suite/known_failures.hpp"

#include <set>

#include "util/text.hpp"

namespace wyn {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

/// Splits a line into words at runs of blanks.
std::vector<std::string_view> words_of(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && is_blank(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !is_blank(line[i])) ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

}  // namespace

KnownFailureList parse_known_failures(std::string_view text, std::string_view file) {
  KnownFailureList list;
  std::set<std::string> seen;
  int number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (const size_t hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::vector<std::string_view> words = words_of(line);
    if (words.empty()) continue;
    const auto problem = [&](const std::string& message) {
      list.problems.push_back({std::string(file), number, message});
    };
    if (words.size() != 2) {
      problem("expected '<file name> <fail|hang|flaky>', not '" + to_valid_utf8(trim(line)) +
              "'; line ignored");
      continue;
    }
    const std::string kind(words[1]);
    if (kind != "fail" && kind != "hang" && kind != "flaky") {
      problem("unknown kind '" + to_valid_utf8(kind) +
              "' (expected fail, hang or flaky); line ignored");
      continue;
    }
    const std::string name(words[0]);
    if (!seen.insert(name).second) {
      problem("'" + to_valid_utf8(name) + "' is listed twice; the first line counts");
      continue;
    }
    list.entries.push_back({name, kind, number});
  }
  return list;
}

// The JSON conversions the header declares. nlohmann's macro writes them
// inline: here, so that they are compiled once and not in every file that
// includes the header.
namespace json_fields {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(KnownFailureMark, listed_at, kind)
}  // namespace json_fields

void to_json(nlohmann::json& j, const KnownFailureMark& value) { json_fields::to_json(j, value); }
void from_json(const nlohmann::json& j, KnownFailureMark& value) {
  json_fields::from_json(j, value);
}

}  // namespace wyn
