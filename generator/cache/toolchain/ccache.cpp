#include "cache/toolchain/ccache.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <sstream>

#include "process/subprocess.hpp"
#include "util/fs.hpp"

namespace wyn {

std::string ccache_dir(const std::string& toolchain_dir) { return toolchain_dir + "/ccache"; }

std::string ccache_config_path(const std::string& toolchain_dir) {
  return toolchain_dir + "/ccache.conf";
}

std::string ccache_config(const std::string& toolchain_dir, const std::string& max_size) {
  return "# Written by wyn-cc: the settings of wyn-ctest's toolchain cache.\n"
         "cache_dir = " +
         ccache_dir(toolchain_dir) +
         "\n"
         "max_size = " +
         max_size +
         "\n"
         "compiler_check = content\n"
         "direct_mode = true\n"
         "depend_mode = false\n"
         "hard_link = false\n"
         "file_clone = false\n"
         "run_second_cpp = true\n"
         "stats = true\n";
}

void write_ccache_config(const std::string& toolchain_dir) {
  const char* bound = std::getenv("WYN_TOOLCHAIN_CACHE_MAX_SIZE");
  make_directories(toolchain_dir);
  write_file_if_changed(
      ccache_config_path(toolchain_dir),
      ccache_config(toolchain_dir, bound && *bound ? bound : kCcacheDefaultMaxSize));
}

std::vector<std::string> ccache_environment(const std::vector<std::string>& env,
                                            const std::string& toolchain_dir) {
  std::vector<std::string> out;
  out.reserve(env.size() + 2);
  for (const std::string& entry : env) {
    if (entry.rfind("CCACHE_", 0) != 0) out.push_back(entry);
    // The remote storage wyn-compile hands down: in the environment only, as
    // it may hold a token that must never be written to a file.
    if (entry.rfind("WYN_CTEST_CC_REMOTE=", 0) == 0)
      out.push_back("CCACHE_REMOTE_STORAGE=" + entry.substr(std::strlen("WYN_CTEST_CC_REMOTE=")));
  }
  out.push_back("CCACHE_DIR=" + ccache_dir(toolchain_dir));
  out.push_back("CCACHE_CONFIGPATH=" + ccache_config_path(toolchain_dir));
  return out;
}

CcacheStats parse_ccache_stats(const std::string& text) {
  CcacheStats s;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    const std::string name = line.substr(0, tab);
    const uint64_t value = std::strtoull(line.c_str() + tab + 1, nullptr, 10);
    if (name == "direct_cache_hit" || name == "preprocessed_cache_hit") {
      s.hits += value;
      s.known = true;
    } else if (name == "cache_miss") {
      s.misses += value;
      s.known = true;
    } else if (name == "files_in_cache") {
      s.files = value;
    } else if (name == "cache_size_kibibyte") {
      s.size_kib = value;
    }
  }
  return s;
}

namespace {

/// Runs ccache with our environment; its stdout in `out`. False on failure.
bool run_ccache(const std::string& ccache, const std::vector<std::string>& args,
                const std::string& toolchain_dir, std::string& out) {
  SpawnOptions options;
  options.argv = {ccache};
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  options.env = ccache_environment(current_environment(), toolchain_dir);
  const std::string name = make_temp_file(system_temp_directory() + "/wyn-cache-ccache-");
  if (name.empty()) return false;
  options.stdout_path = name;
  options.capture = CaptureMode::split;
  options.timeout_seconds = 60;
  const ProcessResult result = run_process(options);
  try_read_file(name, out);
  ::unlink(name.c_str());
  return result.started && result.signal == 0 && result.exit_code == 0;
}

}  // namespace

CcacheStats read_ccache_stats(const std::string& ccache, const std::string& toolchain_dir) {
  std::string out;
  if (!path_exists(ccache_dir(toolchain_dir)) ||
      !run_ccache(ccache, {"--print-stats"}, toolchain_dir, out))
    return {};
  return parse_ccache_stats(out);
}

bool zero_ccache_stats(const std::string& ccache, const std::string& toolchain_dir) {
  std::string out;
  return !path_exists(ccache_dir(toolchain_dir)) ||
         run_ccache(ccache, {"--zero-stats"}, toolchain_dir, out);
}

}  // namespace wyn
