#include "core/compile_cache.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>

#include "core/fs.hpp"
#include "core/hash.hpp"
#include "core/sha256.hpp"

namespace wyn {

namespace {

constexpr std::string_view kEntryMagic = "wyn-compile-cache-entry/1\n";
/// Eviction goes below the bound, so that the next few stores do not each pay for a scan.
constexpr double kEvictTo = 0.9;
/// Temporary files older than this were left by a killed writer.
constexpr time_t kStaleTempSeconds = 3600;

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
  timespec mtime{};
};

std::vector<FoundEntry> list_entries(const std::string& entries_dir) {
  std::vector<FoundEntry> found;
  DIR* top = ::opendir(entries_dir.c_str());
  if (!top) return found;
  while (const dirent* shard = ::readdir(top)) {
    const std::string shard_name = shard->d_name;
    if (shard_name.size() != 2) continue;
    const std::string shard_dir = entries_dir + "/" + shard_name;
    DIR* inner = ::opendir(shard_dir.c_str());
    if (!inner) continue;
    while (const dirent* file = ::readdir(inner)) {
      const std::string name = file->d_name;
      if (name == "." || name == "..") continue;
      FoundEntry e;
      e.path = shard_dir + "/" + name;
      struct stat st;
      if (::lstat(e.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      if (is_key(name)) e.key = name;
      e.size = static_cast<uint64_t>(st.st_size);
      e.mtime = st.st_mtim;
      found.push_back(std::move(e));
    }
    ::closedir(inner);
  }
  ::closedir(top);
  return found;
}

bool older(const timespec& a, const timespec& b) {
  return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

/// An exclusive flock() on a file, released by the destructor.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0) return;
    while (::flock(m_fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        ::close(m_fd);
        m_fd = -1;
        return;
      }
    }
  }
  ~FileLock() {
    if (m_fd >= 0) ::close(m_fd);  // closing releases the lock
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  bool held() const { return m_fd >= 0; }

 private:
  int m_fd = -1;
};

std::string identity_of(const struct stat& st) {
  char buffer[160];
  std::snprintf(
      buffer, sizeof buffer, "%llu %llu %llu %lld.%09ld %lld.%09ld",
      static_cast<unsigned long long>(st.st_dev), static_cast<unsigned long long>(st.st_ino),
      static_cast<unsigned long long>(st.st_size), static_cast<long long>(st.st_mtim.tv_sec),
      st.st_mtim.tv_nsec, static_cast<long long>(st.st_ctim.tv_sec), st.st_ctim.tv_nsec);
  return buffer;
}

}  // namespace

// ---- CacheKey ---------------------------------------------------------------

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

// ---- FileHashMemo -----------------------------------------------------------

bool FileHashMemo::hash(const std::string& path, std::string& hex) const {
  struct stat before;
  if (::stat(path.c_str(), &before) != 0) return false;
  const std::string identity = identity_of(before);
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
  struct stat after;
  timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  const double settled = static_cast<double>(now.tv_sec) + now.tv_nsec / 1e9 - m_min_age;
  const auto seconds = [](const timespec& t) {
    return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
  };
  if (::stat(path.c_str(), &after) == 0 && identity_of(after) == identity &&
      seconds(after.st_mtim) < settled && seconds(after.st_ctim) < settled) {
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

// ---- Entry files ------------------------------------------------------------

std::string encode_cache_entry(const std::string& key, const CacheEntry& entry) {
  const nlohmann::json header = {{"key", key},
                                 {"status", entry.status},
                                 {"exit_code", entry.exit_code},
                                 {"signal", entry.signal},
                                 {"seconds", entry.seconds},
                                 {"log_bytes", entry.log.size()},
                                 {"executable_bytes", entry.executable.size()}};
  std::string body = header.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace) + "\n";
  body += entry.log;
  body += entry.executable;
  return std::string(kEntryMagic) + sha256_hex(body) + "\n" + body;
}

bool decode_cache_entry(const std::string& key, std::string_view bytes, CacheEntry& entry,
                        std::string& problem) {
  if (bytes.substr(0, kEntryMagic.size()) != kEntryMagic) {
    problem = "not a compile cache entry";
    return false;
  }
  bytes.remove_prefix(kEntryMagic.size());
  if (bytes.size() < 65 || bytes[64] != '\n') {
    problem = "truncated entry";
    return false;
  }
  const std::string_view checksum = bytes.substr(0, 64);
  const std::string_view body = bytes.substr(65);
  if (sha256_hex(body) != checksum) {
    problem = "checksum mismatch (truncated or corrupt)";
    return false;
  }
  const size_t end = body.find('\n');
  if (end == std::string_view::npos) {
    problem = "no header";
    return false;
  }
  try {
    const nlohmann::json header = nlohmann::json::parse(body.substr(0, end));
    const uint64_t log_bytes = header.at("log_bytes").get<uint64_t>();
    const uint64_t executable_bytes = header.at("executable_bytes").get<uint64_t>();
    const std::string_view payload = body.substr(end + 1);
    CacheEntry e;
    e.status = header.at("status").get<std::string>();
    e.exit_code = header.at("exit_code").get<int>();
    e.signal = header.at("signal").get<int>();
    e.seconds = header.at("seconds").get<double>();
    if (header.at("key").get<std::string>() != key) {
      problem = "the entry belongs to another key";
      return false;
    }
    if (payload.size() != log_bytes + executable_bytes || log_bytes > payload.size()) {
      problem = "sizes do not add up";
      return false;
    }
    const bool compiled = e.status == "compiled";
    if (!(compiled || e.status == "failed") || compiled != (executable_bytes > 0)) {
      problem = "inconsistent status";
      return false;
    }
    e.log = std::string(payload.substr(0, log_bytes));
    e.executable = std::string(payload.substr(log_bytes));
    entry = std::move(e);
    return true;
  } catch (const nlohmann::json::exception& ex) {
    problem = std::string("bad header: ") + ex.what();
    return false;
  }
}

// ---- CompileCache -----------------------------------------------------------

struct CompileCache::Counters {
  uint64_t hits = 0, misses = 0, stores = 0, evictions = 0, corrupt = 0;
  uint64_t entries = 0, size = 0;
  RemoteCounts remote;
};

namespace {

RemoteCounts remote_counts_of(const nlohmann::json& j) {
  RemoteCounts r;
  const nlohmann::json remote = j.value("remote", nlohmann::json::object());
  r.hits = remote.value("hits", uint64_t{0});
  r.misses = remote.value("misses", uint64_t{0});
  r.errors = remote.value("errors", uint64_t{0});
  r.corrupt = remote.value("corrupt", uint64_t{0});
  r.uploads = remote.value("uploads", uint64_t{0});
  return r;
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

template <typename Update>
void CompileCache::update_counters(Update update) {
  try {
    make_directories(m_dir);
    FileLock lock(m_dir + "/lock");
    if (!lock.held()) return;
    Counters c;
    std::string text;
    bool known = false;
    if (try_read_file(m_dir + "/stats.json", text)) {
      try {
        const nlohmann::json j = nlohmann::json::parse(text);
        c.hits = j.at("hits").get<uint64_t>();
        c.misses = j.at("misses").get<uint64_t>();
        c.stores = j.at("stores").get<uint64_t>();
        c.evictions = j.at("evictions").get<uint64_t>();
        c.corrupt = j.at("corrupt").get<uint64_t>();
        c.entries = j.at("entries").get<uint64_t>();
        c.size = j.at("size").get<uint64_t>();
        c.remote = remote_counts_of(j);
        known = true;
      } catch (const nlohmann::json::exception&) {
        c = Counters{};
      }
    }
    if (!known) {
      // No (readable) account: a new cache, or one restored without it. Count what is there.
      for (const FoundEntry& e : list_entries(m_dir + "/entries")) {
        if (e.key.empty()) continue;
        ++c.entries;
        c.size += e.size;
      }
    }
    update(c);
    const nlohmann::json j = {{"hits", c.hits},
                              {"misses", c.misses},
                              {"stores", c.stores},
                              {"evictions", c.evictions},
                              {"corrupt", c.corrupt},
                              {"entries", c.entries},
                              {"size", c.size},
                              {"remote",
                               {{"hits", c.remote.hits},
                                {"misses", c.remote.misses},
                                {"errors", c.remote.errors},
                                {"corrupt", c.remote.corrupt},
                                {"uploads", c.remote.uploads}}}};
    write_file_atomic(m_dir + "/stats.json", j.dump() + "\n");
  } catch (const std::exception&) {
    // Counters are an account, not a function: a cache directory we cannot
    // write (read-only, full) still serves hits.
  }
}

bool CompileCache::lookup(const std::string& key, CacheEntry& entry) {
  if (!is_key(key)) return false;
  const std::string path = entry_path(key);
  bool hit = false, damaged = false;
  uint64_t damaged_size = 0;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    struct stat opened;
    std::string bytes;
    bool read_ok = ::fstat(fd, &opened) == 0;
    char buffer[65536];
    while (read_ok) {
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        read_ok = n == 0;
        break;
      }
      bytes.append(buffer, static_cast<size_t>(n));
    }
    ::close(fd);
    std::string problem;
    if (read_ok && decode_cache_entry(key, bytes, entry, problem)) {
      hit = true;
      // Least recently used means least recently *used*: a hit renews the entry.
      ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0);
    } else if (read_ok) {
      damaged = true;
      damaged_size = bytes.size();
      // Remove the damaged file, unless a writer has meanwhile renamed a new one into place.
      struct stat now;
      if (::stat(path.c_str(), &now) == 0 && now.st_ino == opened.st_ino &&
          now.st_dev == opened.st_dev)
        ::unlink(path.c_str());
    }
  }
  update_counters([&](Counters& c) {
    ++(hit ? c.hits : c.misses);
    if (damaged) {
      ++c.corrupt;
      c.entries = saturating_sub(c.entries, 1);
      c.size = saturating_sub(c.size, damaged_size);
    }
  });
  return hit;
}

bool CompileCache::store(const std::string& key, const CacheEntry& entry, std::string& problem) {
  if (!is_key(key)) {
    problem = "malformed key '" + key + "'";
    return false;
  }
  try {
    const std::string bytes = encode_cache_entry(key, entry);
    const std::string path = entry_path(key);
    make_directories(parent_path(path));
    struct stat old;
    const bool replaced = ::stat(path.c_str(), &old) == 0;
    write_file_atomic(path, bytes);
    const uint64_t bound = max_size();
    update_counters([&](Counters& c) {
      ++c.stores;
      if (replaced) {
        c.size = saturating_sub(c.size, static_cast<uint64_t>(old.st_size));
      } else {
        ++c.entries;
      }
      c.size += bytes.size();
      if (c.size > bound) evict_locked(c, key);
    });
    return true;
  } catch (const std::exception& e) {
    problem = e.what();
    return false;
  }
}

void CompileCache::evict_locked(Counters& c, const std::string& keep_key) {
  const uint64_t target = static_cast<uint64_t>(static_cast<double>(max_size()) * kEvictTo);
  std::vector<FoundEntry> found = list_entries(m_dir + "/entries");
  const time_t stale = std::time(nullptr) - kStaleTempSeconds;
  std::vector<FoundEntry> entries;
  uint64_t total = 0;
  for (FoundEntry& e : found) {
    if (e.key.empty()) {
      if (e.mtime.tv_sec < stale) ::unlink(e.path.c_str());
      continue;
    }
    total += e.size;
    entries.push_back(std::move(e));
  }
  std::sort(entries.begin(), entries.end(),
            [](const FoundEntry& a, const FoundEntry& b) { return older(a.mtime, b.mtime); });
  uint64_t count = entries.size();
  for (const FoundEntry& e : entries) {
    if (total <= target) break;
    if (e.key == keep_key) continue;
    if (::unlink(e.path.c_str()) != 0) continue;
    total = saturating_sub(total, e.size);
    --count;
    ++c.evictions;
  }
  // The scan is the truth: it also repairs any drift of the tracked size.
  c.size = total;
  c.entries = count;
}

CacheStats CompileCache::stats() const {
  CacheStats s;
  std::string text;
  if (try_read_file(m_dir + "/stats.json", text)) {
    try {
      const nlohmann::json j = nlohmann::json::parse(text);
      s.hits = j.value("hits", uint64_t{0});
      s.misses = j.value("misses", uint64_t{0});
      s.stores = j.value("stores", uint64_t{0});
      s.evictions = j.value("evictions", uint64_t{0});
      s.corrupt = j.value("corrupt", uint64_t{0});
      s.remote = remote_counts_of(j);
    } catch (const nlohmann::json::exception&) {
      // An unreadable account shows as zeros.
    }
  }
  for (const FoundEntry& e : list_entries(m_dir + "/entries")) {
    if (e.key.empty()) continue;
    ++s.entries;
    s.size_bytes += e.size;
  }
  s.max_size_bytes = max_size();
  return s;
}

void CompileCache::clear() {
  update_counters([&](Counters& c) {
    remove_tree(m_dir + "/entries");
    c.entries = 0;
    c.size = 0;
  });
}

void CompileCache::zero_stats() {
  update_counters([](Counters& c) {
    c.hits = c.misses = c.stores = c.evictions = c.corrupt = 0;
    c.remote = RemoteCounts{};
  });
}

void CompileCache::count_remote(const RemoteCounts& delta) {
  update_counters([&](Counters& c) {
    c.remote.hits += delta.hits;
    c.remote.misses += delta.misses;
    c.remote.errors += delta.errors;
    c.remote.corrupt += delta.corrupt;
    c.remote.uploads += delta.uploads;
  });
}

uint64_t CompileCache::max_size() const {
  uint64_t bytes = 0;
  const char* env = std::getenv("WYN_COMPILE_CACHE_MAX_SIZE");
  if (env && *env && parse_size(env, bytes)) return bytes;
  std::string text;
  if (try_read_file(m_dir + "/config.json", text)) {
    try {
      return nlohmann::json::parse(text).at("max_size").get<uint64_t>();
    } catch (const nlohmann::json::exception&) {
      // A damaged configuration falls back to the default.
    }
  }
  return kDefaultMaxSize;
}

void CompileCache::set_max_size(uint64_t bytes) {
  make_directories(m_dir);
  write_file_atomic(m_dir + "/config.json", nlohmann::json({{"max_size", bytes}}).dump() + "\n");
}

// ---- Sizes ------------------------------------------------------------------

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
