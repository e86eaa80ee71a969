// wyn-cache: look after the compile cache and the toolchain cache (docs/caching.md).
//
//   wyn-cache stats [--json] [DIR]    hits, misses, entries, size, bound; the remote
//                                     cache's hits, misses, errors, corrupt, uploads; the
//                                     toolchain cache's memo hits, compiles,
//                                     ccache hits and misses, splits, pass-throughs,
//                                     those of script tests' compiles apart
//   wyn-cache clear [DIR]             remove every entry of both (the counters stay)
//   wyn-cache zero [DIR]              reset the counters of both
//   wyn-cache max-size SIZE [DIR]     set the size bound ("5G", "500M", bytes)
//
// DIR defaults to $WYN_COMPILE_CACHE_DIR, else the default the CMake module
// uses ($XDG_CACHE_HOME/wyn-ctest or ~/.cache/wyn-ctest).

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cache/compile_cache.hpp"
#include "cache/toolchain/ccache.hpp"
#include "cache/toolchain/counters.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: wyn-cache stats [--json] [DIR]\n"
               "       wyn-cache clear [DIR]\n"
               "       wyn-cache zero [DIR]\n"
               "       wyn-cache max-size SIZE [DIR]\n");
  return 2;
}

std::string cache_dir(const std::vector<std::string>& rest) {
  if (!rest.empty()) return rest[0];
  const char* env = std::getenv("WYN_COMPILE_CACHE_DIR");
  if (env && *env) return env;
  const std::string dir = wyn::CompileCache::default_dir();
  if (dir.empty())
    throw wyn::Error("no cache directory: give DIR, or set WYN_COMPILE_CACHE_DIR or HOME");
  return dir;
}

/// The toolchain cache of the compile cache directory `dir` (see WynTests.cmake).
std::string toolchain_dir(const std::string& dir) { return dir + "/toolchain"; }

/// ccache is found on PATH, as configure found it.
constexpr const char* kCcache = "ccache";

nlohmann::json counters_json(const wyn::ToolchainCounters& c) {
  return {{"memo_hits", c.memo_hits},
          {"compiles", c.compiles},
          {"compile_failures", c.compile_failures},
          {"splits", c.splits},
          {"link_hits", c.link_hits},
          {"links", c.links},
          {"pass_throughs", c.pass_throughs}};
}

nlohmann::json toolchain_json(const std::string& dir) {
  const wyn::CcacheStats cc = wyn::read_ccache_stats(kCcache, toolchain_dir(dir));
  // The compile steps' counters at the top level, as before script tests
  // had their own; theirs under "scripts".
  nlohmann::json j = counters_json(wyn::read_toolchain_counters(toolchain_dir(dir)));
  j["dir"] = toolchain_dir(dir);
  j["scripts"] =
      counters_json(wyn::read_toolchain_counters(toolchain_dir(dir), wyn::kScriptCounters));
  if (cc.known) {
    j["ccache"] = {{"hits", cc.hits},
                   {"misses", cc.misses},
                   {"files", cc.files},
                   {"size", cc.size_kib * 1024}};
  } else {
    j["ccache"] = nullptr;
  }
  return j;
}

void print_toolchain(const nlohmann::json& t) {
  const auto n = [&](const char* key) {
    return static_cast<unsigned long long>(t[key].get<uint64_t>());
  };
  std::printf("\ntoolchain cache   %s\n", t["dir"].get<std::string>().c_str());
  std::printf("memo hits         %llu\n", n("memo_hits"));
  std::printf("compiles          %llu (%llu failed)\n", n("compiles"), n("compile_failures"));
  if (t["ccache"].is_null()) {
    std::printf("ccache            no statistics (ccache not on PATH, or not used yet)\n");
  } else {
    const nlohmann::json& c = t["ccache"];
    std::printf("ccache hits       %llu\n",
                static_cast<unsigned long long>(c["hits"].get<uint64_t>()));
    std::printf("ccache misses     %llu\n",
                static_cast<unsigned long long>(c["misses"].get<uint64_t>()));
    std::printf("ccache size       %s (%llu files)\n",
                wyn::format_size(c["size"].get<uint64_t>()).c_str(),
                static_cast<unsigned long long>(c["files"].get<uint64_t>()));
  }
  std::printf("commands split    %llu\n", n("splits"));
  std::printf("links memo hits   %llu\n", n("link_hits"));
  std::printf("links run         %llu\n", n("links"));
  std::printf("passed through    %llu\n", n("pass_throughs"));
  const nlohmann::json& s = t["scripts"];
  const auto m = [&](const char* key) {
    return static_cast<unsigned long long>(s[key].get<uint64_t>());
  };
  std::printf("\nscript tests      the C compiles and links their processes ran\n");
  std::printf("memo hits         %llu\n", m("memo_hits"));
  std::printf("compiles          %llu (%llu failed)\n", m("compiles"), m("compile_failures"));
  std::printf("commands split    %llu\n", m("splits"));
  std::printf("links memo hits   %llu\n", m("link_hits"));
  std::printf("links run         %llu\n", m("links"));
  std::printf("passed through    %llu\n", m("pass_throughs"));
}

int print_stats(const wyn::CompileCache& cache, bool json) {
  const wyn::CacheStats s = cache.stats();
  const uint64_t lookups = s.hits + s.misses;
  const nlohmann::json toolchain = toolchain_json(cache.dir());
  if (json) {
    const nlohmann::json j = {{"dir", cache.dir()},
                              {"hits", s.hits},
                              {"misses", s.misses},
                              {"stores", s.stores},
                              {"evictions", s.evictions},
                              {"corrupt", s.corrupt},
                              {"entries", s.entries},
                              {"size", s.size_bytes},
                              {"max_size", s.max_size_bytes},
                              {"toolchain", toolchain},
                              {"remote",
                               {{"hits", s.remote.hits},
                                {"misses", s.remote.misses},
                                {"errors", s.remote.errors},
                                {"corrupt", s.remote.corrupt},
                                {"uploads", s.remote.uploads}}}};
    std::printf("%s\n", wyn::json_text(j, 2).c_str());
    return 0;
  }
  std::printf("cache directory   %s\n", cache.dir().c_str());
  std::printf("hits              %llu\n", static_cast<unsigned long long>(s.hits));
  std::printf("misses            %llu\n", static_cast<unsigned long long>(s.misses));
  if (lookups)
    std::printf("hit rate          %.1f %%\n",
                100.0 * static_cast<double>(s.hits) / static_cast<double>(lookups));
  std::printf("stored            %llu\n", static_cast<unsigned long long>(s.stores));
  std::printf("evicted           %llu\n", static_cast<unsigned long long>(s.evictions));
  std::printf("corrupt removed   %llu\n", static_cast<unsigned long long>(s.corrupt));
  std::printf("entries           %llu\n", static_cast<unsigned long long>(s.entries));
  std::printf("size              %s\n", wyn::format_size(s.size_bytes).c_str());
  std::printf("max size          %s\n", wyn::format_size(s.max_size_bytes).c_str());
  const auto u = [](uint64_t v) { return static_cast<unsigned long long>(v); };
  std::printf("remote hits       %llu\n", u(s.remote.hits));
  std::printf("remote misses     %llu\n", u(s.remote.misses));
  std::printf("remote errors     %llu\n", u(s.remote.errors));
  std::printf("remote corrupt    %llu (treated as misses)\n", u(s.remote.corrupt));
  std::printf("remote uploads    %llu\n", u(s.remote.uploads));
  print_toolchain(toolchain);
  return 0;
}

int run(std::vector<std::string> args) {
  if (args.empty()) return usage();
  const std::string command = args[0];
  args.erase(args.begin());
  if (command == "stats") {
    bool json = false;
    if (!args.empty() && args[0] == "--json") {
      json = true;
      args.erase(args.begin());
    }
    if (args.size() > 1) return usage();
    return print_stats(wyn::CompileCache(cache_dir(args)), json);
  }
  if (command == "clear" || command == "zero") {
    if (args.size() > 1) return usage();
    wyn::CompileCache cache(cache_dir(args));
    if (command == "clear") {
      cache.clear();
      // ccache's objects; build directories' memos go with their build directories.
      wyn::remove_tree(wyn::ccache_dir(toolchain_dir(cache.dir())));
      std::printf("cleared %s\n", cache.dir().c_str());
    } else {
      cache.zero_stats();
      wyn::zero_toolchain_counters(toolchain_dir(cache.dir()));
      wyn::zero_toolchain_counters(toolchain_dir(cache.dir()), wyn::kScriptCounters);
      wyn::zero_ccache_stats(kCcache, toolchain_dir(cache.dir()));
      std::printf("counters of %s reset\n", cache.dir().c_str());
    }
    return 0;
  }
  if (command == "max-size") {
    if (args.empty() || args.size() > 2) return usage();
    uint64_t bytes = 0;
    if (!wyn::parse_size(args[0], bytes) || bytes == 0)
      throw wyn::Error("max-size needs a size such as 5G, 500M or 1048576, not '" + args[0] + "'");
    wyn::CompileCache cache(cache_dir({args.begin() + 1, args.end()}));
    cache.set_max_size(bytes);
    std::printf("max size of %s: %s\n", cache.dir().c_str(), wyn::format_size(bytes).c_str());
    return 0;
  }
  return usage();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wyn-cache: error: %s\n", e.what());
    return 1;
  }
}
