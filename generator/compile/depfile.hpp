#pragma once
// The compile step's depfile (docs/architecture.md, "Dependencies through
// links"): what Ninja must watch to know when to run the step again.

#include <string>
#include <vector>

namespace wyn {

/// `path` as Ninja names it: relative to the top build directory, where
/// Ninja runs the step, when it lies inside it; otherwise unchanged.
std::string ninja_relative(const std::string& path);

/// Dependencies are listed in the depfile through symbolic links with plain
/// names inside TEST_DIR/deps: Ninja stats through a link, and no path from
/// the user's tree has to survive depfile quoting (which neither Ninja nor
/// CMake's depfile rewriting does faithfully for every character). Where no
/// symbolic link can be made (Windows, where they need a privilege and
/// mingw's library makes none), the path itself is listed, with '/' between
/// its names and blanks, '#' and '$' escaped as Ninja reads them.
class DepLinks {
 public:
  /// Starts `dir` afresh: the links of an earlier compile go. With an empty
  /// `dir` the links are only listed, never made (a step planned, not run).
  explicit DepLinks(std::string dir);
  /// Links `name` in the directory to `target` and lists the link.
  void add(const std::string& name, const std::string& target);
  /// Depfile text for `output`; the paths are made of safe characters only.
  std::string depfile(const std::string& output) const;

 private:
  struct Listed {
    std::string path;
    bool escaped = false;  ///< a path of the user's, not a link's: escape it
  };
  std::string m_dir;
  std::vector<Listed> m_paths;
};

}  // namespace wyn
