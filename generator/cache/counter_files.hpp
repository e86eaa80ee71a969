#pragma once
// Counters that thousands of short processes update at once (compile steps,
// wyn-cc runs) without one lock they all wait for, as ccache keeps its
// statistics: each counter file is one line of blank-separated decimal
// numbers, updated in place under a flock() of that file alone. Bucketed
// counters spread the writers over kCounterBuckets files chosen by pid;
// readers add the buckets up.
//
//   <dir>/<n>   "12 3 0 7\n"   for n in 0 .. kCounterBuckets-1

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace wyn {

using Counts = std::vector<uint64_t>;

constexpr int kCounterBuckets = 16;

/// Locks the counter file `path` (created when missing), reads its first
/// `count` numbers, lets `update` change them and writes them back. `known`
/// tells `update` whether the file held `count` numbers (false: new or
/// damaged, and the numbers start at zero). False when the file cannot be
/// opened or locked; never throws.
bool update_counter_file(const std::string& path, size_t count,
                         const std::function<void(Counts& counts, bool known)>& update);

/// The first `count` numbers of the counter file `path`, read under a shared
/// lock; zeros (and false) when it is missing or damaged.
bool read_counter_file(const std::string& path, size_t count, Counts& counts);

/// Adds `delta` to this process's bucket in `dir` (created when missing).
/// Never throws: counters are an account, not a function.
void add_to_counter_bucket(const std::string& dir, const Counts& delta);

/// The sum of the first `count` numbers of every bucket in `dir`.
Counts sum_counter_buckets(const std::string& dir, size_t count);

/// Sets every existing bucket in `dir` to zero.
void zero_counter_buckets(const std::string& dir, size_t count);

/// The bucket of `dir` that process `pid` adds to.
std::string counter_bucket_path(const std::string& dir, long pid);

}  // namespace wyn
