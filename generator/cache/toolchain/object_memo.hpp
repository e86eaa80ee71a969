#pragma once
// The per-build-directory memo of compiled objects that wyn-cc keeps in front
// of ccache. A legacy Wyn compile links 28 runtime objects; asking ccache for
// each costs 5-10 ms, asking the memo a few stat() calls. ccache stays the
// shared, size-bounded store; the memo only remembers which object file in
// this build directory a compile already produced.
//
//   <dir>/<key>.o     the object
//   <dir>/<key>.memo  what it depends on (see encode_memo_entry)
//   <dir>/<key>.lock  flock()ed while the object is being compiled
//
// The key (computed by wyn-cc) covers the compiler by content, the flags, the
// source's path and content and the working directory where paths are
// relative. Headers cannot be known before compiling, so each entry lists the
// files the compile read (from its -MD depfile) with their identity (device,
// inode, size, mtime, ctime) and SHA-256: a hit needs every one unchanged by
// identity, or else by content.

#include <string>
#include <string_view>
#include <vector>

namespace wyn {

/// One file an object depends on.
struct MemoDependency {
  std::string path;      ///< absolute
  std::string identity;  ///< stat identity; empty when it was too new to trust
  std::string sha256;
};

/// What the memo keeps about one object.
struct MemoEntry {
  std::string object_identity;  ///< stat identity of <key>.o when stored
  std::string diagnostics;      ///< what the compile printed on stderr, replayed on a hit
  std::vector<MemoDependency> dependencies;
};

/// The prerequisites of a Make-style depfile as GCC and Clang write it
/// (`target: a.c b.h \` lines, `\ ` for a blank, `$$` for '$', `\#` for '#').
std::vector<std::string> parse_depfile(std::string_view text);

std::string encode_memo_entry(const MemoEntry& entry);
/// False when `text` is not a whole entry.
bool decode_memo_entry(std::string_view text, MemoEntry& entry);

/// "dev ino size mtime ctime" of a regular file; empty when it cannot be stat()ed.
std::string file_identity(const std::string& path);

class ObjectMemo {
 public:
  explicit ObjectMemo(std::string dir) : m_dir(std::move(dir)) {}

  /// The object of `key` if its entry is whole, the object untouched and
  /// every dependency unchanged; `diagnostics` receives what to replay.
  bool lookup(const std::string& key, std::string& object, std::string& diagnostics) const;

  /// Moves `compiled` (an object just written) into place for `key` and
  /// records `depfile`'s prerequisites (relative ones against `cwd`).
  /// `started`: when the compile started; files changed since then are
  /// remembered by content only. False when it could not be recorded.
  bool store(const std::string& key, const std::string& compiled, const std::string& depfile,
             const std::string& cwd, const std::string& diagnostics, double started) const;

  /// As store(), for a key that covers everything the compile read (the
  /// preprocessed source): the entry lists no dependencies.
  bool store_whole(const std::string& key, const std::string& compiled,
                   const std::string& diagnostics) const;

  const std::string& dir() const { return m_dir; }
  std::string object_path(const std::string& key) const { return m_dir + "/" + key + ".o"; }
  std::string lock_path(const std::string& key) const { return m_dir + "/" + key + ".lock"; }

 private:
  /// Moves `compiled` into place for `key` and writes `entry` for it.
  bool keep(const std::string& key, const std::string& compiled, MemoEntry& entry) const;

  std::string m_dir;
};

}  // namespace wyn
