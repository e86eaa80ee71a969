#include "toolchain/setup.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "util/fs.hpp"

namespace wyn {

namespace {

/// Removes `name` from `env`; returns its value, or nullptr-like false when unset.
bool take(std::vector<std::string>& env, const std::string& name, std::string& value) {
  bool found = false;
  for (auto it = env.begin(); it != env.end();) {
    if (it->size() > name.size() && (*it)[name.size()] == '=' &&
        it->compare(0, name.size(), name) == 0) {
      if (!found) value = it->substr(name.size() + 1);  // the first one wins, as for getenv()
      found = true;
      it = env.erase(it);
    } else {
      ++it;
    }
  }
  return found;
}

}  // namespace

std::string toolchain_bin_dir(const std::string& suite_dir) { return suite_dir + "/toolchain/bin"; }

void ensure_wrapper_links(const std::string& bin_dir, const std::string& wrapper) {
  for (const char* name : kWrappedCompilers) {
    const std::string link = bin_dir + "/" + name;
    char buffer[PATH_MAX];
    const ssize_t n = ::readlink(link.c_str(), buffer, sizeof buffer - 1);
    if (n > 0 && std::string(buffer, static_cast<size_t>(n)) == wrapper) continue;
    make_directories(bin_dir);
    // A link made aside and renamed into place: a concurrent step sees the
    // old link or the new one, never none.
    const std::string temp = link + ".new." + std::to_string(::getpid());
    ::unlink(temp.c_str());
    if (::symlink(wrapper.c_str(), temp.c_str()) != 0 ||
        ::rename(temp.c_str(), link.c_str()) != 0) {
      const int err = errno;
      ::unlink(temp.c_str());
      throw Error("cannot link '" + link + "' to '" + wrapper + "': " + std::strerror(err));
    }
  }
}

std::vector<std::string> toolchain_environment(const SuiteConfig& suite,
                                               const std::string& suite_dir,
                                               std::vector<std::string> env) {
  const std::string bin = toolchain_bin_dir(suite_dir);
  std::string path;
  // Without PATH, execvp() and system() search /bin and /usr/bin.
  if (!take(env, "PATH", path)) path = "/bin:/usr/bin";
  env.push_back("PATH=" + bin + ":" + path);
  for (const char* name : {"WYN_CTEST_CC_MEMO", "WYN_CTEST_CC_CACHE", "WYN_CTEST_CC_CCACHE",
                           "WYN_CTEST_CC_REAL", "WYN_CTEST_CC_REMOTE"}) {
    std::string ignored;
    take(env, name, ignored);
  }
  if (suite.compiler_style == "build") {
    std::string user_cc;
    if (take(env, "WYN_CC", user_cc)) env.push_back("WYN_CTEST_CC_REAL=" + user_cc);
    env.push_back("WYN_CC=" + bin + "/wyn-cc");
  }
  env.push_back("WYN_CTEST_CC_MEMO=" + suite_dir + "/toolchain/memo");
  env.push_back("WYN_CTEST_CC_CACHE=" + suite.toolchain_cache_dir);
  if (!suite.ccache.empty()) env.push_back("WYN_CTEST_CC_CCACHE=" + suite.ccache);
  return env;
}

}  // namespace wyn
