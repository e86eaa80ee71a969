#include "util/edit_distance.hpp"

#include <algorithm>
#include <vector>

namespace wyn {

int edit_distance(std::string_view a, std::string_view b, int max_distance) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  if (std::abs(n - m) > max_distance) return max_distance + 1;

  // Two rows of the classic dynamic programme are enough.
  std::vector<int> previous(m + 1), current(m + 1);
  for (int j = 0; j <= m; ++j) previous[j] = j;
  for (int i = 1; i <= n; ++i) {
    current[0] = i;
    int row_best = current[0];
    for (int j = 1; j <= m; ++j) {
      const int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
      row_best = std::min(row_best, current[j]);
    }
    if (row_best > max_distance) return max_distance + 1;
    std::swap(previous, current);
  }
  return std::min(previous[m], max_distance + 1);
}

}  // namespace wyn
