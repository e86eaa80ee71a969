#pragma once
// File-system helpers. Faults throw wyn::Error with the path and the reason;
// the tools catch them at their edge and print "wyn-<tool>: error: ...".

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace wyn {

/// A harness fault (unreadable file, bad input), as opposed to a test outcome.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The whole file; throws Error when it cannot be read.
std::string read_file(const std::string& path);

/// Like read_file, but returns false instead of throwing when the file is missing or unreadable.
bool try_read_file(const std::string& path, std::string& content);

/// Writes `content` to a temporary file beside `path` and renames it over
/// `path`, so readers and concurrent writers see the old or the new content,
/// never a part, even when the writer is killed. It does not fsync(): after
/// a power loss the file may be empty or short. Thousands of records and
/// cache entries are written per build, and every reader of them copes with
/// a damaged file (a cache entry carries its own checksum; a record that
/// does not parse is reported, and the next build writes it again).
void write_file_atomic(const std::string& path, std::string_view content);

/// write_file_atomic unless `path` already holds exactly `content`, so the
/// file's mtime only moves when it changes (Ninja then rebuilds only what depends on a change).
/// Returns true when it wrote.
bool write_file_if_changed(const std::string& path, std::string_view content);

/// mkdir -p; throws Error on failure.
void make_directories(const std::string& path);

/// rm -rf that never follows symbolic links; throws Error on failure.
void remove_tree(const std::string& path);

/// Replaces whatever is at `link` with a symbolic link to `target`.
void replace_symlink(const std::string& target, const std::string& link);

/// Copies a regular file's bytes (not its metadata), atomically at the destination.
void copy_file_atomic(const std::string& from, const std::string& to);

bool path_exists(const std::string& path);

/// What tells a file changed without reading it: stat(2) on POSIX, the
/// file's index, volume and times on Windows (ctime: the change time).
struct FileStat {
  bool regular = false;
  bool directory = false;
  bool symlink = false;  ///< only from lstat_file
  uint64_t device = 0;
  uint64_t inode = 0;
  uint64_t size = 0;
  int64_t mtime_ns = 0;  ///< since the Unix epoch
  int64_t ctime_ns = 0;
  double mtime() const { return static_cast<double>(mtime_ns) / 1e9; }
  double ctime() const { return static_cast<double>(ctime_ns) / 1e9; }
};
/// stat(2): false with errno set when `path` cannot be examined.
bool stat_file(const std::string& path, FileStat& st);
/// lstat(2): a symbolic link is described, not followed.
bool lstat_file(const std::string& path, FileStat& st);
/// Sets the modification time of `path` to now; false if it cannot.
bool touch_file(const std::string& path);
/// rename(2), which replaces `to` atomically (on Windows too); false with errno.
bool rename_file(const std::string& from, const std::string& to);
/// A new directory named `prefix` and six random characters; "" if none could be made.
std::string make_temp_directory(const std::string& prefix);

/// A new empty file named `prefix` and six random characters; "" if none could be made.
std::string make_temp_file(const std::string& prefix);
/// TMPDIR when set; else the system's temporary directory (Windows:
/// GetTempPath), else /tmp.
std::string system_temp_directory();

/// The names in directory `dir`, "." and ".." left out, in the order the
/// system gives them; false with errno when it cannot be read. On Windows the
/// names are read as UTF-16 and given as UTF-8, as every path here is.
bool list_directory(const std::string& dir, std::vector<std::string>& names);
/// Whether `dir` is a directory (not a link to one) holding nothing.
bool is_empty_directory(const std::string& dir);

/// Cuts or extends the file open at `fd` to `size` bytes (ftruncate(2)); false with errno.
bool resize_file(int fd, uint64_t size);

/// This computer's name (gethostname(2); Windows: COMPUTERNAME); "" when unknown.
std::string host_name();

/// open(2) with O_CLOEXEC; on Windows the UTF-8 name as UTF-16, in binary
/// mode and not inherited. -1 with errno on failure.
int open_file(const std::string& path, int flags, int mode = 0);

/// Modification time of `path` (through links) in seconds since the epoch,
/// with its nanoseconds; -1 when it cannot be stat()ed.
double mtime_of(const std::string& path);

/// `path` made absolute and lexically normal, without resolving symbolic links.
std::string absolute_path(const std::string& path);

/// "/..." anywhere; on Windows also "C:\...", "C:/..." and "\\server\share".
bool is_absolute_path(const std::string& path);

/// The running program's own file, with links resolved; "" where the
/// platform cannot tell (the BSDs without /proc).
std::string executable_path();

#ifdef _WIN32
/// What separates the directories of PATH.
constexpr char kPathListSeparator = ';';
/// What a program's file name ends with.
constexpr const char* kExecutableSuffix = ".exe";
/// Where programs are searched without PATH: nowhere else on Windows.
constexpr const char* kDefaultSearchPath = "";
/// The characters that end a path's directory part.
constexpr const char* kDirectorySeparators = "/\\";
/// The variables naming the temporary directory a program uses: TMPDIR for
/// the POSIX-minded (the stand-in's runtime, Git for Windows' tools), TEMP
/// and TMP for GetTempPath().
constexpr const char* kTempDirectoryVariables[] = {"TMPDIR", "TEMP", "TMP"};
#else
constexpr char kPathListSeparator = ':';
constexpr const char* kExecutableSuffix = "";
/// execvp's and system()'s search without PATH.
constexpr const char* kDefaultSearchPath = "/bin:/usr/bin";
constexpr const char* kDirectorySeparators = "/";
constexpr const char* kTempDirectoryVariables[] = {"TMPDIR"};
#endif

/// A regular file this process may run: access(X_OK) on POSIX; on Windows
/// any regular file (whether its name ends in .exe is the caller's to say).
bool is_executable_file(const std::string& path);

/// `path` absolute, with every symbolic link resolved (realpath(3); Windows:
/// the final path of the opened file); "" when it does not exist.
std::string resolved_path(const std::string& path);

/// The name a program was run as: argv[0]'s last component, without the
/// executable suffix on Windows ("gcc" for "C:\bin\GCC.EXE" there).
std::string program_name(const std::string& argv0);

/// Makes `link` run the program `target`, unless it already does: a
/// symbolic link on POSIX; on Windows, where those need a privilege, a hard
/// link, or a copy where the volume has none (refreshed when `target` is
/// newer). Made aside and renamed into place, so that a concurrent caller
/// sees the old link or the new one, never none. Throws Error on failure.
void ensure_program_link(const std::string& target, const std::string& link);

/// Directory part of `path` ("." when there is none).
std::string parent_path(const std::string& path);

/// Last component of `path`.
std::string base_name(const std::string& path);

/// True when `path` (resolved through symbolic links) lies inside `root` (resolved too).
bool is_within(const std::string& path, const std::string& root);

}  // namespace wyn
