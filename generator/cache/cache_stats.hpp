#pragma once
// The compile cache's account, shown by `wyn-cache stats` (docs/caching.md).
// Every compile step counts its lookup, so the counters must not make
// parallel steps wait for one another: they are kept in kCounterBuckets
// small files, each process adding to the one its pid picks under a lock of
// that file alone (cache/counter_files.hpp); a reader adds them up.
//
//   <dir>/counters/<n>   "hits misses stores evictions corrupt
//                         remote_hits remote_misses remote_errors remote_corrupt remote_uploads"
//   <dir>/stats.json     the single account earlier versions wrote: still
//                        read and added in, never written; `zero` removes it

#include <cstdint>
#include <string>

namespace wyn {

/// What the remote tier behind the cache did (docs/caching.md).
struct RemoteCounts {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t errors = 0;   ///< unreachable, timed out, or an HTTP error
  uint64_t corrupt = 0;  ///< downloaded entries that failed verification (then a miss)
  uint64_t uploads = 0;
};

/// The counters: a delta to add, or the sum of every bucket.
struct CacheCounters {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t stores = 0;
  uint64_t evictions = 0;
  uint64_t corrupt = 0;  ///< damaged entries found (and removed) by lookups
  RemoteCounts remote;   ///< the remote tier's account
};

/// The counters, plus what is on disk.
struct CacheStats : CacheCounters {
  uint64_t entries = 0;
  uint64_t size_bytes = 0;
  uint64_t max_size_bytes = 0;
};

/// Adds `delta` to this process's bucket of the cache in `cache_dir`. Never
/// throws: a cache directory that cannot be written still serves hits.
void add_cache_counters(const std::string& cache_dir, const CacheCounters& delta);

/// The sum of every bucket and of an old stats.json.
CacheCounters read_cache_counters(const std::string& cache_dir);

/// Resets every bucket and removes an old stats.json.
void zero_cache_counters(const std::string& cache_dir);

}  // namespace wyn
