#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wyn {

/// FNV-1a, 64 bits: cheap and stable, for names and change detection (not security).
class Fnv1a64 {
 public:
  void update(std::string_view data);
  uint64_t value() const { return m_state; }
  /// 16 lowercase hex digits.
  std::string hex() const;

 private:
  uint64_t m_state = 0xcbf29ce484222325ull;
};

/// 16 hex digits of FNV-1a over `data`.
std::string fnv1a64_hex(std::string_view data);

}  // namespace wyn
