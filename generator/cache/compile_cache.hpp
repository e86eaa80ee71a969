#pragma once
// The compile cache (docs/caching.md), one header for its users.
//
// Entries are shared by every build directory and clone that names the same
// cache directory (or remote): keys name the checkout, the build directory
// and the home directory by placeholders. Between machines they match only
// where everything else in the key agrees, and that includes absolute paths
// outside those trees (PATH entries, -I/opt/... in CFLAGS, a compiler
// outside the trees enters by content only). The key sees the C toolchain
// only through such environment values, never its binaries, headers or
// libraries: machines that share a cache must have the same C toolchain.
//
//   cache_key.hpp     CacheKey (named parts -> SHA-256), FileHashMemo
//   cache_entry.hpp   the entry format, the same locally and on a remote
//   cache_store.hpp   CompileCache: entries on disk, lookup, store, LRU eviction
//   cache_stats.hpp   the account: per-process counter buckets
//   byte_size.hpp     "5G" and "1.2 MiB"
//
// compile_key.hpp, what a compile's key is made of, builds on cache_key.hpp.

#include "cache/cache_entry.hpp"
#include "cache/cache_key.hpp"
#include "cache/cache_stats.hpp"
#include "cache/cache_store.hpp"
#include "util/byte_size.hpp"
