#include "toolchain/setup.hpp"

#include <algorithm>

#include "cache/toolchain/counters.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

/// Removes `name` from `env`; returns its value, or nullptr-like false when unset.
bool take(std::vector<std::string>& env, const std::string& name, std::string& value) {
  bool found = false;
  for (auto it = env.begin(); it != env.end();) {
    if (is_variable_entry(*it, name)) {
      if (!found) value = it->substr(name.size() + 1);  // the first one wins, as for getenv()
      found = true;
      it = env.erase(it);
    } else {
      ++it;
    }
  }
  return found;
}

/// PATH with `bin` first, and none of the wrapper's own variables: what
/// both kinds of environment start from.
void put_bin_first(std::vector<std::string>& env, const std::string& bin) {
  std::string path;
  if (!take(env, "PATH", path)) path = kDefaultSearchPath;
  env.push_back("PATH=" + (path.empty() ? bin : bin + kPathListSeparator + path));
  for (const char* name :
       {"WYN_CTEST_CC_MEMO", "WYN_CTEST_CC_CACHE", "WYN_CTEST_CC_CCACHE", "WYN_CTEST_CC_REAL",
        "WYN_CTEST_CC_REAL_CC", "WYN_CTEST_CC_REMOTE", "WYN_CTEST_CC_COUNTERS"}) {
    std::string ignored;
    take(env, name, ignored);
  }
}

/// Points the compiler variable `name` at the `link` to wyn-cc, its value
/// kept in `real`, when it is one word other than a name the directory of
/// links already answers to; anything else stays as it is.
void wrap_variable(std::vector<std::string>& env, const std::string& bin, const char* name,
                   const char* link, const char* real) {
  std::string value;
  if (!take(env, name, value)) return;
  const bool one_word = !value.empty() && value.find_first_of(" \t\n") == std::string::npos;
  const bool answered = std::any_of(
      std::begin(kWrappedCompilers), std::end(kWrappedCompilers),
      [&](const char* c) { return value == c || value == std::string(c) + kExecutableSuffix; });
  if (!one_word || answered) {
    env.push_back(std::string(name) + "=" + value);
    return;
  }
  env.push_back(std::string(real) + "=" + value);
  env.push_back(std::string(name) + "=" + bin + "/" + link + kExecutableSuffix);
}

}  // namespace

std::string toolchain_bin_dir(const std::string& suite_dir) { return suite_dir + "/toolchain/bin"; }

std::string wrapper_program(const std::string& wrapper) {
  return *kExecutableSuffix && !path_exists(wrapper) ? wrapper + kExecutableSuffix : wrapper;
}

void ensure_wrapper_links(const std::string& bin_dir, const std::string& wrapper) {
  const std::string program = wrapper_program(wrapper);
  make_directories(bin_dir);
  for (const char* name : kWrappedCompilers)
    ensure_program_link(program, bin_dir + "/" + name + kExecutableSuffix);
}

std::vector<std::string> toolchain_environment(const SuiteConfig& suite,
                                               const std::string& suite_dir,
                                               std::vector<std::string> env) {
  const std::string bin = toolchain_bin_dir(suite_dir);
  put_bin_first(env, bin);
  if (suite.compiler_style == "build") {
    std::string user_cc;
    if (take(env, "WYN_CC", user_cc)) env.push_back("WYN_CTEST_CC_REAL=" + user_cc);
    env.push_back("WYN_CC=" + bin + "/wyn-cc" + kExecutableSuffix);
  }
  env.push_back("WYN_CTEST_CC_MEMO=" + suite_dir + "/toolchain/memo");
  env.push_back("WYN_CTEST_CC_CACHE=" + suite.toolchain_cache_dir);
  if (!suite.ccache.empty()) env.push_back("WYN_CTEST_CC_CCACHE=" + suite.ccache);
  return env;
}

std::vector<std::string> script_toolchain_environment(const SuiteConfig& suite,
                                                      const std::string& suite_dir,
                                                      std::vector<std::string> env) {
  const std::string bin = toolchain_bin_dir(suite_dir);
  put_bin_first(env, bin);
  wrap_variable(env, bin, "WYN_CC", "wyn-cc", "WYN_CTEST_CC_REAL");
  wrap_variable(env, bin, "CC", "wyn-cc-CC", "WYN_CTEST_CC_REAL_CC");
  env.push_back("WYN_CTEST_CC_MEMO=" + suite_dir + "/toolchain/memo");
  env.push_back("WYN_CTEST_CC_CACHE=" + suite.toolchain_cache_dir);
  if (!suite.ccache.empty()) env.push_back("WYN_CTEST_CC_CCACHE=" + suite.ccache);
  env.push_back(std::string("WYN_CTEST_CC_COUNTERS=") + kScriptCounters);
  return env;
}

}  // namespace wyn
