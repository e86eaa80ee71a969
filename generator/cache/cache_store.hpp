#pragma once
// The compile cache's entries on disk (docs/caching.md): content-addressed,
// shared by every build directory that names the cache directory, safe for
// any number of concurrent compile steps.
//
//   <dir>/entries/<first two hex digits>/<key>   one entry file (cache_entry.hpp)
//   <dir>/size                                   "entries bytes": the tracked size
//   <dir>/config.json                            {"max_size": bytes}
//   <dir>/counters/<n>                           the account (cache_stats.hpp)
//
// A lookup takes no lock that other steps share: it reads the entry (which
// is only ever renamed into place whole), renews its time and adds to its
// own counter bucket. A store renames its entry into place, then updates the
// tracked size under a flock() of <dir>/size, the one lock the cache has,
// and evicts the least recently used entries while it holds it when the
// cache is over its bound. A truncated, corrupt or foreign entry reads as a
// miss and is removed, never as a wrong binary. The cache never throws and
// never fails a compile: at worst the compiler runs.

#include <cstdint>
#include <string>

#include "cache/cache_entry.hpp"
#include "cache/cache_stats.hpp"

namespace wyn {

class CompileCache {
 public:
  static constexpr uint64_t kDefaultMaxSize = 5ull << 30;

  explicit CompileCache(std::string dir);

  /// True with `entry` filled on a hit, and the entry becomes the most
  /// recently used. A missing, truncated, corrupt or unreadable entry is a
  /// miss; a damaged one is removed. Takes no shared lock. Never throws.
  bool lookup(const std::string& key, CacheEntry& entry);

  /// Writes the entry atomically, then evicts the least recently used
  /// entries (never this one) while the cache is over its size bound.
  /// False with `problem` set when it could not store. Never throws.
  bool store(const std::string& key, const CacheEntry& entry, std::string& problem);

  /// Adds `delta` to the remote tier's counters.
  void count_remote(const RemoteCounts& delta);

  /// Counters, plus entries and size counted on disk.
  CacheStats stats() const;
  /// Removes every entry; the counters stay (zero_stats() resets them).
  void clear();
  void zero_stats();

  /// The size bound: WYN_COMPILE_CACHE_MAX_SIZE if set, else config.json, else the default.
  uint64_t max_size() const;
  /// Stores the bound in config.json, for every user of this cache directory.
  void set_max_size(uint64_t bytes);

  const std::string& dir() const { return m_dir; }
  std::string entry_path(const std::string& key) const;

  /// $XDG_CACHE_HOME/wyn-ctest, else $HOME/.cache/wyn-ctest (as WynTests.cmake).
  static std::string default_dir();

 private:
  /// Entries and bytes on disk, from a scan that also evicts down to
  /// `target` bytes (never `keep_key`) and removes stale temporary files.
  struct Scan {
    uint64_t entries = 0;
    uint64_t bytes = 0;
    uint64_t evicted = 0;
  };
  Scan scan(uint64_t target, const std::string& keep_key) const;

  std::string m_dir;
};

}  // namespace wyn
