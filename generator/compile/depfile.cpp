#include "compile/depfile.hpp"

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <vector>

#include "util/fs.hpp"

namespace wyn {

// Ninja runs the step in the top build directory (WORKING_DIRECTORY in
// WynTests.cmake) and names outputs inside it relative to it; the depfile
// must name its output the same way, or Ninja finds the step dirty on every
// build. CMake could rewrite the depfile (policy CMP0116), but that costs a
// `cmake -E` process per compile step, several times the cost of the step
// itself. Relative paths also keep the build directory's own name (blanks,
// '#', '$') out of the depfile.
std::string ninja_relative(const std::string& path) {
  static const std::vector<std::string> bases = [] {
    // $PWD, as the shell's `cd` set it, names the directory as CMake does
    // (through any symbolic link); getcwd() would resolve links.
    const char* pwd = std::getenv("PWD");
    FileStat logical, actual;
    if (pwd && is_absolute_path(pwd) && stat_file(pwd, logical) && stat_file(".", actual) &&
        logical.inode == actual.inode && logical.device == actual.device)
      return std::vector<std::string>{pwd};
    // With '/' between the names on Windows too, as CMake and Ninja write paths.
    std::error_code ec;
    const std::filesystem::path cwd = std::filesystem::current_path(ec);
    std::vector<std::string> names = {cwd.generic_u8string()};
    // And without the drive letter ("/dir" for "Z:/dir"): the form a path
    // rooted on the current drive has, as under Wine, where the paths come
    // from CMake and Ninja, Linux programs.
    if (cwd.has_root_name())
      names.push_back((cwd.root_directory() / cwd.relative_path()).generic_u8string());
    return names;
  }();
  for (const std::string& base : bases)
    if (base.size() > 1 && path.size() > base.size() + 1 &&
        path.compare(0, base.size(), base) == 0 && path[base.size()] == '/')
      return path.substr(base.size() + 1);
  return path;
}

DepLinks::DepLinks(std::string dir) : m_dir(std::move(dir)) {
  if (m_dir.empty()) return;
  remove_tree(m_dir);
  make_directories(m_dir);
}

namespace {

/// `path` with '/' between its names (as CMake names paths on Windows too).
std::string generic(std::string path) {
  if (std::string_view(kDirectorySeparators).find('\\') != std::string_view::npos)
    for (char& c : path)
      if (c == '\\') c = '/';
  return path;
}

/// `path` as a Make-style depfile names it for Ninja.
std::string escaped_for_depfile(const std::string& path) {
  std::string out;
  for (const char c : path) {
    if (c == ' ' || c == '#')
      out += {'\\', c};
    else if (c == '$')
      out += "$$";
    else
      out += c;
  }
  return out;
}

}  // namespace

void DepLinks::add(const std::string& name, const std::string& target) {
  const std::string link = m_dir + "/" + name;
  if (!m_dir.empty()) {
    try {
      replace_symlink(target, link);
    } catch (const Error&) {
      m_paths.push_back({target, true});
      return;
    }
  }
  m_paths.push_back({link, false});
}

std::string DepLinks::depfile(const std::string& output) const {
  std::string out = ninja_relative(output) + ":";
  for (const Listed& p : m_paths) {
    out += " \\\n  ";
    out +=
        p.escaped ? escaped_for_depfile(ninja_relative(generic(p.path))) : ninja_relative(p.path);
  }
  return out + "\n";
}

}  // namespace wyn
