#pragma once
// What cache keys are made of: named parts hashed into a SHA-256 key
// (compile_key.hpp composes the compile cache's; the launcher's result cache
// and wyn-cc's memo compose theirs), and the remembered SHA-256 of big files
// that rarely change, so that thousands of steps do not hash them again.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/fs.hpp"

namespace wyn {

/// Named parts in, a SHA-256 key out. Every part is length-prefixed, so two
/// different lists of parts never hash the same byte stream.
class CacheKey {
 public:
  void add(std::string_view name, std::string_view value);
  /// 64 hex digits over the parts in the order they were added.
  std::string hex() const;
  /// The parts as added: the account of a key, for people asking why it missed.
  const std::vector<std::pair<std::string, std::string>>& parts() const { return m_parts; }

 private:
  std::vector<std::pair<std::string, std::string>> m_parts;
};

/// SHA-256 of big files that rarely change (the compiler, its runtime),
/// remembered in `dir` per path together with the file's identity (device,
/// inode, size, mtime and ctime, all of which a write changes), so that
/// thousands of compile steps hash a multi-megabyte compiler once. A file
/// modified less than two seconds ago is hashed but not remembered: a write
/// within the same timestamp tick could otherwise go unnoticed.
/// "dev ino size mtime ctime" of `st`: what tells a file changed without reading it.
std::string stat_identity(const FileStat& st);

class FileHashMemo {
 public:
  /// `min_age_seconds`: how long ago a file must have changed to be remembered.
  explicit FileHashMemo(std::string dir, double min_age_seconds = 2)
      : m_dir(std::move(dir)), m_min_age(min_age_seconds) {}
  /// False when `path` cannot be read.
  bool hash(const std::string& path, std::string& hex) const;
  /// Where the memo of `path` is kept.
  std::string memo_path(const std::string& path) const;

 private:
  std::string m_dir;
  double m_min_age;
};

}  // namespace wyn
