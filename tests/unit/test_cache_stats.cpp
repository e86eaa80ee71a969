// The compile cache's account and its lookup path: counters in per-process
// buckets, no lock shared by lookups, and sums that stay right when several
// processes and threads look up and store at once.

#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cache/cache_stats.hpp"
#include "cache/cache_store.hpp"
#include "cache/counter_files.hpp"
#include "temp_dir.hpp"
#include "util/file_lock.hpp"
#include "util/fs.hpp"
#include "util/sha256.hpp"

namespace wyn {
namespace {

CacheEntry failure_for(const std::string& name) {
  CacheEntry e;
  e.status = "failed";
  e.exit_code = 1;
  e.log = name + ":1: error: no\n";
  return e;
}

std::vector<std::string> files_in(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* handle = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(handle))
      if (e->d_name[0] != '.') names.push_back(e->d_name);
    ::closedir(handle);
  }
  return names;
}

int wait_for(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(CacheCounters, EachProcessAddsToItsOwnBucketAndReadersAddThemUp) {
  TempDir dir;
  std::set<std::string> expected_buckets;
  std::vector<pid_t> children;
  for (int i = 0; i < 8; ++i) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      CacheCounters delta;
      delta.hits = 1;
      delta.misses = 2;
      delta.remote.uploads = 3;
      for (int n = 0; n < 25; ++n) add_cache_counters(dir.path(), delta);
      ::_exit(0);
    }
    children.push_back(pid);
    expected_buckets.insert(std::to_string(pid % kCounterBuckets));
  }
  for (pid_t pid : children) ASSERT_EQ(wait_for(pid), 0);
  const CacheCounters sum = read_cache_counters(dir.path());
  EXPECT_EQ(sum.hits, 8u * 25);
  EXPECT_EQ(sum.misses, 8u * 50);
  EXPECT_EQ(sum.remote.uploads, 8u * 75);
  EXPECT_EQ(sum.stores + sum.evictions + sum.corrupt + sum.remote.hits, 0u);
  const std::vector<std::string> buckets = files_in(dir.path() + "/counters");
  EXPECT_EQ(std::set<std::string>(buckets.begin(), buckets.end()), expected_buckets)
      << "a process writes the bucket its pid picks, and no other";
  EXPECT_FALSE(path_exists(dir.path() + "/stats.json"));
}

TEST(CacheCounters, AnOldStatsJsonIsAddedInAndZeroRemovesIt) {
  TempDir dir;
  write_file_atomic(dir.path() + "/stats.json",
                    R"({"hits": 5, "misses": 7, "stores": 4, "evictions": 1, "corrupt": 2,
                        "entries": 3, "size": 999, "remote": {"hits": 1, "uploads": 6}})");
  CacheCounters delta;
  delta.hits = 1;
  add_cache_counters(dir.path(), delta);
  CacheCounters sum = read_cache_counters(dir.path());
  EXPECT_EQ(sum.hits, 6u);
  EXPECT_EQ(sum.misses, 7u);
  EXPECT_EQ(sum.stores, 4u);
  EXPECT_EQ(sum.evictions, 1u);
  EXPECT_EQ(sum.corrupt, 2u);
  EXPECT_EQ(sum.remote.hits, 1u);
  EXPECT_EQ(sum.remote.uploads, 6u);

  zero_cache_counters(dir.path());
  sum = read_cache_counters(dir.path());
  EXPECT_EQ(sum.hits + sum.misses + sum.stores + sum.remote.uploads, 0u);
  EXPECT_FALSE(path_exists(dir.path() + "/stats.json"));

  // Damage of either kind reads as zeros, and the next update starts afresh.
  write_file_atomic(dir.path() + "/stats.json", "{ not json");
  write_file_atomic(counter_bucket_path(dir.path() + "/counters", ::getpid()), "12 x\n");
  EXPECT_EQ(read_cache_counters(dir.path()).hits, 0u);
  add_cache_counters(dir.path(), delta);
  EXPECT_EQ(read_cache_counters(dir.path()).hits, 1u);
}

TEST(CounterFiles, ZeroKeepsTheFilesAndMissingNumbersReadAsDamage) {
  TempDir dir;
  add_to_counter_bucket(dir.path(), {4, 5});
  EXPECT_EQ(sum_counter_buckets(dir.path(), 2), (Counts{4, 5}));
  zero_counter_buckets(dir.path(), 2);
  EXPECT_EQ(sum_counter_buckets(dir.path(), 2), (Counts{0, 0}));
  EXPECT_EQ(files_in(dir.path()).size(), 1u);
  Counts counts;
  write_file_atomic(dir.path() + "/short", "1\n");
  EXPECT_FALSE(read_counter_file(dir.path() + "/short", 2, counts));
  EXPECT_EQ(counts, (Counts{0, 0}));
  EXPECT_FALSE(read_counter_file(dir.path() + "/missing", 2, counts));
}

// A lookup must not wait for any lock other processes share: with the
// stores' lock, the old global lock and every other process's bucket held
// elsewhere, a hit still completes (and is counted in its own bucket).
TEST(CompileCacheLookup, TakesNoLockOtherProcessesShare) {
  TempDir dir;
  const std::string key = sha256_hex("a");
  {
    CompileCache cache(dir.path());
    std::string problem;
    ASSERT_TRUE(cache.store(key, failure_for("a"), problem)) << problem;
  }
  int go[2];
  ASSERT_EQ(::pipe(go), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(go[1]);
    char byte;
    if (::read(go[0], &byte, 1) != 1) ::_exit(3);
    ::alarm(20);  // a lookup that waits for a lock dies of SIGALRM
    CompileCache cache(dir.path());
    CacheEntry entry;
    ::_exit(cache.lookup(key, entry) && entry.log == failure_for("a").log ? 0 : 2);
  }
  ::close(go[0]);
  std::vector<std::unique_ptr<FileLock>> held;
  held.push_back(std::make_unique<FileLock>(dir.path() + "/size"));
  held.push_back(std::make_unique<FileLock>(dir.path() + "/lock"));
  const std::string own_bucket = counter_bucket_path(dir.path() + "/counters", child);
  for (int n = 0; n < kCounterBuckets; ++n) {
    const std::string bucket = counter_bucket_path(dir.path() + "/counters", n);
    if (bucket != own_bucket) held.push_back(std::make_unique<FileLock>(bucket));
  }
  for (const auto& lock : held) ASSERT_TRUE(lock->held());
  ASSERT_EQ(::write(go[1], "x", 1), 1);
  ::close(go[1]);
  EXPECT_EQ(wait_for(child), 0) << "2: no hit, 3: no start signal, 128+14: it waited for a lock";
  held.clear();
  EXPECT_EQ(CompileCache(dir.path()).stats().hits, 1u);
  EXPECT_FALSE(path_exists(dir.path() + "/stats.json")) << "lookups rewrite no shared file";
}

// Threads of one process share a bucket (and so its lock); processes have
// their own. Either way every lookup and store is counted exactly once, and
// a hit is always the right entry.
TEST(CompileCacheLookup, ConcurrentThreadsAndProcessesKeepTheAccountExact) {
  TempDir dir;
  constexpr int kKeys = 10, kThreads = 4, kProcesses = 3, kRounds = 150;
  const auto work = [&](unsigned seed, std::atomic<int>& lookups, std::atomic<int>& stores,
                        std::atomic<int>& wrong) {
    CompileCache cache(dir.path());
    unsigned state = seed;
    for (int round = 0; round < kRounds; ++round) {
      state = state * 1103515245u + 12345u;
      const std::string name = "k" + std::to_string((state >> 16) % kKeys);
      CacheEntry entry;
      ++lookups;
      if (cache.lookup(sha256_hex(name), entry)) {
        if (entry.log != failure_for(name).log) ++wrong;
      } else {
        std::string problem;
        if (cache.store(sha256_hex(name), failure_for(name), problem)) ++stores;
      }
    }
  };
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      std::atomic<int> lookups{0}, stores{0}, wrong{0};
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t)
        threads.emplace_back(work, static_cast<unsigned>(p * 100 + t), std::ref(lookups),
                             std::ref(stores), std::ref(wrong));
      for (std::thread& t : threads) t.join();
      if (wrong != 0) ::_exit(2);
      // Tell the parent how many stores succeeded: the exit code is too small.
      write_file_atomic(dir.path() + "/stores." + std::to_string(p), std::to_string(stores.load()));
      ::_exit(lookups == kThreads * kRounds ? 0 : 3);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) ASSERT_EQ(wait_for(pid), 0) << "2: a wrong entry, 3: lost lookups";
  uint64_t stores = 0;
  for (int p = 0; p < kProcesses; ++p)
    stores += std::stoull(read_file(dir.path() + "/stores." + std::to_string(p)));
  const CacheStats s = CompileCache(dir.path()).stats();
  EXPECT_EQ(s.hits + s.misses, static_cast<uint64_t>(kProcesses * kThreads * kRounds));
  EXPECT_EQ(s.stores, stores);
  EXPECT_GE(s.misses, s.stores) << "every store followed a miss";
  EXPECT_EQ(s.entries, static_cast<uint64_t>(kKeys));
  EXPECT_EQ(s.corrupt, 0u);
  Counts size;
  ASSERT_TRUE(read_counter_file(dir.path() + "/size", 2, size));
  EXPECT_EQ(size[0], s.entries) << "the tracked size agrees with the disk";
  EXPECT_EQ(size[1], s.size_bytes);
}

}  // namespace
}  // namespace wyn
