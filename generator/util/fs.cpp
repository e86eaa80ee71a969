#include "util/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif
#ifdef _WIN32
#include <windows.h>
// After windows.h.
#include <io.h>
#else
#include <dirent.h>
#endif

#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace wyn {

namespace fs = std::filesystem;

#ifdef _WIN32
// Paths are UTF-8 throughout; Windows takes them as UTF-16 (the narrow
// calls would read them in the ANSI code page). Files are opened in binary
// mode, handles not inherited: what O_CLOEXEC is elsewhere.
namespace {

std::wstring wide(const std::string& text) { return fs::u8path(text).wstring(); }

}  // namespace

int open_file(const std::string& path, int flags, int mode) {
  return ::_wopen(wide(path).c_str(), flags | O_BINARY | O_NOINHERIT, mode);
}

std::string executable_path() {
  wchar_t path[32768];
  const DWORD n = ::GetModuleFileNameW(nullptr, path, sizeof path / sizeof path[0]);
  if (n == 0 || n >= sizeof path / sizeof path[0]) return "";
  return fs::path(std::wstring(path, n)).u8string();
}
#else
int open_file(const std::string& path, int flags, int mode) {
  return ::open(path.c_str(), flags | O_CLOEXEC, mode);
}

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
#endif

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
  const int fd = open_file(path, O_RDONLY);
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
  const int fd = open_file(temp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
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
#ifdef _WIN32
  // rename() refuses to replace an existing file there.
  if (!::MoveFileExW(wide(temp).c_str(), wide(path).c_str(), MOVEFILE_REPLACE_EXISTING)) {
    const int err = EACCES;
#else
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
#endif
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

#ifdef _WIN32
void replace_symlink(const std::string& target, const std::string& link) {
  // Creating a symbolic link may need a privilege (or developer mode).
  std::error_code ec;
  const fs::path l = fs::u8path(link);
  if (fs::is_symlink(l, ec) && fs::read_symlink(l, ec).u8string() == target) return;
  if (fs::is_directory(fs::symlink_status(l, ec))) {
    remove_tree(link);
  } else if (fs::exists(fs::symlink_status(l, ec))) {
    fs::remove(l, ec);
    if (ec) fail("cannot replace", link, ec.value());
  }
  const fs::path t = fs::u8path(target);
  const bool to_dir = fs::is_directory(t.is_absolute() ? t : l.parent_path() / t, ec);
  ec.clear();
  if (to_dir)
    fs::create_directory_symlink(t, l, ec);
  else
    fs::create_symlink(t, l, ec);
  if (ec) fail("cannot create symbolic link", link, ec.value());
}
#else
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
#endif

void copy_file_atomic(const std::string& from, const std::string& to) {
  write_file_atomic(to, read_file(from));
}

#ifdef _WIN32
bool path_exists(const std::string& path) {
  return ::GetFileAttributesW(wide(path).c_str()) != INVALID_FILE_ATTRIBUTES;
}

double mtime_of(const std::string& path) {
  WIN32_FILE_ATTRIBUTE_DATA data;
  if (!::GetFileAttributesExW(wide(path).c_str(), GetFileExInfoStandard, &data)) return -1;
  ULARGE_INTEGER t;
  t.LowPart = data.ftLastWriteTime.dwLowDateTime;
  t.HighPart = data.ftLastWriteTime.dwHighDateTime;
  // 100 ns units since 1601; the Unix epoch is 11644473600 s later.
  return static_cast<double>(t.QuadPart) / 1e7 - 11644473600.0;
}
#else
bool path_exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

double mtime_of(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<double>(st.st_mtim.tv_sec) + static_cast<double>(st.st_mtim.tv_nsec) / 1e9;
}
#endif

#ifdef _WIN32
std::string absolute_path(const std::string& path) {
  // Names separated by '/', as CMake writes them on Windows too. A path
  // rooted on the current drive ("/dir") stays so rather than gaining the
  // drive's letter: under Wine, CMake and Ninja are Linux programs, and
  // "/dir" is the one form of the path both they and Windows understand.
  const fs::path p = fs::u8path(path);
  if (p.has_root_directory() && !p.has_root_name()) return p.lexically_normal().generic_u8string();
  return fs::absolute(p).lexically_normal().generic_u8string();
}
#else
std::string absolute_path(const std::string& path) {
  return fs::absolute(fs::path(path)).lexically_normal().string();
}
#endif

std::string system_temp_directory() {
  const char* base = std::getenv("TMPDIR");
  if (base && *base) return base;
#ifdef _WIN32
  std::error_code ec;
  const fs::path temp = fs::temp_directory_path(ec);
  if (!ec) return temp.u8string();
#endif
  return "/tmp";
}

bool is_absolute_path(const std::string& path) {
  if (!path.empty() && path[0] == '/') return true;
#ifdef _WIN32
  // A path rooted on the current drive ("\dir") counts too, as "/dir" does.
  return (!path.empty() && path[0] == '\\') || fs::u8path(path).is_absolute();
#else
  return false;
#endif
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

#ifdef _WIN32
namespace {

int64_t unix_ns(LARGE_INTEGER t) {
  // 100 ns units since 1601; the Unix epoch is 11644473600 s later.
  return (t.QuadPart - 116444736000000000LL) * 100;
}

bool stat_handle(const std::string& path, FileStat& st, bool follow) {
  DWORD flags = FILE_FLAG_BACKUP_SEMANTICS;  // directories too
  if (!follow) flags |= FILE_FLAG_OPEN_REPARSE_POINT;
  HANDLE h = ::CreateFileW(wide(path).c_str(), FILE_READ_ATTRIBUTES,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                           OPEN_EXISTING, flags, nullptr);
  if (h == INVALID_HANDLE_VALUE) {
    errno = ENOENT;
    return false;
  }
  BY_HANDLE_FILE_INFORMATION info;
  FILE_BASIC_INFO basic;
  const bool ok = ::GetFileInformationByHandle(h, &info) &&
                  ::GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic);
  ::CloseHandle(h);
  if (!ok) {
    errno = EACCES;
    return false;
  }
  st = FileStat();
  st.symlink = !follow && (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT);
  st.directory = !st.symlink && (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY);
  st.regular = !st.symlink && !st.directory;
  st.device = info.dwVolumeSerialNumber;
  st.inode = (static_cast<uint64_t>(info.nFileIndexHigh) << 32) | info.nFileIndexLow;
  st.size = (static_cast<uint64_t>(info.nFileSizeHigh) << 32) | info.nFileSizeLow;
  st.mtime_ns = unix_ns(basic.LastWriteTime);
  st.ctime_ns = unix_ns(basic.ChangeTime);
  return true;
}

}  // namespace

bool stat_file(const std::string& path, FileStat& st) { return stat_handle(path, st, true); }
bool lstat_file(const std::string& path, FileStat& st) { return stat_handle(path, st, false); }

bool touch_file(const std::string& path) {
  HANDLE h = ::CreateFileW(wide(path).c_str(), FILE_WRITE_ATTRIBUTES,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                           OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  if (h == INVALID_HANDLE_VALUE) return false;
  FILETIME now;
  ::GetSystemTimeAsFileTime(&now);
  const bool ok = ::SetFileTime(h, nullptr, nullptr, &now);
  ::CloseHandle(h);
  return ok;
}

bool rename_file(const std::string& from, const std::string& to) {
  if (::MoveFileExW(wide(from).c_str(), wide(to).c_str(), MOVEFILE_REPLACE_EXISTING)) return true;
  errno = ::GetLastError() == ERROR_FILE_NOT_FOUND ? ENOENT : EACCES;
  return false;
}

namespace {

/// `prefix` and six random characters, tried with `create` until one is
/// new; "" when `create` fails for another reason than the name existing.
template <typename Create>
std::string create_unique(const std::string& prefix, Create create) {
  static const char k_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  LARGE_INTEGER seed;
  ::QueryPerformanceCounter(&seed);
  uint64_t state =
      static_cast<uint64_t>(seed.QuadPart) ^ (::GetCurrentProcessId() * 0x9E3779B97F4A7C15ull);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string path = prefix;
    for (int i = 0; i < 6; ++i) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      path += k_chars[(state >> 33) % 36];
    }
    if (create(wide(path))) return path;
    const DWORD error = ::GetLastError();
    if (error != ERROR_ALREADY_EXISTS && error != ERROR_FILE_EXISTS) return "";
  }
  return "";
}

}  // namespace

std::string make_temp_directory(const std::string& prefix) {
  return create_unique(prefix, [](const std::wstring& path) {
    return ::CreateDirectoryW(path.c_str(), nullptr) != 0;
  });
}

std::string make_temp_file(const std::string& prefix) {
  return create_unique(prefix, [](const std::wstring& path) {
    HANDLE h = ::CreateFileW(path.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                             FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) return false;
    ::CloseHandle(h);
    return true;
  });
}

bool list_directory(const std::string& dir, std::vector<std::string>& names) {
  names.clear();
  std::error_code ec;
  for (fs::directory_iterator it(fs::u8path(dir), ec), end; !ec && it != end; it.increment(ec)) {
    try {
      names.push_back(it->path().filename().u8string());
    } catch (const std::exception&) {
      // A name that is not valid UTF-16 (a lone surrogate) has no UTF-8 form.
      errno = EILSEQ;
      return false;
    }
  }
  if (!ec) return true;
  const std::error_condition condition = ec.default_error_condition();
  errno = condition.category() == std::generic_category() ? condition.value() : EIO;
  return false;
}

bool is_empty_directory(const std::string& dir) {
  FileStat st;
  if (!lstat_file(dir, st) || !st.directory) return false;
  std::error_code ec;
  const fs::directory_iterator it(fs::u8path(dir), ec);
  return !ec && it == fs::directory_iterator();
}

bool resize_file(int fd, uint64_t size) {
  const errno_t err = ::_chsize_s(fd, static_cast<__int64>(size));
  if (err == 0) return true;
  errno = err;
  return false;
}

std::string host_name() {
  // gethostname() needs Winsock started; the computer's name is the same thing.
  const char* name = std::getenv("COMPUTERNAME");
  return name ? name : "";
}

bool is_executable_file(const std::string& path) {
  FileStat st;
  return stat_file(path, st) && st.regular;
}

std::string resolved_path(const std::string& path) {
  HANDLE h = ::CreateFileW(wide(path).c_str(), FILE_READ_ATTRIBUTES,
                           FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                           OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr);
  if (h == INVALID_HANDLE_VALUE) return "";
  std::wstring name(MAX_PATH, L'\0');
  DWORD n = ::GetFinalPathNameByHandleW(h, name.data(), static_cast<DWORD>(name.size()), 0);
  if (n >= name.size()) {
    name.resize(n + 1);
    n = ::GetFinalPathNameByHandleW(h, name.data(), static_cast<DWORD>(name.size()), 0);
  }
  ::CloseHandle(h);
  if (n == 0 || n >= name.size()) return "";
  name.resize(n);
  // "\\?\C:\x" and "\\?\UNC\server\share": the prefixes say nothing the path does not.
  if (name.compare(0, 8, L"\\\\?\\UNC\\") == 0)
    name = L"\\\\" + name.substr(8);
  else if (name.compare(0, 4, L"\\\\?\\") == 0)
    name = name.substr(4);
  return fs::path(name).u8string();
}

std::string program_name(const std::string& argv0) {
  std::string name = base_name(argv0);
  if (name.size() > 4 && _stricmp(name.c_str() + name.size() - 4, ".exe") == 0)
    name.resize(name.size() - 4);
  return name;
}

void ensure_program_link(const std::string& target, const std::string& link) {
  FileStat t, l;
  if (!stat_file(target, t)) fail("cannot link to", target, errno);
  // The same file (a hard link), or a copy at least as new as the program.
  if (stat_file(link, l) && l.regular &&
      ((l.device == t.device && l.inode == t.inode) ||
       (l.size == t.size && l.mtime_ns >= t.mtime_ns)))
    return;
  const std::string temp = link + ".new." + std::to_string(::getpid());
  std::error_code ec;
  fs::remove(fs::u8path(temp), ec);
  ec.clear();
  fs::create_hard_link(fs::u8path(target), fs::u8path(temp), ec);
  if (ec) {
    // FAT and some network shares have no hard links.
    ec.clear();
    fs::copy_file(fs::u8path(target), fs::u8path(temp), fs::copy_options::overwrite_existing, ec);
  }
  if (ec) throw Error("cannot link '" + link + "' to '" + target + "': " + ec.message());
  if (rename_file(temp, link)) return;
  // A program that runs cannot be replaced, but it can be moved aside
  // (and removed once it no longer runs).
  const std::string old = link + ".old." + std::to_string(::getpid());
  if (rename_file(link, old) && rename_file(temp, link)) {
    ::_wunlink(wide(old).c_str());
    return;
  }
  const int err = errno;
  ::_wunlink(wide(temp).c_str());
  fail("cannot replace", link, err);
}
#else
namespace {

void fill(const struct stat& s, FileStat& st) {
  st = FileStat();
  st.regular = S_ISREG(s.st_mode);
  st.directory = S_ISDIR(s.st_mode);
  st.symlink = S_ISLNK(s.st_mode);
  st.device = static_cast<uint64_t>(s.st_dev);
  st.inode = static_cast<uint64_t>(s.st_ino);
  st.size = static_cast<uint64_t>(s.st_size);
  st.mtime_ns = static_cast<int64_t>(s.st_mtim.tv_sec) * 1'000'000'000 + s.st_mtim.tv_nsec;
  st.ctime_ns = static_cast<int64_t>(s.st_ctim.tv_sec) * 1'000'000'000 + s.st_ctim.tv_nsec;
}

/// "." or "..", which readdir(3) lists and no caller wants.
bool is_dot_entry(const char* name) {
  return name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

}  // namespace

bool stat_file(const std::string& path, FileStat& st) {
  struct stat s;
  if (::stat(path.c_str(), &s) != 0) return false;
  fill(s, st);
  return true;
}

bool lstat_file(const std::string& path, FileStat& st) {
  struct stat s;
  if (::lstat(path.c_str(), &s) != 0) return false;
  fill(s, st);
  return true;
}

bool touch_file(const std::string& path) {
  return ::utimensat(AT_FDCWD, path.c_str(), nullptr, 0) == 0;
}

bool rename_file(const std::string& from, const std::string& to) {
  return ::rename(from.c_str(), to.c_str()) == 0;
}

std::string make_temp_directory(const std::string& prefix) {
  std::string pattern = prefix + "XXXXXX";
  return ::mkdtemp(pattern.data()) ? pattern : "";
}

std::string make_temp_file(const std::string& prefix) {
  std::string pattern = prefix + "XXXXXX";
  const int fd = ::mkstemp(pattern.data());
  if (fd < 0) return "";
  ::close(fd);
  return pattern;
}

bool list_directory(const std::string& dir, std::vector<std::string>& names) {
  names.clear();
  DIR* handle = ::opendir(dir.c_str());
  if (!handle) return false;
  while (const dirent* entry = ::readdir(handle)) {
    if (is_dot_entry(entry->d_name)) continue;
    names.emplace_back(entry->d_name);
  }
  ::closedir(handle);
  return true;
}

bool is_empty_directory(const std::string& dir) {
  // Opened without following a link, so a link to an empty directory is not one.
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* handle = ::fdopendir(fd);
  if (!handle) {
    ::close(fd);
    return false;
  }
  bool empty = true;
  while (const dirent* entry = ::readdir(handle)) {
    if (is_dot_entry(entry->d_name)) continue;
    empty = false;
    break;
  }
  ::closedir(handle);
  return empty;
}

bool resize_file(int fd, uint64_t size) { return ::ftruncate(fd, static_cast<off_t>(size)) == 0; }

std::string host_name() {
  char buffer[256] = {0};
  if (::gethostname(buffer, sizeof buffer - 1) != 0) return "";
  return buffer;
}

bool is_executable_file(const std::string& path) {
  struct stat s;
  return ::stat(path.c_str(), &s) == 0 && S_ISREG(s.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string resolved_path(const std::string& path) {
  char buffer[PATH_MAX];
  return ::realpath(path.c_str(), buffer) ? std::string(buffer) : std::string();
}

std::string program_name(const std::string& argv0) { return base_name(argv0); }

void ensure_program_link(const std::string& target, const std::string& link) {
  char buffer[PATH_MAX];
  const ssize_t n = ::readlink(link.c_str(), buffer, sizeof buffer - 1);
  if (n > 0 && std::string(buffer, static_cast<size_t>(n)) == target) return;
  const std::string temp = link + ".new." + std::to_string(::getpid());
  ::unlink(temp.c_str());
  if (::symlink(target.c_str(), temp.c_str()) != 0 || ::rename(temp.c_str(), link.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw Error("cannot link '" + link + "' to '" + target + "': " + std::strerror(err));
  }
}
#endif

}  // namespace wyn
