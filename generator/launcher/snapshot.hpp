#pragma once
// Snapshot tests: a test's generated C (or its output) is compared whole
// with a file checked in beside the source. Pure functions; the launcher
// reads and, when blessing, writes the files.

#include <string>
#include <string_view>
#include <vector>

#include "util/diff.hpp"  // unified_diff, for the snapshot diffs
#include "util/regex.hpp"

namespace wyn {

/// The text compared with a snapshot (the generated C or the output), made
/// independent of where the source was, exactly as the Wyn repository's
/// reference runner (tests/golden/run_golden_tests.sh) does it with
/// `sed -e 's|[^"[:space:]]*NAME\.wyn|NAME.wyn|g' -e 's|\r$||'`:
///
/// - Each line (split on '\n') is cut into runs: maximal stretches of bytes
///   that are neither '"' nor white space (' ', '\t', '\n', '\v', '\f',
///   '\r': [[:space:]] of the C locale).
/// - In a run that contains `file_name` (NAME.wyn), everything from the
///   start of the run to the end of its *last* occurrence becomes
///   `file_name`; what follows it in the run stays. That is the leftmost,
///   longest match of the sed expression, which need not end the run:
///   `/* @/src/t/x.wyn:12 */` becomes `/* x.wyn:12 */` (the `@` is part of
///   the run), `#line 3 "/src/t/x.wyn"` becomes `#line 3 "x.wyn"`,
///   `/a/x.wyn.c` becomes `x.wyn.c`, `C:\t\x.wyn` becomes `x.wyn`, and so
///   does `libx.wyn`. `x.wynb` keeps its `b`; `x.wy` and `other.wyn` are
///   left alone. A path with a blank or a quote in it is only cut at the
///   last blank or quote, as by the reference.
/// - Then one '\r' at the end of each line is dropped.
///
/// Bytes are bytes, as in the C locale: under a UTF-8 locale the reference
/// would also end runs at Unicode spaces (U+3000 ...) and at invalid UTF-8.
/// `file_name` is matched literally, where the reference's sed reads the
/// name as a regular expression (a '.' in NAME matches any character).
std::string normalize_snapshot(std::string_view text, std::string_view file_name);

/// The snapshot side of the comparison: one trailing '\r' dropped from every
/// line, nothing else changed (the reference compares the snapshot with the
/// normalized text as it is, so a path left in a snapshot is a difference).
std::string drop_carriage_returns(std::string_view text);

/// One of a suite's SNAPSHOT_FILTERS: every match of `pattern` in a line is
/// replaced by `replacement`.
struct SnapshotFilter {
  Regex pattern;
  std::string replacement;
};

/// The filters of SNAPSHOT_FILTERS, given as a flat list of pairs (pattern,
/// replacement, pattern, replacement ...; a trailing odd item is ignored:
/// the suite configuration rejects it). Patterns are ECMAScript regular
/// expressions (std::regex's default grammar, the one the suite
/// configuration validates them with); throws std::regex_error.
std::vector<SnapshotFilter> compile_snapshot_filters(const std::vector<std::string>& pairs);

/// `text` with each filter, in order, applied to each line (without its
/// '\n', so `^` and `$` are the line's ends): every match replaced, the
/// replacement read with ECMAScript rules (`$&` the match, `$1`..`$99` its
/// groups, `$$` a '$').
std::string apply_snapshot_filters(std::string_view text,
                                   const std::vector<SnapshotFilter>& filters);

/// The first `lines` lines of `text`, with a note of how many were left out.
std::string first_lines(std::string_view text, size_t lines);

}  // namespace wyn
