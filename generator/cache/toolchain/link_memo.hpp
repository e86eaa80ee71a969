#pragma once
// The per-build-directory memo of links that wyn-cc keeps beside the object
// memo. After a compiler edit most tests' generated C, hence their objects,
// are unchanged; the link of unchanged objects then produces the executable
// it produced before, so the memo hands out a copy of that one instead of
// running the linker again (~0.1-0.3 s of a build-generation compile).
//
//   <dir>/<key>.out   the linked file, as the linker wrote it
//   <dir>/<key>.memo  its stat identity and the link's diagnostics
//                     (the object memo's entry format, without dependencies)
//
// The key (link_memo_key) covers the real compiler by content, every link
// argument in order, each input file (objects, archives, shared libraries
// named on the command line or found with -l in a -L directory) by content,
// and the environment variables the driver and linker read. Not covered:
// the system's own libraries and start files that -l and the driver find in
// the system directories; they change with the system's C library, after
// which a new build directory (or deleting <build>/wyn/cc-memo) starts over.
// Links with -Wl, options other than those that change only the linked file
// (--gc-sections, -z now, ...: the table in link_memo.cpp) are not memoised:
// the linker may read or write files (a map, a script) the key does not see.

#include <string>
#include <vector>

namespace wyn {

/// What a link needs to be looked up: its key, and where it writes.
struct LinkKey {
  std::string hex;     ///< empty: this link is not memoised (see link_memo_key)
  std::string output;  ///< the file the link writes (-o, else a.out)
};

/// The key of linking `args` (the link arguments, objects in place) with
/// `compiler` (as found on PATH) whose content hashes to `compiler_sha256`.
/// `hash_memo_dir` keeps the content hashes of inputs by stat identity.
/// An input that cannot be read leaves the key empty: the linker reports it.
LinkKey link_memo_key(const std::string& compiler, const std::string& compiler_sha256,
                      const std::vector<std::string>& args, const std::string& cwd,
                      const std::string& hash_memo_dir);

class LinkMemo {
 public:
  explicit LinkMemo(std::string dir) : m_dir(std::move(dir)) {}

  /// Puts a copy of the memoised output of `key` at `output` (atomically,
  /// executable as the linker would have made it); `diagnostics` receives
  /// what the link printed. False when there is no whole, untouched entry.
  bool restore(const std::string& key, const std::string& output, std::string& diagnostics) const;

  /// Keeps a copy of `output`, just linked, for `key`. False when it could not.
  bool store(const std::string& key, const std::string& output,
             const std::string& diagnostics) const;

  const std::string& dir() const { return m_dir; }
  std::string lock_path(const std::string& key) const { return m_dir + "/" + key + ".lock"; }

 private:
  std::string m_dir;
};

}  // namespace wyn
