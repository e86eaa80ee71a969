// wyn-gen: the generator. `scan` runs at configure time (from WynTests.cmake)
// and lays out one build directory per .wyn file; `register` runs at build
// time and writes the CTest registration from the compile records.

#include <cstdio>
#include <string>
#include <vector>

#include "gen/register.hpp"
#include "gen/scan.hpp"
#include "suite/suite_config.hpp"
#include "util/fs.hpp"

namespace {

void usage() {
  std::fprintf(stderr,
               "usage: wyn-gen scan SUITE_BUILD_DIR/suite.json\n"
               "       wyn-gen register SUITE_BUILD_DIR\n"
               "       wyn-gen check SUITE_BUILD_DIR\n");
}

/// The scan of the suite described by `path` (written by WynTests.cmake;
/// docs/suite-config.md), which must lie in the suite build directory it names.
int scan(const std::string& path) {
  const wyn::SuiteConfig config = wyn::read_suite_config(path);
  if (wyn::absolute_path(wyn::parent_path(path)) != config.build_dir)
    throw wyn::Error(path + ": key \"build_dir\" names " + config.build_dir +
                     ", not the directory holding the file");
  if (config.kind == "script") return wyn::run_script_scan(config, config.scripts);
  return wyn::run_scan(config);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() == 2 && args[0] == "scan") return scan(args[1]);
    if (args.size() == 2 && args[0] == "register") return wyn::run_register(args[1]);
    if (args.size() == 2 && args[0] == "check") return wyn::run_check(args[1]);
    usage();
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wyn-gen: error: %s\n", e.what());
    return 1;
  }
}
