#include "cache/cache_stats.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cache/counter_files.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"

namespace wyn {

namespace {

constexpr size_t kFields = 10;

std::string counters_dir(const std::string& cache_dir) { return cache_dir + "/counters"; }
std::string legacy_stats_path(const std::string& cache_dir) { return cache_dir + "/stats.json"; }

Counts to_counts(const CacheCounters& c) {
  return {c.hits,        c.misses,        c.stores,        c.evictions,      c.corrupt,
          c.remote.hits, c.remote.misses, c.remote.errors, c.remote.corrupt, c.remote.uploads};
}

CacheCounters from_counts(const Counts& n) {
  return {n[0], n[1], n[2], n[3], n[4], {n[5], n[6], n[7], n[8], n[9]}};
}

/// The counters of an account written by an earlier version, or zeros.
Counts legacy_counts(const std::string& cache_dir) {
  std::string text;
  if (!try_read_file(legacy_stats_path(cache_dir), text)) return Counts(kFields, 0);
  try {
    const nlohmann::json j = parse_json(text);
    const nlohmann::json remote = j.value("remote", nlohmann::json::object());
    return {j.value("hits", uint64_t{0}),         j.value("misses", uint64_t{0}),
            j.value("stores", uint64_t{0}),       j.value("evictions", uint64_t{0}),
            j.value("corrupt", uint64_t{0}),      remote.value("hits", uint64_t{0}),
            remote.value("misses", uint64_t{0}),  remote.value("errors", uint64_t{0}),
            remote.value("corrupt", uint64_t{0}), remote.value("uploads", uint64_t{0})};
  } catch (const nlohmann::json::exception&) {
    return Counts(kFields, 0);  // an unreadable account shows as zeros
  }
}

}  // namespace

void add_cache_counters(const std::string& cache_dir, const CacheCounters& delta) {
  add_to_counter_bucket(counters_dir(cache_dir), to_counts(delta));
}

CacheCounters read_cache_counters(const std::string& cache_dir) {
  Counts total = sum_counter_buckets(counters_dir(cache_dir), kFields);
  const Counts legacy = legacy_counts(cache_dir);
  for (size_t i = 0; i < kFields; ++i) total[i] += legacy[i];
  return from_counts(total);
}

void zero_cache_counters(const std::string& cache_dir) {
  zero_counter_buckets(counters_dir(cache_dir), kFields);
  ::unlink(legacy_stats_path(cache_dir).c_str());
}

}  // namespace wyn
