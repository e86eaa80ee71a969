#pragma once
// Parsing the directives a Wyn test carries in its comments (`// EXPECT: ...`)
// and the imports it names. Pure: text in, data and diagnostics out, no I/O.

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace wyn {

/// A problem in a test file, with its 1-based line (0: the whole file).
struct Diagnostic {
  std::string file;
  int line = 0;
  std::string message;
  /// "file:line: message", the form every tool prints after "wyn-<tool>: error: ".
  std::string str() const;
};

/// One `// EXPECT: text` line.
struct ExpectLine {
  int line = 0;
  std::string text;
};

/// One `NAME=value` from `// ENV:`.
struct EnvSetting {
  std::string name;
  std::string value;
};

/// Everything a test file asks of the harness. A field left at its default
/// means the directive is absent.
struct Directives {
  std::vector<ExpectLine> expect;
  std::string expect_error;
  bool has_expect_error = false;
  int expect_exit = -1;  ///< 0..255 when given
  double timeout_seconds = 0;
  std::string skip_reason;
  bool skip = false;
  std::string xfail_reason;
  bool xfail = false;
  std::vector<std::string> labels;
  std::vector<std::string> args;
  std::vector<EnvSetting> env;
  std::string stdin_file;  ///< relative to the test's directory
  /// `// NO_CACHE:` opts out of result caching.
  bool no_cache = false;
  // Limits of the program; -1 where the directive is absent and the
  // suite's setting (WYN_MEMORY_LIMIT_MB ...) applies.
  long long memory_limit_mb = -1;    ///< MEMORY_LIMIT: MiB of address space; 0: none
  long long cpu_limit_seconds = -1;  ///< CPU_LIMIT: CPU seconds; 0: none
  long long open_files = -1;         ///< OPEN_FILES: descriptors; 0: inherited
  long long output_limit_mb = -1;    ///< OUTPUT_LIMIT: MiB per stream
  int core_dumps = -1;               ///< CORE_DUMPS: 1 on, 0 off

  /// True when the file states an expectation of any kind; a file without
  /// one is judged by the suite's NO_EXPECT policy.
  bool has_expectations() const;
};

/// One import statement of the subset every Wyn generation shares.
struct Import {
  int line = 0;
  std::string module;  ///< the module name, e.g. "shapes" for `import shapes as sh`
};

struct ParsedSource {
  Directives directives;
  std::vector<Import> imports;  ///< file imports only; "wyn:..." standard modules are left out
  bool has_main = false;        ///< a line starting with `fn main(`
  std::vector<Diagnostic> errors;
  /// Line of each directive that may be given once ("STDIN" -> 3), so later
  /// checks (a STDIN path outside the suite) can name it.
  std::map<std::string, int> directive_lines;
};

/// Parses `text`, the content of `file` (used only in diagnostics).
ParsedSource parse_source(std::string_view text, std::string_view file);

/// What a file of a suite is: "test" (unreadable, bad directives, an
/// expectation, or a `main` under NO_EXPECT=run), "module" (no expectations
/// and no `main`: imported by others, never compiled alone) or "ignored" (a
/// `main` without expectations under NO_EXPECT=ignore). The one rule that
/// wyn-gen (the test list) and wyn-compile (the record) both apply.
std::string_view file_kind(const ParsedSource& parsed, bool readable, std::string_view no_expect);

/// The directive keys this harness understands, for help and "did you mean".
const std::vector<std::string_view>& known_directive_keys();

/// Splits an ARGS value into words: blanks separate, '...' and "..." quote,
/// backslash escapes the next character outside single quotes. Returns false
/// and sets `error` on an unterminated quote.
bool split_words(std::string_view text, std::vector<std::string>& words, std::string& error);

}  // namespace wyn
