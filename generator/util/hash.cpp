#include "util/hash.hpp"

#include <cstdio>

namespace wyn {

void Fnv1a64::update(std::string_view data) {
  for (unsigned char c : data) {
    m_state ^= c;
    m_state *= 0x100000001b3ull;
  }
}

std::string Fnv1a64::hex() const {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(m_state));
  return buffer;
}

std::string fnv1a64_hex(std::string_view data) {
  Fnv1a64 h;
  h.update(data);
  return h.hex();
}

}  // namespace wyn
