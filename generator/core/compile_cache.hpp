#pragma once
// The content-addressed compile cache (docs/caching.md): compile outcomes
// stored under a SHA-256 key of everything the compiler reads, shareable
// between build directories and machines.
//
//   <dir>/entries/<first two hex digits>/<key>   one file per compile outcome
//   <dir>/stats.json                             counters and the tracked size
//   <dir>/config.json                            {"max_size": bytes}
//   <dir>/lock                                   flock()ed around stats updates
//
// An entry is written to a temporary file and renamed into place, and carries
// a SHA-256 of its own content: a truncated, corrupt or foreign file reads as
// a miss and is removed, never as a wrong binary. The cache never throws and
// never fails a compile: at worst the compiler runs.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wyn {

/// Named parts in, a SHA-256 key out. Every part is length-prefixed, so two
/// different lists of parts never hash the same byte stream.
class CacheKey {
 public:
  void add(std::string_view name, std::string_view value);
  /// 64 hex digits over the parts in the order they were added.
  std::string hex() const;
  /// The parts as added: the account of a key, for people asking why it missed.
  const std::vector<std::pair<std::string, std::string>>& parts() const { return m_parts; }

 private:
  std::vector<std::pair<std::string, std::string>> m_parts;
};

/// SHA-256 of big files that rarely change (the compiler, its runtime),
/// remembered in `dir` per path together with the file's identity (device,
/// inode, size, mtime and ctime, all of which a write changes), so that
/// thousands of compile steps hash a multi-megabyte compiler once. A file
/// modified less than two seconds ago is hashed but not remembered: a write
/// within the same timestamp tick could otherwise go unnoticed.
class FileHashMemo {
 public:
  /// `min_age_seconds`: how long ago a file must have changed to be remembered.
  explicit FileHashMemo(std::string dir, double min_age_seconds = 2)
      : m_dir(std::move(dir)), m_min_age(min_age_seconds) {}
  /// False when `path` cannot be read.
  bool hash(const std::string& path, std::string& hex) const;
  /// Where the memo of `path` is kept.
  std::string memo_path(const std::string& path) const;

 private:
  std::string m_dir;
  double m_min_age;
};

/// One compile outcome.
struct CacheEntry {
  std::string status;      ///< "compiled" or "failed"
  int exit_code = 0;       ///< the compiler's exit code when it exited
  int signal = 0;          ///< the signal that killed the compiler, or 0
  double seconds = 0;      ///< how long the compile took when it ran
  std::string log;         ///< the compiler's raw output
  std::string executable;  ///< the program, for "compiled"; empty for "failed"
};

/// The bytes of an entry file for `key`.
std::string encode_cache_entry(const std::string& key, const CacheEntry& entry);

/// Parses an entry file; false (with `problem` set) unless it is whole,
/// intact and made for `key`.
bool decode_cache_entry(const std::string& key, std::string_view bytes, CacheEntry& entry,
                        std::string& problem);

/// What the remote tier behind the cache did (docs/caching.md).
struct RemoteCounts {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t errors = 0;   ///< unreachable, timed out, or an HTTP error
  uint64_t corrupt = 0;  ///< downloaded entries that failed verification (then a miss)
  uint64_t uploads = 0;
};

struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t stores = 0;
  uint64_t evictions = 0;
  uint64_t corrupt = 0;  ///< damaged entries found (and removed) by lookups
  RemoteCounts remote;   ///< the remote tier's account
  uint64_t entries = 0;
  uint64_t size_bytes = 0;
  uint64_t max_size_bytes = 0;
};

class CompileCache {
 public:
  static constexpr uint64_t kDefaultMaxSize = 5ull << 30;

  explicit CompileCache(std::string dir);

  /// True with `entry` filled on a hit, and the entry becomes the most
  /// recently used. A missing, truncated, corrupt or unreadable entry is a
  /// miss; a damaged one is removed. Never throws.
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
  struct Counters;
  template <typename Update>
  void update_counters(Update update);
  void evict_locked(Counters& counters, const std::string& keep_key);

  std::string m_dir;
};

/// "5G", "500M", "64K", "1.5G" or a plain number of bytes; false when malformed.
bool parse_size(std::string_view text, uint64_t& bytes);
/// "1.2 MiB" and the like.
std::string format_size(uint64_t bytes);

}  // namespace wyn
