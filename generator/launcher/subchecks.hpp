#pragma once
// Script tests report many sub-checks in one run. The real Wyn gate's
// scripts print `  ok    <what>`, `  FAIL  <what> (details)` or
// `  skip  <what> (why)` per check; TAP producers print `ok N - what` /
// `not ok N - what`. A script that cannot run at all says so in one line,
// `<name>: SKIP (<reason>)`, and exits 0. Pure parsing.

#include <string>
#include <string_view>
#include <vector>

#include "records/record.hpp"

namespace wyn {

/// Every sub-check line of `output`, in order (ANSI colours are ignored).
std::vector<SubCheck> parse_subchecks(std::string_view output);

/// "a (details); b" for the failing sub-checks, at most `limit` named, the
/// rest counted; empty when none failed.
std::string failing_subchecks(const std::vector<SubCheck>& checks, size_t limit = 5);

/// A line by which a script says it did not run: `lsp: SKIP (python3 not found)`.
struct SkipLine {
  std::string text;    ///< the whole line, ANSI escapes and trailing blanks removed
  std::string reason;  ///< "python3 not found"
  int line = 0;        ///< 1-based line of the output; 0: there is none
};

/// The first skip line of `output`: a whole line, from its first column,
/// made of a name (letters, digits, `_`, `.`, `-`), `: SKIP (`, a non-empty
/// reason and `)` (trailing blanks and ANSI colours are ignored). `line`
/// is 0 when there is none.
SkipLine find_skip_line(std::string_view output);

/// Why a script that exited 0 skipped itself, or "" when it did not: it
/// printed a skip line and no sub-check that passed or failed, or it
/// printed sub-checks and every one of them was skipped.
std::string self_skip_reason(const SkipLine& skip, const std::vector<SubCheck>& checks,
                             size_t limit = 5);

}  // namespace wyn
