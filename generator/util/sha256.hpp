#pragma once
// SHA-256 (FIPS 180-4): the strong hash behind cache keys and the integrity
// check of cache entries. FNV-1a (hash.hpp) stays the cheap change detector.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace wyn {

/// Incremental SHA-256: update() any number of times, then hex() or digest() once.
class Sha256 {
 public:
  Sha256();
  void update(std::string_view data);
  /// The 32-byte digest; finishes the computation (further updates are an error).
  std::array<uint8_t, 32> digest();
  /// 64 lowercase hex digits of digest().
  std::string hex();

 private:
  void compress(const uint8_t* block);

  std::array<uint32_t, 8> m_state;
  std::array<uint8_t, 64> m_buffer{};
  size_t m_buffered = 0;
  uint64_t m_length = 0;  ///< bytes hashed so far
  bool m_finished = false;
};

/// 64 hex digits of SHA-256 over `data`.
std::string sha256_hex(std::string_view data);

/// SHA-256 of a file's bytes, read in blocks; false when it cannot be read.
bool sha256_file_hex(const std::string& path, std::string& hex);

}  // namespace wyn
