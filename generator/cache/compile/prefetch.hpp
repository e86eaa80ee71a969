#pragma once
// The remote tier in batches (docs/caching.md, "Remote cache"): the first
// compile step of a build that misses locally fetches the entries of every
// test of its suite at once, over a few reused connections, into the local
// cache; the steps after it then hit locally, in the static wyn-compile,
// without loading libcurl or asking the server again. What the batch found
// for each key is kept beside the suite so that a key the server does not
// have is not asked for twice.
//
//   SUITE_DIR/remote-prefetch.lock   held while a batch runs
//   SUITE_DIR/remote-prefetch.json   {"keys": {KEY: {"result": ..., "problem": ...}}}

#include <map>
#include <string>
#include <vector>

#include "cache/cache_stats.hpp"
#include "cache/cache_store.hpp"
#include "cache/remote_cache.hpp"

namespace wyn {

/// What the remote gave for one key: "hit" (verified and stored locally),
/// "miss", "corrupt" (failed verification: a miss), "error", or "local"
/// (the local cache had it; not asked).
struct RemoteAnswer {
  std::string result;
  std::string problem;
};

using PrefetchRecord = std::map<std::string, RemoteAnswer>;

/// A record older than this is not trusted: the server may have more by now.
constexpr double kPrefetchRecordSeconds = 600;
/// GETs in flight at once.
constexpr int kPrefetchParallel = 8;

std::string prefetch_lock_path(const std::string& suite_dir);
std::string prefetch_record_path(const std::string& suite_dir);

/// The record at `path` if it is younger than kPrefetchRecordSeconds and
/// readable; otherwise empty. Never throws.
PrefetchRecord read_prefetch_record(const std::string& path);
/// Writes the record atomically. Never throws.
void write_prefetch_record(const std::string& path, const PrefetchRecord& record);

/// Takes one GET's answer for `key`: a body that decodes and verifies
/// (size, SHA-256, key) is stored in `local` and, when `entry` is given,
/// decoded into it. Counts what it took in `counts`.
RemoteAnswer take_remote_answer(CompileCache& local, const std::string& key, RemoteFetch fetched,
                                const std::string& bytes, const std::string& problem,
                                RemoteCounts& counts, CacheEntry* entry = nullptr);

/// Fetches the entries of `keys` that `local` lacks, verifying and storing
/// each as it arrives. The first error (the remote is down, or answers
/// 5xx) stops the batch: the keys not fetched are left out of the record,
/// and the error is counted once and returned in `error`.
PrefetchRecord prefetch_entries(const std::vector<std::string>& keys, CompileCache& local,
                                RemoteCache& remote, RemoteCounts& counts, std::string& error);

}  // namespace wyn
