#include "cache/cache_key.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include "util/fs.hpp"
#include "util/hash.hpp"
#include "util/sha256.hpp"

namespace wyn {

std::string stat_identity(const FileStat& st) {
  char buffer[160];
  const auto seconds = [](int64_t ns) { return static_cast<long long>(ns / 1'000'000'000); };
  const auto nanos = [](int64_t ns) { return static_cast<long>(ns % 1'000'000'000); };
  std::snprintf(buffer, sizeof buffer, "%llu %llu %llu %lld.%09ld %lld.%09ld",
                static_cast<unsigned long long>(st.device),
                static_cast<unsigned long long>(st.inode), static_cast<unsigned long long>(st.size),
                seconds(st.mtime_ns), nanos(st.mtime_ns), seconds(st.ctime_ns), nanos(st.ctime_ns));
  return buffer;
}

void CacheKey::add(std::string_view name, std::string_view value) {
  m_parts.emplace_back(std::string(name), std::string(value));
}

std::string CacheKey::hex() const {
  Sha256 h;
  for (const auto& [name, value] : m_parts) {
    h.update(std::to_string(name.size()) + ":");
    h.update(name);
    h.update(std::to_string(value.size()) + ":");
    h.update(value);
  }
  return h.hex();
}

bool FileHashMemo::hash(const std::string& path, std::string& hex) const {
  FileStat before;
  if (!stat_file(path, before)) return false;
  const std::string identity = stat_identity(before);
  // One small file per path: "<identity>\n<sha256>\n<path>".
  const std::string memo = memo_path(path);
  std::string text;
  if (try_read_file(memo, text)) {
    const size_t a = text.find('\n');
    const size_t b = a == std::string::npos ? a : text.find('\n', a + 1);
    if (b != std::string::npos && b - a - 1 == 64 && text.compare(0, a, identity) == 0 &&
        text.compare(b + 1, std::string::npos, path) == 0) {
      hex = text.substr(a + 1, 64);
      return true;
    }
  }
  if (!sha256_file_hex(path, hex)) return false;
  FileStat after;
  const double settled =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count() -
      m_min_age;
  if (stat_file(path, after) && stat_identity(after) == identity && after.mtime() < settled &&
      after.ctime() < settled) {
    try {
      make_directories(m_dir);
      write_file_atomic(memo, identity + "\n" + hex + "\n" + path);
    } catch (const Error&) {
      // Only a lost shortcut: the next step hashes the file again.
    }
  }
  return true;
}

std::string FileHashMemo::memo_path(const std::string& path) const {
  return m_dir + "/" + fnv1a64_hex(path);
}

}  // namespace wyn
