#pragma once
// Unified diffs of two texts, for people: a snapshot against the generated
// C, or one build's generated code against another's.

#include <string>
#include <string_view>

namespace wyn {

/// A unified diff (3 lines of context) turning `expected` into `actual`,
/// with `---`/`+++` headers naming the two; empty when they are equal. When
/// only one of them ends in a newline, a last line says which does not
/// ("\ No newline at end of LABEL").
std::string unified_diff(std::string_view expected, std::string_view actual,
                         const std::string& expected_label, const std::string& actual_label);

}  // namespace wyn
