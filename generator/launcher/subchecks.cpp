#include "launcher/subchecks.hpp"

#include <algorithm>
#include <cctype>

#include "util/text.hpp"

namespace wyn {

namespace {

bool starts_with_word(std::string_view line, std::string_view word) {
  return line.size() > word.size() && line.compare(0, word.size(), word) == 0 &&
         (line[word.size()] == ' ' || line[word.size()] == '\t');
}

/// TAP's "N - name" or "N name" after `ok` / `not ok`: false when `rest`
/// does not start with a test number.
bool tap_name(std::string_view rest, std::string& name) {
  rest = trim(rest);
  size_t digits = 0;
  while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) ++digits;
  if (digits == 0 || (digits < rest.size() && rest[digits] != ' ' && rest[digits] != '\t'))
    return false;
  rest = trim(rest.substr(digits));
  if (!rest.empty() && rest[0] == '-') rest = trim(rest.substr(1));
  name = std::string(rest);
  return true;
}

/// A TAP directive ending a test line's name: `# SKIP reason` (the check did
/// not run) or `# TODO reason` (a known failure, which fails no run). Both
/// words are case-insensitive and may run on (`# Skipped: ...`), as TAP
/// producers write them. Takes it off `name` and returns the directive's
/// word ("skip", "todo") with its reason in `reason`; "" when there is none.
std::string take_tap_directive(std::string& name, std::string& reason) {
  // The first `#` that starts a word: TAP descriptions escape any other.
  size_t hash = name.find('#');
  while (hash != std::string::npos && hash > 0 && name[hash - 1] != ' ' && name[hash - 1] != '\t')
    hash = name.find('#', hash + 1);
  if (hash == std::string::npos) return "";
  std::string_view rest = trim(std::string_view(name).substr(hash + 1));
  std::string word;
  for (const char* candidate : {"skip", "todo"}) {
    if (rest.size() < 4) break;
    bool same = true;
    for (size_t i = 0; i < 4; ++i)
      same = same && std::tolower(static_cast<unsigned char>(rest[i])) == candidate[i];
    if (same) word = candidate;
  }
  if (word.empty()) return "";
  rest = rest.substr(4);
  while (!rest.empty() && std::isalpha(static_cast<unsigned char>(rest[0]))) rest.remove_prefix(1);
  if (!rest.empty() && rest[0] == ':') rest.remove_prefix(1);
  reason = std::string(trim(rest));
  name = std::string(trim(std::string_view(name).substr(0, hash)));
  return word;
}

/// Splits "what (details)" at the last balanced parenthesised group that ends the line.
void split_details(std::string_view text, std::string& what, std::string& details) {
  text = trim(text);
  if (!text.empty() && text.back() == ')') {
    int depth = 0;
    for (size_t i = text.size(); i-- > 0;) {
      if (text[i] == ')') ++depth;
      if (text[i] == '(' && --depth == 0) {
        what = std::string(trim(text.substr(0, i)));
        details = std::string(text.substr(i + 1, text.size() - i - 2));
        if (!what.empty()) return;
        break;
      }
    }
  }
  what = std::string(text);
  details.clear();
}

/// "a (details); b" for the sub-checks `pick` chooses, at most `limit`
/// named, the rest counted.
template <typename Pick>
std::string some_of(const std::vector<SubCheck>& checks, size_t limit, Pick pick) {
  std::string out;
  size_t named = 0, picked = 0;
  for (const SubCheck& c : checks) {
    if (!pick(c)) continue;
    ++picked;
    if (named == limit) continue;
    out += (named ? "; " : "") + c.name + (c.details.empty() ? "" : " (" + c.details + ")");
    ++named;
  }
  if (picked > named) out += "; and " + std::to_string(picked - named) + " more";
  return out;
}

}  // namespace

std::vector<SubCheck> parse_subchecks(std::string_view output) {
  std::vector<SubCheck> checks;
  const std::string clean = strip_ansi(output);
  int number = 0;
  for (const std::string& raw : split_lines(clean)) {
    ++number;
    std::string_view line = trim(raw);
    SubCheck check;
    check.line = number;
    std::string name;
    if (starts_with_word(line, "not ok") || line == "not ok" || starts_with_word(line, "ok")) {
      const bool failed = line[0] == 'n';
      const bool numbered = tap_name(line.substr(failed ? 6 : 2), name);
      if (!numbered && failed) continue;
      if (!numbered) name = std::string(trim(line.substr(2)));
      std::string reason;
      const std::string directive = take_tap_directive(name, reason);
      // TAP: a skipped test did not run; a TODO test's failure fails nothing.
      check.skipped = directive == "skip";
      check.ok = !failed || !directive.empty();
      check.name = to_valid_utf8(name);
      check.details = to_valid_utf8(
          directive == "todo" ? "TODO" + (reason.empty() ? "" : ": " + reason) : reason);
    } else if (starts_with_word(line, "FAIL") || starts_with_word(line, "skip")) {
      std::string what, details;
      split_details(line.substr(4), what, details);
      // A skipped check did not fail: readers that know only `ok` must not
      // count it as a failure.
      check.skipped = line[0] == 's';
      check.ok = check.skipped;
      check.name = to_valid_utf8(what);
      check.details = to_valid_utf8(details);
    } else {
      continue;
    }
    if (check.name.empty()) continue;
    checks.push_back(std::move(check));
  }
  return checks;
}

std::string failing_subchecks(const std::vector<SubCheck>& checks, size_t limit) {
  return some_of(checks, limit, [](const SubCheck& c) { return !c.ok; });
}

SkipLine find_skip_line(std::string_view output) {
  constexpr std::string_view kMark = ": SKIP (";
  const std::string clean = strip_ansi(output);
  int number = 0;
  for (std::string_view line : line_views(clean)) {
    ++number;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
      line.remove_suffix(1);
    const size_t mark = line.find(kMark);
    if (mark == 0 || mark == std::string_view::npos || line.back() != ')') continue;
    const std::string_view name = line.substr(0, mark);
    const bool plain_name = std::all_of(name.begin(), name.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
    const std::string_view reason =
        trim(line.substr(mark + kMark.size(), line.size() - mark - kMark.size() - 1));
    if (!plain_name || reason.empty()) continue;
    return {to_valid_utf8(line), to_valid_utf8(reason), number};
  }
  return {};
}

std::string self_skip_reason(const SkipLine& skip, const std::vector<SubCheck>& checks,
                             size_t limit) {
  const bool checked =
      std::any_of(checks.begin(), checks.end(), [](const SubCheck& c) { return !c.skipped; });
  if (checked) return "";
  if (skip.line > 0) return skip.reason;
  if (checks.empty()) return "";
  return "every sub-check was skipped: " +
         some_of(checks, limit, [](const SubCheck& c) { return c.skipped; });
}

}  // namespace wyn
