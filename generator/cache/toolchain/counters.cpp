#include "cache/toolchain/counters.hpp"

#include "cache/counter_files.hpp"

namespace wyn {

namespace {

// Buckets written before links were memoised hold the first five only and
// read as new.
constexpr size_t kToolchainFields = 7;

Counts toolchain_counts(const ToolchainCounters& c) {
  return {c.memo_hits, c.compiles, c.compile_failures, c.splits, c.pass_throughs,
          c.link_hits, c.links};
}

std::string toolchain_counters_dir(const std::string& toolchain_dir, const std::string& source) {
  return toolchain_dir + (source.empty() ? "/counters" : "/counters-" + source);
}

}  // namespace

ToolchainCounters& ToolchainCounters::operator+=(const ToolchainCounters& o) {
  memo_hits += o.memo_hits;
  compiles += o.compiles;
  compile_failures += o.compile_failures;
  splits += o.splits;
  pass_throughs += o.pass_throughs;
  link_hits += o.link_hits;
  links += o.links;
  return *this;
}

void add_toolchain_counters(const std::string& toolchain_dir, const ToolchainCounters& delta,
                            const std::string& source) {
  add_to_counter_bucket(toolchain_counters_dir(toolchain_dir, source), toolchain_counts(delta));
}

ToolchainCounters read_toolchain_counters(const std::string& toolchain_dir,
                                          const std::string& source) {
  const Counts c =
      sum_counter_buckets(toolchain_counters_dir(toolchain_dir, source), kToolchainFields);
  return {c[0], c[1], c[2], c[3], c[4], c[5], c[6]};
}

void zero_toolchain_counters(const std::string& toolchain_dir, const std::string& source) {
  zero_counter_buckets(toolchain_counters_dir(toolchain_dir, source), kToolchainFields);
}

}  // namespace wyn
