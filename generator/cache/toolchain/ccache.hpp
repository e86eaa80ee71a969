#pragma once
// The ccache behind wyn-cc: its directory and configuration inside the
// wyn-ctest cache directory, and the environment it runs with. The
// configuration is ours alone (CCACHE_CONFIGPATH, every inherited CCACHE_*
// variable dropped), so a user's ccache.conf or CCACHE_DISABLE cannot change
// what the toolchain cache does.
//
//   <toolchain dir>/ccache       ccache's cache_dir
//   <toolchain dir>/ccache.conf  its configuration (written by wyn-cc)

#include <cstdint>
#include <string>
#include <vector>

namespace wyn {

/// Bound of ccache's directory unless WYN_TOOLCHAIN_CACHE_MAX_SIZE says otherwise.
constexpr const char* kCcacheDefaultMaxSize = "2G";

std::string ccache_dir(const std::string& toolchain_dir);
std::string ccache_config_path(const std::string& toolchain_dir);

/// The configuration file's text: direct mode, compiler_check=content, the size bound.
std::string ccache_config(const std::string& toolchain_dir, const std::string& max_size);

/// Writes the configuration file unless it already says exactly that.
void write_ccache_config(const std::string& toolchain_dir);

/// `env` without any CCACHE_* variable, plus CCACHE_DIR and CCACHE_CONFIGPATH.
std::vector<std::string> ccache_environment(const std::vector<std::string>& env,
                                            const std::string& toolchain_dir);

struct CcacheStats {
  bool known = false;  ///< false when ccache could not be asked
  uint64_t hits = 0;   ///< direct and preprocessed hits
  uint64_t misses = 0;
  uint64_t files = 0;
  uint64_t size_kib = 0;
};

/// Parses `ccache --print-stats` output (tab-separated "name value" lines).
CcacheStats parse_ccache_stats(const std::string& text);

/// Asks `ccache` (a path or a name found on PATH) about our directory.
CcacheStats read_ccache_stats(const std::string& ccache, const std::string& toolchain_dir);

/// Runs `ccache --zero-stats` on our directory; false when it failed.
bool zero_ccache_stats(const std::string& ccache, const std::string& toolchain_dir);

}  // namespace wyn
