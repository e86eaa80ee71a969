#include "util/byte_size.hpp"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace wyn {

bool parse_size(std::string_view text, uint64_t& bytes) {
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  const double number = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || errno != 0 || !(number >= 0) || s[0] == '-' || s[0] == ' ') return false;
  std::string suffix(end);
  for (char& ch : suffix) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  double scale = 1;
  if (!suffix.empty() && std::string("KMGT").find(suffix[0]) != std::string::npos) {
    scale = std::pow(1024.0, static_cast<double>(std::string("KMGT").find(suffix[0]) + 1));
    suffix.erase(0, 1);
    if (suffix == "I" || suffix == "IB" || suffix == "B") suffix.clear();
  } else if (suffix == "B") {
    suffix.clear();
  }
  if (!suffix.empty()) return false;
  const double value = number * scale;
  if (value > 1.8e19) return false;
  bytes = static_cast<uint64_t>(value);
  return true;
}

std::string format_size(uint64_t bytes) {
  static const char* const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buffer[64];
  if (unit == 0)
    std::snprintf(buffer, sizeof buffer, "%llu bytes", static_cast<unsigned long long>(bytes));
  else
    std::snprintf(buffer, sizeof buffer, "%.1f %s", value, units[unit]);
  return buffer;
}

}  // namespace wyn
