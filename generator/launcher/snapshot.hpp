#pragma once
// Snapshot tests: a test's generated C (or its output) is compared whole
// with a file checked in beside the source. Pure functions; the launcher
// reads and, when blessing, writes the files.

#include <string>
#include <string_view>

namespace wyn {

/// The text as snapshots compare it: a trailing '\r' dropped from every
/// line, and every path that ends in `file_name` (absolute or relative, as
/// in `#line 3 "/src/tests/golden/x.wyn"` or `/* @tests/golden/x.wyn:3 */`)
/// replaced by `file_name` alone, so snapshots do not depend on where the
/// checkout or the build directory lies. Paths containing blanks or quotes
/// are not recognised.
std::string normalize_snapshot(std::string_view text, std::string_view file_name);

/// A unified diff (3 lines of context) turning `expected` into `actual`,
/// with `---`/`+++` headers naming the two; empty when they are equal.
std::string unified_diff(std::string_view expected, std::string_view actual,
                         const std::string& expected_label, const std::string& actual_label);

/// The first `lines` lines of `text`, with a note of how many were left out.
std::string first_lines(std::string_view text, size_t lines);

}  // namespace wyn
