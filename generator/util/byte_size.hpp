#pragma once
// Sizes as people write them in settings (WYN_COMPILE_CACHE_MAX_SIZE,
// `wyn-cache max-size`) and read them in `wyn-cache stats`.

#include <cstdint>
#include <string>
#include <string_view>

namespace wyn {

/// "5G", "500M", "64K", "1.5G" or a plain number of bytes; false when malformed.
bool parse_size(std::string_view text, uint64_t& bytes);
/// "1.2 MiB" and the like.
std::string format_size(uint64_t bytes);

}  // namespace wyn
