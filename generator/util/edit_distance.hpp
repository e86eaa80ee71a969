#pragma once

#include <string_view>

namespace wyn {

/// Levenshtein distance between `a` and `b`, giving up (returning
/// `max_distance + 1`) once the distance is known to exceed `max_distance`.
int edit_distance(std::string_view a, std::string_view b, int max_distance);

}  // namespace wyn
