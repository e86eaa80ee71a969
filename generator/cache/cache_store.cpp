#include "cache/cache_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <vector>

#include "cache/counter_files.hpp"
#include "util/byte_size.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"

namespace wyn {

namespace {

/// Eviction goes below the bound, so that the next few stores do not each pay for a scan.
constexpr double kEvictTo = 0.9;
/// Temporary files older than this were left by a killed writer.
constexpr time_t kStaleTempSeconds = 3600;
/// <dir>/size: "entries bytes".
constexpr size_t kSizeFields = 2;

uint64_t saturating_sub(uint64_t a, uint64_t b) { return a > b ? a - b : 0; }

bool is_key(const std::string& name) {
  return name.size() == 64 && std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

/// Every entry file (and stale temporary) below <dir>/entries.
struct FoundEntry {
  std::string path;
  std::string key;  ///< empty for a temporary file
  uint64_t size = 0;
  int64_t mtime_ns = 0;
};

std::vector<FoundEntry> list_entries(const std::string& entries_dir) {
  std::vector<FoundEntry> found;
  std::vector<std::string> shards;
  if (!list_directory(entries_dir, shards)) return found;
  std::vector<std::string> names;
  for (const std::string& shard_name : shards) {
    if (shard_name.size() != 2) continue;
    const std::string shard_dir = entries_dir + "/" + shard_name;
    if (!list_directory(shard_dir, names)) continue;
    for (const std::string& name : names) {
      FoundEntry e;
      e.path = shard_dir + "/" + name;
      FileStat st;
      if (!lstat_file(e.path, st) || !st.regular) continue;
      if (is_key(name)) e.key = name;
      e.size = st.size;
      e.mtime_ns = st.mtime_ns;
      found.push_back(std::move(e));
    }
  }
  return found;
}

/// The bytes of the file at `path`, read through one descriptor whose
/// identity is returned in `opened`; false when it cannot be read.
bool read_opened(const std::string& path, std::string& bytes, FileStat& opened) {
  // The identity first: a file renamed into place after it is not the one read.
  if (!stat_file(path, opened)) return false;
  const int fd = open_file(path, O_RDONLY);
  if (fd < 0) return false;
  bool ok = true;
  char buffer[65536];
  while (ok) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    bytes.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return ok;
}

}  // namespace

CompileCache::CompileCache(std::string dir) : m_dir(std::move(dir)) {}

std::string CompileCache::entry_path(const std::string& key) const {
  return m_dir + "/entries/" + key.substr(0, 2) + "/" + key;
}

std::string CompileCache::default_dir() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/wyn-ctest";
  const char* home = std::getenv("HOME");
  if (home && *home) return std::string(home) + "/.cache/wyn-ctest";
  return "";
}

bool CompileCache::lookup(const std::string& key, CacheEntry& entry) {
  if (!is_key(key)) return false;
  const std::string path = entry_path(key);
  CacheCounters delta;
  std::string bytes, problem;
  FileStat opened;
  if (read_opened(path, bytes, opened)) {
    if (decode_cache_entry(key, bytes, entry, problem)) {
      ++delta.hits;
      // Least recently used means least recently *used*: a hit renews the entry.
      touch_file(path);
    } else {
      ++delta.misses;
      ++delta.corrupt;
      // Remove the damaged file, unless a writer has meanwhile renamed a new
      // one into place. The tracked size is left as it is: lookups take no
      // shared lock, and the next eviction scan corrects it.
      FileStat now;
      if (stat_file(path, now) && now.inode == opened.inode && now.device == opened.device)
        ::unlink(path.c_str());
    }
  } else {
    ++delta.misses;
  }
  add_cache_counters(m_dir, delta);
  return delta.hits > 0;
}

bool CompileCache::store(const std::string& key, const CacheEntry& entry, std::string& problem) {
  if (!is_key(key)) {
    problem = "malformed key '" + key + "'";
    return false;
  }
  CacheCounters delta;
  try {
    const std::string bytes = encode_cache_entry(key, entry);
    const std::string path = entry_path(key);
    make_directories(parent_path(path));
    // Written beside its place first (a name no scan takes for an entry),
    // then renamed into place under the lock, so that the tracked size knows
    // exactly whether it replaced an entry.
    static std::atomic<unsigned> counter{0};
    const std::string temp =
        path + ".store." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
    write_file_atomic(temp, bytes);
    const uint64_t bound = max_size();
    int rename_error = -1;       // -1: not renamed yet
    int64_t replaced_size = -1;  // the size of the entry this one replaced; -1: none
    const auto place = [&] {
      FileStat old;
      if (stat_file(path, old)) replaced_size = static_cast<int64_t>(old.size);
      rename_error = rename_file(temp, path) ? 0 : errno;
    };
    // The size bound is the one thing stores agree on: under the lock of <dir>/size.
    update_counter_file(m_dir + "/size", kSizeFields, [&](Counts& size, bool known) {
      place();
      if (!known) {
        // No (readable) account: a new cache, or one restored without it.
        // Count what is there, this entry included.
        const Scan found = scan(UINT64_MAX, key);
        size = {found.entries, found.bytes};
      } else if (rename_error != 0) {
        return;  // nothing changed
      } else if (replaced_size < 0) {
        size = {size[0] + 1, size[1] + bytes.size()};
      } else {
        size[1] = saturating_sub(size[1], static_cast<uint64_t>(replaced_size)) + bytes.size();
      }
      if (size[1] > bound) {
        // The scan is the truth: it also repairs any drift of the tracked size.
        const Scan found = scan(static_cast<uint64_t>(static_cast<double>(bound) * kEvictTo), key);
        size = {found.entries, found.bytes};
        delta.evictions += found.evicted;
      }
    });
    if (rename_error < 0) place();  // the lock could not be had: store without the account
    if (rename_error != 0) {
      ::unlink(temp.c_str());
      problem = "cannot rename onto '" + path + "': " + std::strerror(rename_error);
      return false;
    }
    ++delta.stores;
  } catch (const std::exception& e) {
    problem = e.what();
    add_cache_counters(m_dir, delta);
    return false;
  }
  add_cache_counters(m_dir, delta);
  return true;
}

CompileCache::Scan CompileCache::scan(uint64_t target, const std::string& keep_key) const {
  std::vector<FoundEntry> found = list_entries(m_dir + "/entries");
  const time_t stale = std::time(nullptr) - kStaleTempSeconds;
  std::vector<FoundEntry> entries;
  Scan result;
  for (FoundEntry& e : found) {
    if (e.key.empty()) {
      if (e.mtime_ns / 1'000'000'000 < stale) ::unlink(e.path.c_str());
      continue;
    }
    result.bytes += e.size;
    entries.push_back(std::move(e));
  }
  result.entries = entries.size();
  if (result.bytes <= target) return result;
  std::sort(entries.begin(), entries.end(),
            [](const FoundEntry& a, const FoundEntry& b) { return a.mtime_ns < b.mtime_ns; });
  for (const FoundEntry& e : entries) {
    if (result.bytes <= target) break;
    if (e.key == keep_key) continue;
    if (::unlink(e.path.c_str()) != 0) continue;
    result.bytes = saturating_sub(result.bytes, e.size);
    --result.entries;
    ++result.evicted;
  }
  return result;
}

CacheStats CompileCache::stats() const {
  CacheStats s;
  static_cast<CacheCounters&>(s) = read_cache_counters(m_dir);
  for (const FoundEntry& e : list_entries(m_dir + "/entries")) {
    if (e.key.empty()) continue;
    ++s.entries;
    s.size_bytes += e.size;
  }
  s.max_size_bytes = max_size();
  return s;
}

void CompileCache::clear() {
  try {
    make_directories(m_dir);
  } catch (const Error&) {
    return;
  }
  update_counter_file(m_dir + "/size", kSizeFields, [&](Counts& size, bool) {
    try {
      remove_tree(m_dir + "/entries");
    } catch (const Error&) {
      // What could not be removed is counted by the next scan.
    }
    size = {0, 0};
  });
}

void CompileCache::zero_stats() { zero_cache_counters(m_dir); }

void CompileCache::count_remote(const RemoteCounts& delta) {
  CacheCounters c;
  c.remote = delta;
  add_cache_counters(m_dir, c);
}

uint64_t CompileCache::max_size() const {
  uint64_t bytes = 0;
  const char* env = std::getenv("WYN_COMPILE_CACHE_MAX_SIZE");
  if (env && *env && parse_size(env, bytes)) return bytes;
  std::string text;
  if (try_read_file(m_dir + "/config.json", text)) {
    try {
      return parse_json(text).at("max_size").get<uint64_t>();
    } catch (const nlohmann::json::exception&) {
      // A damaged configuration falls back to the default.
    }
  }
  return kDefaultMaxSize;
}

void CompileCache::set_max_size(uint64_t bytes) {
  make_directories(m_dir);
  write_file_atomic(m_dir + "/config.json",
                    json_text(nlohmann::json({{"max_size", bytes}})) + "\n");
}

}  // namespace wyn
