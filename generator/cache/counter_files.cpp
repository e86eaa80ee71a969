#include "cache/counter_files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "util/file_lock.hpp"
#include "util/fs.hpp"

namespace wyn {

namespace {

/// The whole (small) file open at `fd`.
std::string read_all_at(int fd) {
  std::string text;
  char buffer[512];
  // lseek + read rather than pread (which Windows lacks): the lock keeps
  // everyone else off the file.
  if (::lseek(fd, 0, SEEK_SET) != 0) return text;
  for (;;) {
    const auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return text;
    text.append(buffer, static_cast<size_t>(n));
  }
}

/// False unless `text` starts with `count` numbers.
bool parse_counts(const std::string& text, size_t count, Counts& counts) {
  counts.assign(count, 0);
  const char* p = text.c_str();
  for (size_t i = 0; i < count; ++i) {
    while (*p == ' ') ++p;
    if (*p < '0' || *p > '9') {
      counts.assign(count, 0);
      return false;
    }
    char* end = nullptr;
    errno = 0;
    const unsigned long long value = std::strtoull(p, &end, 10);
    if (errno != 0) {
      counts.assign(count, 0);
      return false;
    }
    counts[i] = value;
    p = end;
  }
  return true;
}

std::string format_counts(const Counts& counts) {
  std::string text;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i) text += ' ';
    text += std::to_string(counts[i]);
  }
  return text + "\n";
}

}  // namespace

bool update_counter_file(const std::string& path, size_t count,
                         const std::function<void(Counts& counts, bool known)>& update) {
  const FileLock lock(path);
  if (!lock.held()) return false;
  Counts counts;
  const bool known = parse_counts(read_all_at(lock.fd()), count, counts);
  update(counts, known);
  const std::string text = format_counts(counts);
  // In place, under the lock: no temporary file per update. Readers lock too.
  if (::lseek(lock.fd(), 0, SEEK_SET) != 0 ||
      ::write(lock.fd(), text.data(), static_cast<unsigned>(text.size())) !=
          static_cast<int>(text.size()))
    return false;
  return resize_file(lock.fd(), text.size());
}

bool read_counter_file(const std::string& path, size_t count, Counts& counts) {
  const FileLock lock(path, FileLock::Mode::shared);
  if (!lock.held()) {
    counts.assign(count, 0);
    return false;
  }
  return parse_counts(read_all_at(lock.fd()), count, counts);
}

std::string counter_bucket_path(const std::string& dir, long pid) {
  return dir + "/" + std::to_string(pid % kCounterBuckets);
}

void add_to_counter_bucket(const std::string& dir, const Counts& delta) {
  try {
    make_directories(dir);
  } catch (const Error&) {
    return;
  }
  update_counter_file(counter_bucket_path(dir, static_cast<long>(::getpid())), delta.size(),
                      [&](Counts& counts, bool) {
                        for (size_t i = 0; i < delta.size(); ++i) counts[i] += delta[i];
                      });
}

Counts sum_counter_buckets(const std::string& dir, size_t count) {
  Counts total(count, 0);
  for (int n = 0; n < kCounterBuckets; ++n) {
    Counts counts;
    if (!read_counter_file(counter_bucket_path(dir, n), count, counts)) continue;
    for (size_t i = 0; i < count; ++i) total[i] += counts[i];
  }
  return total;
}

void zero_counter_buckets(const std::string& dir, size_t count) {
  for (int n = 0; n < kCounterBuckets; ++n) {
    const std::string path = counter_bucket_path(dir, n);
    if (!path_exists(path)) continue;
    update_counter_file(path, count, [](Counts& counts, bool) { counts.assign(counts.size(), 0); });
  }
}

}  // namespace wyn
