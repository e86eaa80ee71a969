#pragma once
// Known-failure lists, as the real stdlib gate keeps them (known_failures.txt
// beside the tests): one `<file name> <fail|hang|flaky>` per line, `#`
// comments and blank lines ignored. Pure: text in, entries and diagnostics out.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "suite/directives.hpp"

namespace wyn {

/// One listed test.
struct KnownFailure {
  std::string file_name;  ///< as written: a file name ("x.wyn") or a relative path
  std::string kind;       ///< "fail", "hang" or "flaky"
  int line = 0;           ///< 1-based line in the list
};

struct KnownFailureList {
  std::vector<KnownFailure> entries;
  /// Lines that are not `<name> <kind>`: warnings, never fatal for the suite.
  std::vector<Diagnostic> problems;
};

/// Parses the text of the list `file` (used only in diagnostics). A repeated
/// name keeps its first line and is a problem.
KnownFailureList parse_known_failures(std::string_view text, std::string_view file);

/// What the launcher needs to know about one listed test.
struct KnownFailureMark {
  std::string listed_at;  ///< "FILE:LINE"
  std::string kind;
};
void to_json(nlohmann::json& j, const KnownFailureMark& value);
void from_json(const nlohmann::json& j, KnownFailureMark& value);

}  // namespace wyn
