#include "util/diff.hpp"

#include <algorithm>
#include <vector>

#include "util/text.hpp"

namespace wyn {

namespace {

/// Beyond this many cells the middle of two files is shown as replaced
/// whole rather than aligned: a diff for people, not a minimal one.
constexpr size_t kMaxAlignCells = 4'000'000;

struct Op {
  char kind;  ///< ' ', '-' or '+'
  std::string_view text;
};

std::vector<Op> diff_ops(const std::vector<std::string_view>& a,
                         const std::vector<std::string_view>& b) {
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix])
    ++suffix;
  std::vector<Op> ops;
  for (size_t i = 0; i < prefix; ++i) ops.push_back({' ', a[i]});
  const size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
  if (n * m <= kMaxAlignCells) {
    // Longest common subsequence of the middle parts, by dynamic programming.
    std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        lcs[i][j] = a[prefix + i] == b[prefix + j] ? lcs[i + 1][j + 1] + 1
                                                   : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
        ops.push_back({' ', a[prefix + i]});
        ++i, ++j;
      } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        ops.push_back({'-', a[prefix + i++]});  // deletions first, as diff -u shows them
      } else {
        ops.push_back({'+', b[prefix + j++]});
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) ops.push_back({'-', a[prefix + i]});
    for (size_t j = 0; j < m; ++j) ops.push_back({'+', b[prefix + j]});
  }
  for (size_t i = a.size() - suffix; i < a.size(); ++i) ops.push_back({' ', a[i]});
  return ops;
}

std::string range(size_t start, size_t count) {
  // Unified diff ranges are 1-based; an empty range names the line before it.
  return std::to_string(count ? start + 1 : start) +
         (count == 1 ? "" : "," + std::to_string(count));
}

}  // namespace

std::string unified_diff(std::string_view expected, std::string_view actual,
                         const std::string& expected_label, const std::string& actual_label) {
  if (expected == actual) return "";
  const std::vector<std::string_view> a = line_views(expected), b = line_views(actual);
  const std::vector<Op> ops = diff_ops(a, b);
  constexpr size_t kContext = 3;
  std::string out = "--- " + expected_label + "\n+++ " + actual_label + "\n";
  size_t i = 0;
  while (i < ops.size()) {
    if (ops[i].kind == ' ') {
      ++i;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext after the
    // last change that lies within 2 * kContext of the previous one.
    const size_t first = i >= kContext ? i - kContext : 0;
    size_t last = i;
    for (size_t j = i; j < ops.size(); ++j) {
      if (ops[j].kind != ' ')
        last = j;
      else if (j - last > 2 * kContext)
        break;
    }
    const size_t stop = std::min(ops.size(), last + kContext + 1);
    size_t a_start = 0, b_start = 0;
    for (size_t j = 0; j < first; ++j) {
      a_start += ops[j].kind != '+';
      b_start += ops[j].kind != '-';
    }
    size_t a_count = 0, b_count = 0;
    std::string body;
    for (size_t j = first; j < stop; ++j) {
      a_count += ops[j].kind != '+';
      b_count += ops[j].kind != '-';
      body += ops[j].kind;
      body.append(ops[j].text);
      body += '\n';
    }
    out += "@@ -" + range(a_start, a_count) + " +" + range(b_start, b_count) + " @@\n" + body;
    i = stop;
  }
  const bool a_newline = !expected.empty() && expected.back() == '\n';
  const bool b_newline = !actual.empty() && actual.back() == '\n';
  if (a_newline != b_newline)
    out += "\\ No newline at end of " + (a_newline ? actual_label : expected_label) + "\n";
  return out;
}

}  // namespace wyn
