#include "toolchain/counters.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>

#include "core/fs.hpp"

namespace wyn {

namespace {

constexpr int kBuckets = 16;

ToolchainCounters parse(const char* text) {
  ToolchainCounters c;
  unsigned long long v[7] = {0, 0, 0, 0, 0, 0, 0};
  // Buckets written before links were memoised have the first five only.
  const int n = std::sscanf(text, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                            &v[4], &v[5], &v[6]);
  if (n == 5 || n == 7) {
    c.memo_hits = v[0];
    c.compiles = v[1];
    c.compile_failures = v[2];
    c.splits = v[3];
    c.pass_throughs = v[4];
    c.link_hits = v[5];
    c.links = v[6];
  }
  return c;
}

std::string format(const ToolchainCounters& c) {
  char buffer[160];
  std::snprintf(
      buffer, sizeof buffer, "%llu %llu %llu %llu %llu %llu %llu\n",
      static_cast<unsigned long long>(c.memo_hits), static_cast<unsigned long long>(c.compiles),
      static_cast<unsigned long long>(c.compile_failures),
      static_cast<unsigned long long>(c.splits), static_cast<unsigned long long>(c.pass_throughs),
      static_cast<unsigned long long>(c.link_hits), static_cast<unsigned long long>(c.links));
  return buffer;
}

/// Reads the bucket open at `fd` (locked by the caller).
ToolchainCounters read_locked(int fd) {
  char buffer[160] = {0};
  ssize_t n;
  while ((n = ::pread(fd, buffer, sizeof buffer - 1, 0)) < 0 && errno == EINTR) {
  }
  if (n <= 0) return {};
  buffer[n] = '\0';
  return parse(buffer);
}

template <typename Update>
void update_bucket(const std::string& path, Update update) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return;
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno != EINTR) {
      ::close(fd);
      return;
    }
  }
  ToolchainCounters c = read_locked(fd);
  update(c);
  const std::string text = format(c);
  if (::pwrite(fd, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()))
    (void)::ftruncate(fd, static_cast<off_t>(text.size()));
  ::close(fd);  // releases the lock
}

std::string bucket_path(const std::string& toolchain_dir, int n) {
  return toolchain_dir + "/counters/" + std::to_string(n);
}

}  // namespace

ToolchainCounters& ToolchainCounters::operator+=(const ToolchainCounters& o) {
  memo_hits += o.memo_hits;
  link_hits += o.link_hits;
  links += o.links;
  compiles += o.compiles;
  compile_failures += o.compile_failures;
  splits += o.splits;
  pass_throughs += o.pass_throughs;
  return *this;
}

void add_toolchain_counters(const std::string& toolchain_dir, const ToolchainCounters& delta) {
  try {
    make_directories(toolchain_dir + "/counters");
  } catch (const std::exception&) {
    return;
  }
  update_bucket(bucket_path(toolchain_dir, static_cast<int>(::getpid() % kBuckets)),
                [&](ToolchainCounters& c) { c += delta; });
}

ToolchainCounters read_toolchain_counters(const std::string& toolchain_dir) {
  ToolchainCounters total;
  for (int n = 0; n < kBuckets; ++n) {
    std::string text;
    if (try_read_file(bucket_path(toolchain_dir, n), text)) total += parse(text.c_str());
  }
  return total;
}

void zero_toolchain_counters(const std::string& toolchain_dir) {
  for (int n = 0; n < kBuckets; ++n) {
    if (!path_exists(bucket_path(toolchain_dir, n))) continue;
    update_bucket(bucket_path(toolchain_dir, n), [](ToolchainCounters& c) { c = {}; });
  }
}

}  // namespace wyn
