#include "suite/directives.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <map>

#include "util/edit_distance.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

const std::vector<std::string_view> kKeys = {
    "EXPECT",    "EXPECT_ERROR", "EXPECT_EXIT",  "TIMEOUT",    "SKIP",     "XFAIL",
    "LABELS",    "ARGS",         "ENV",          "STDIN",      "NO_CACHE", "MEMORY_LIMIT",
    "CPU_LIMIT", "OPEN_FILES",   "OUTPUT_LIMIT", "CORE_DUMPS",
};

bool is_key_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

/// True for a key written the way directives are: upper-case letters,
/// digits and '_' only. The reference runners matched `// EXPECT:` exactly,
/// so `// Expect: ...` or `// expect: ...` is prose written for people.
bool is_upper_key(std::string_view key) {
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

/// The known key the upper-case `key` is probably a misspelling of, or ""
/// if none. Short keys only match a stray plural, so that free-text keys
/// real suites use (`// END:`, `// ARG0:`...) stay free text.
std::string_view near_miss(std::string_view key) {
  for (std::string_view known : kKeys) {
    if (known.size() <= 4) {
      if (key == std::string(known) + "S" || std::string(key) + "S" == known) return known;
      continue;
    }
    if (edit_distance(key, known, 1) <= 1) return known;
  }
  return {};
}

bool parse_int(std::string_view text, long& value) {
  if (text.empty()) return false;
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  value = std::strtol(s.c_str(), &end, 10);
  return errno == 0 && end == s.c_str() + s.size();
}

/// A whole number from `min` to `max`, or 0 when `zero_ok`.
bool parse_count(std::string_view text, long long min, long long max, bool zero_ok,
                 long long& value) {
  if (text.empty() ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  if (text.size() > 12) return false;
  value = std::stoll(std::string(text));
  return (zero_ok && value == 0) || (value >= min && value <= max);
}

bool parse_switch(std::string_view text, int& value) {
  const std::string v = [&] {
    std::string lower(text);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
  }();
  if (v == "on" || v == "yes" || v == "true" || v == "1")
    value = 1;
  else if (v == "off" || v == "no" || v == "false" || v == "0")
    value = 0;
  else
    return false;
  return true;
}

bool parse_seconds(std::string_view text, double& value) {
  if (text.empty()) return false;
  std::string s(text);
  char* end = nullptr;
  value = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size() && value > 0 && value <= 7 * 24 * 3600;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

/// Reads the module an import line names; false for the standard library
/// ("wyn:...") and for forms this subset does not know (the compiler judges those).
bool import_module(std::string_view line, std::string& module) {
  std::string_view rest = trim(line.substr(6));  // after "import"
  std::string_view name;
  if (!rest.empty() && rest.front() == '{') {
    const size_t from = rest.find(" from ");
    if (from == std::string_view::npos) return false;
    name = trim(rest.substr(from + 6));
  } else {
    const size_t end = rest.find_first_of(" \t");
    name = rest.substr(0, end);
    if (end != std::string_view::npos) {
      std::string_view tail = trim(rest.substr(end));
      if (tail.rfind("from ", 0) == 0) return false;  // `import math from "wyn:math"`
    }
  }
  if (!is_identifier(name)) return false;
  module = std::string(name);
  return true;
}

class Parser {
 public:
  Parser(std::string_view file, ParsedSource& out) : m_file(file), m_out(out) {}

  void line(int number, std::string_view raw) {
    std::string_view text = trim(raw);
    if (text.rfind("import ", 0) == 0 || text.rfind("import\t", 0) == 0) {
      std::string module;
      if (import_module(text, module)) m_out.imports.push_back({number, module});
      return;
    }
    if (text.rfind("fn main(", 0) == 0 || text.rfind("fn main (", 0) == 0) m_out.has_main = true;
    if (text.rfind("//", 0) != 0) return;

    std::string_view body = text.substr(2);
    while (!body.empty() && (body.front() == ' ' || body.front() == '\t')) body.remove_prefix(1);
    size_t k = 0;
    while (k < body.size() && is_key_char(body[k])) ++k;
    if (k == 0 || k >= body.size() || body[k] != ':') return;  // ordinary comment
    if (!std::isalpha(static_cast<unsigned char>(body[0]))) return;
    std::string_view key = body.substr(0, k);
    std::string_view value = body.substr(k + 1);
    if (!value.empty() && value.back() == '\r') value.remove_suffix(1);

    // Only exact upper-case keys are directives; any other `// Word:` is
    // free text such as `// NOTE:`, `// TODO:` or `// Expect: ...`.
    if (!is_upper_key(key)) return;
    const auto known = std::find(kKeys.begin(), kKeys.end(), key);
    if (known != kKeys.end()) return directive(number, *known, value);
    const std::string_view typo_of = near_miss(key);
    if (!typo_of.empty())
      error(number, "unknown directive '" + std::string(key) + "'; did you mean '" +
                        std::string(typo_of) + "'?");
  }

  void finish() {
    Directives& d = m_out.directives;
    if (d.has_expect_error && !d.expect.empty())
      error(m_expect_error_line, "EXPECT_ERROR cannot be combined with EXPECT (line " +
                                     std::to_string(d.expect.front().line) + ")");
    if (d.has_expect_error && d.expect_exit >= 0)
      error(m_expect_error_line, "EXPECT_ERROR cannot be combined with EXPECT_EXIT");
    if (d.skip && d.xfail) error(m_first_line["XFAIL"], "a test cannot be both SKIP and XFAIL");
    m_out.directive_lines = m_first_line;
  }

 private:
  void error(int line, std::string message) {
    m_out.errors.push_back({std::string(m_file), line, std::move(message)});
  }

  /// False (with an error) when `key` was already given.
  bool once(int line, std::string_view key) {
    auto [it, inserted] = m_first_line.emplace(std::string(key), line);
    if (!inserted)
      error(line, "duplicate " + std::string(key) + " (first given on line " +
                      std::to_string(it->second) + ")");
    return inserted;
  }

  void directive(int line, std::string_view key, std::string_view raw_value) {
    Directives& d = m_out.directives;
    if (key == "EXPECT") {
      // Exactly one separating blank is dropped: the rest is expected output.
      std::string_view v = raw_value;
      if (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      d.expect.push_back({line, std::string(v)});
      return;
    }
    const std::string value(trim(raw_value));
    if (key == "EXPECT_ERROR") {
      if (!once(line, key)) return;
      if (value.empty())
        return error(line, "EXPECT_ERROR needs the text the diagnostics must contain");
      d.expect_error = value;
      d.has_expect_error = true;
      m_expect_error_line = line;
    } else if (key == "EXPECT_EXIT") {
      if (!once(line, key)) return;
      long code = 0;
      if (!parse_int(value, code) || code < 0 || code > 255)
        return error(line, "EXPECT_EXIT must be an exit code from 0 to 255, not '" + value + "'");
      d.expect_exit = static_cast<int>(code);
    } else if (key == "TIMEOUT") {
      if (!once(line, key)) return;
      if (!parse_seconds(value, d.timeout_seconds))
        return error(line, "TIMEOUT must be a positive number of seconds, not '" + value + "'");
    } else if (key == "SKIP" || key == "XFAIL") {
      if (!once(line, key)) return;
      if (value.empty()) return error(line, std::string(key) + " needs a reason");
      (key == "SKIP" ? d.skip : d.xfail) = true;
      (key == "SKIP" ? d.skip_reason : d.xfail_reason) = value;
      m_first_line[std::string(key)] = line;
    } else if (key == "LABELS") {
      std::vector<std::string> words;
      std::string problem;
      if (!split_words(value, words, problem)) return error(line, "LABELS: " + problem);
      for (const std::string& label : words) {
        if (label.find_first_of(";\\$\"'[]") != std::string::npos)
          return error(line, "label '" + label + "' contains a character labels cannot hold");
        if (std::find(d.labels.begin(), d.labels.end(), label) == d.labels.end())
          d.labels.push_back(label);
      }
    } else if (key == "ARGS") {
      if (!once(line, key)) return;
      std::string problem;
      if (!split_words(value, d.args, problem)) return error(line, "ARGS: " + problem);
    } else if (key == "ENV") {
      const size_t eq = value.find('=');
      const std::string name = value.substr(0, eq);
      if (eq == std::string::npos || !is_identifier(name))
        return error(line, "ENV must be NAME=value, not '" + value + "'");
      for (const EnvSetting& e : d.env)
        if (e.name == name) return error(line, "ENV sets " + name + " twice");
      d.env.push_back({name, value.substr(eq + 1)});
    } else if (key == "STDIN") {
      if (!once(line, key)) return;
      if (value.empty() || value.front() == '/')
        return error(
            line, "STDIN must name a file relative to the test's directory, not '" + value + "'");
      d.stdin_file = value;
    } else if (key == "NO_CACHE") {
      d.no_cache = true;
    } else if (key == "MEMORY_LIMIT") {
      if (!once(line, key)) return;
      if (!parse_count(value, 16, 1ll << 30, true, d.memory_limit_mb))
        return error(line,
                     "MEMORY_LIMIT must be a whole number of MiB, at least 16, or 0 for none, "
                     "not '" +
                         value + "'");
    } else if (key == "CPU_LIMIT") {
      if (!once(line, key)) return;
      if (!parse_count(value, 1, 7 * 24 * 3600, true, d.cpu_limit_seconds))
        return error(line, "CPU_LIMIT must be a whole number of CPU seconds, or 0 for none, not '" +
                               value + "'");
    } else if (key == "OPEN_FILES") {
      if (!once(line, key)) return;
      if (!parse_count(value, 16, 1 << 20, true, d.open_files))
        return error(line,
                     "OPEN_FILES must be a whole number, at least 16, or 0 for the inherited "
                     "limit, not '" +
                         value + "'");
    } else if (key == "OUTPUT_LIMIT") {
      if (!once(line, key)) return;
      if (!parse_count(value, 1, 1 << 20, false, d.output_limit_mb))
        return error(line,
                     "OUTPUT_LIMIT must be a whole number of MiB, at least 1, not '" + value + "'");
    } else if (key == "CORE_DUMPS") {
      if (!once(line, key)) return;
      if (!parse_switch(value, d.core_dumps))
        return error(line, "CORE_DUMPS must be on or off, not '" + value + "'");
    }
  }

  std::string_view m_file;
  ParsedSource& m_out;
  std::map<std::string, int> m_first_line;
  int m_expect_error_line = 0;
};

}  // namespace

std::string Diagnostic::str() const {
  if (line <= 0) return file + ": " + message;
  return file + ":" + std::to_string(line) + ": " + message;
}

bool Directives::has_expectations() const {
  return !expect.empty() || has_expect_error || expect_exit >= 0 || skip || xfail;
}

const std::vector<std::string_view>& known_directive_keys() { return kKeys; }

std::string_view file_kind(const ParsedSource& parsed, bool readable, std::string_view no_expect) {
  // A file that cannot be read or has bad directives is a test whatever else
  // it says, so that its problem is reported where people look: in its result.
  if (!readable || !parsed.errors.empty() || parsed.directives.has_expectations()) return "test";
  if (!parsed.has_main) return "module";
  return no_expect == "ignore" ? "ignored" : "test";
}

ParsedSource parse_source(std::string_view text, std::string_view file) {
  ParsedSource out;
  Parser parser(file, out);
  int number = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    parser.line(number, text.substr(start, end - start));
    if (end == text.size()) break;
    start = end + 1;
  }
  parser.finish();
  return out;
}

bool split_words(std::string_view text, std::vector<std::string>& words, std::string& error) {
  std::string word;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < text.size()) {
        word += text[++i];
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == '\\' && i + 1 < text.size()) {
      word += text[++i];
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (quote) {
    error = std::string("unterminated ") + quote + " quote";
    return false;
  }
  if (in_word) words.push_back(std::move(word));
  return true;
}

}  // namespace wyn
