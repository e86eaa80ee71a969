#pragma once
// wyn-cc's counters, shown by `wyn-cache stats`. Thousands of wrapper
// processes update them, so there is no global lock: each process adds its
// counts to one of kCounterBuckets small files chosen by its pid, under a
// flock() of that file alone; readers add the buckets up (cache/counter_files.hpp).
// The compiles of the Wyn compiler's compile steps and those that script
// tests run are counted apart ("" and "scripts"), so that neither hides the other.
//
//   <toolchain dir>/counters/<n>           the compile steps'
//   <toolchain dir>/counters-<source>/<n>  another source's (kScriptCounters)
//       "memo_hits compiles compile_failures splits pass_throughs link_hits links"

#include <cstdint>
#include <string>

namespace wyn {

struct ToolchainCounters {
  uint64_t memo_hits = 0;         ///< objects taken from a build directory's memo
  uint64_t compiles = 0;          ///< objects compiled (through ccache when it is there)
  uint64_t compile_failures = 0;  ///< of those, compiles that failed
  uint64_t splits = 0;            ///< commands split into compiles and a link
  uint64_t pass_throughs = 0;     ///< commands run unchanged
  uint64_t link_hits = 0;         ///< links of split commands taken from the memo
  uint64_t links = 0;             ///< links of split commands run

  ToolchainCounters& operator+=(const ToolchainCounters& o);
};

/// The source of the compiles that script tests run.
constexpr const char* kScriptCounters = "scripts";

/// Adds `delta` to this process's bucket of `source` ("": the compile
/// steps') below `toolchain_dir`. Never throws: counters are an account, not
/// a function.
void add_toolchain_counters(const std::string& toolchain_dir, const ToolchainCounters& delta,
                            const std::string& source = "");

/// The sum of every bucket of `source`.
ToolchainCounters read_toolchain_counters(const std::string& toolchain_dir,
                                          const std::string& source = "");

/// Resets every bucket of `source`.
void zero_toolchain_counters(const std::string& toolchain_dir, const std::string& source = "");

}  // namespace wyn
