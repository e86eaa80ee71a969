#include "util/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

namespace wyn {

namespace fs = std::filesystem;

std::string executable_path() {
  char path[PATH_MAX];
#if defined(__linux__)
  const ssize_t n = ::readlink("/proc/self/exe", path, sizeof path - 1);
  if (n <= 0) return "";
  path[n] = '\0';
#elif defined(__APPLE__)
  // No /proc on macOS: the loader knows the path.
  uint32_t size = sizeof path;
  if (::_NSGetExecutablePath(path, &size) != 0) return "";
#else
  return "";
#endif
  char resolved[PATH_MAX];
  return ::realpath(path, resolved) ? std::string(resolved) : std::string(path);
}

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
  throw Error(what + " '" + path + "': " + std::strerror(err));
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

bool try_read_file(const std::string& path, std::string& content) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  content.clear();
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      errno = err;
      return false;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return true;
}

std::string read_file(const std::string& path) {
  std::string content;
  if (!try_read_file(path, content)) fail("cannot read", path, errno);
  return content;
}

void write_file_atomic(const std::string& path, std::string_view content) {
  // The temporary name is unique per process and call, so concurrent writers
  // of one path never share a temporary file; the last rename wins whole.
  static std::atomic<unsigned> counter{0};
  const std::string temp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter.fetch_add(1));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail("cannot create", temp, errno);
  if (!write_all(fd, content)) {
    const int err = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    fail("cannot write", temp, err);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    fail("cannot write", temp, err);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    fail("cannot rename onto", path, err);
  }
}

bool write_file_if_changed(const std::string& path, std::string_view content) {
  std::string old;
  if (try_read_file(path, old) && old == content) return false;
  write_file_atomic(path, content);
  return true;
}

void make_directories(const std::string& path) {
  std::error_code ec;
  fs::create_directories(path, ec);
  if (ec) fail("cannot create directory", path, ec.value());
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);  // does not follow symbolic links
  if (ec) fail("cannot remove", path, ec.value());
}

void replace_symlink(const std::string& target, const std::string& link) {
  struct stat st;
  if (::lstat(link.c_str(), &st) == 0) {
    char buffer[4096];
    const ssize_t n = ::readlink(link.c_str(), buffer, sizeof buffer);
    // An unchanged link is left alone: relinking would be harmless, but quiet is cheaper.
    if (n >= 0 && std::string(buffer, static_cast<size_t>(n)) == target) return;
    if (S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode)) {
      remove_tree(link);
    } else if (::unlink(link.c_str()) != 0) {
      fail("cannot replace", link, errno);
    }
  }
  if (::symlink(target.c_str(), link.c_str()) != 0)
    fail("cannot create symbolic link", link, errno);
}

void copy_file_atomic(const std::string& from, const std::string& to) {
  write_file_atomic(to, read_file(from));
}

bool path_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

double mtime_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
}

std::string absolute_path(const std::string& path) {
  return fs::absolute(fs::path(path)).lexically_normal().string();
}

std::string parent_path(const std::string& path) {
  const std::string parent = fs::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

std::string base_name(const std::string& path) { return fs::path(path).filename().string(); }

bool is_within(const std::string& path, const std::string& root) {
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(path, ec);
  if (ec) return false;
  const fs::path r = fs::weakly_canonical(root, ec);
  if (ec) return false;
  auto pi = p.begin();
  for (auto ri = r.begin(); ri != r.end(); ++ri, ++pi) {
    if (ri->empty()) continue;  // trailing separator
    if (pi == p.end() || *pi != *ri) return false;
  }
  return true;
}

}  // namespace wyn
