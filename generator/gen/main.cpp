// wyn-gen: the generator. `scan` runs at configure time (from WynTests.cmake)
// and lays out one build directory per .wyn file; `register` runs at build
// time and writes the CTest registration from the compile records.

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/fs.hpp"
#include "gen/register.hpp"
#include "gen/scan.hpp"

namespace {

void usage() {
  std::fprintf(
      stderr,
      "usage: wyn-gen scan --suite NAME --root DIR --out DIR --compiler PATH\n"
      "                    --style legacy|build [--wyn-root DIR] [--exit-code zero|any]\n"
      "                    [--no-expect run|ignore] [--timeout S] [--compile-timeout S]\n"
      "                    [--grace S] [--label L]... [--compiler-launcher ARG]...\n"
      "                    [--strict-build] --launcher PATH\n"
      "                    [--compile-cache-dir DIR] [--result-cache]\n"
      "                    [--source-tree DIR] [--build-tree DIR]\n"
      "                    [--remote-cache URL] [--remote-cache-mode read-write|read-only]\n"
      "                    [--toolchain-cache DIR --ccache PATH --cc-wrapper PATH]\n"
      "                    [--shard K/N] [--shard-durations SUMMARY_JSON]\n"
      "                    [--memory-limit-mb N] [--cpu-limit S] [--max-open-files N]\n"
      "                    [--core-dumps] [--output-limit-mb N] [--leak-policy fail|warn]\n"
      "                    [--snapshot generated_c|output --snapshot-suffix SUFFIX]\n"
      "                    [--compile-arg ARG]... [--known-failures FILE]\n"
      "                    [--known-failures-strict]\n"
      "       wyn-gen scan --kind script --script FILE... [--working-directory DIR]\n"
      "                    [--env NAME=VALUE]... (and the options above)\n"
      "       wyn-gen register SUITE_BUILD_DIR\n"
      "       wyn-gen check SUITE_BUILD_DIR\n");
}

uint64_t count_arg(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(value.c_str(), &end, 10);
  if (value.empty() || *end || value[0] == '-')
    throw wyn::Error(flag + " needs a whole number, not '" + value + "'");
  return v;
}

void shard_arg(const std::string& value, wyn::SuiteConfig& config) {
  const size_t slash = value.find('/');
  if (slash == std::string::npos) throw wyn::Error("--shard needs K/N, not '" + value + "'");
  const uint64_t k = count_arg("--shard", value.substr(0, slash));
  const uint64_t n = count_arg("--shard", value.substr(slash + 1));
  if (n < 1 || k < 1 || k > n || n > 10000)
    throw wyn::Error("--shard needs K/N with 1 <= K <= N, not '" + value + "'");
  config.shard_index = static_cast<int>(k);
  config.shard_count = static_cast<int>(n);
}

double seconds_arg(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (value.empty() || *end || v <= 0)
    throw wyn::Error(flag + " needs a positive number, not '" + value + "'");
  return v;
}

int scan(const std::vector<std::string>& args) {
  wyn::SuiteConfig config;
  std::vector<std::string> scripts;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& flag = args[i];
    if (flag == "--strict-build" || flag == "--result-cache" || flag == "--core-dumps") {
      (flag == "--strict-build"   ? config.strict_build
       : flag == "--result-cache" ? config.result_cache
                                  : config.core_dumps) = true;
      continue;
    }
    if (flag == "--known-failures-strict") {
      config.known_failures_strict = true;
      continue;
    }
    if (i + 1 >= args.size()) throw wyn::Error(flag + " needs a value");
    const std::string& value = args[++i];
    if (flag == "--suite")
      config.name = value;
    else if (flag == "--root")
      config.root = wyn::absolute_path(value);
    else if (flag == "--out")
      config.build_dir = wyn::absolute_path(value);
    else if (flag == "--compiler")
      config.compiler = value;
    else if (flag == "--style")
      config.compiler_style = value;
    else if (flag == "--wyn-root")
      config.wyn_root = value;
    else if (flag == "--exit-code")
      config.exit_code = value;
    else if (flag == "--no-expect")
      config.no_expect = value;
    else if (flag == "--timeout")
      config.timeout_seconds = seconds_arg(flag, value);
    else if (flag == "--compile-timeout")
      config.compile_timeout_seconds = seconds_arg(flag, value);
    else if (flag == "--grace")
      config.grace_seconds = seconds_arg(flag, value);
    else if (flag == "--label")
      config.labels.push_back(value);
    else if (flag == "--compiler-launcher")
      config.compiler_launcher.push_back(value);
    else if (flag == "--launcher")
      config.launcher = value;
    else if (flag == "--compile-cache-dir")
      config.compile_cache_dir = value;
    else if (flag == "--source-tree")
      config.source_tree = wyn::absolute_path(value);
    else if (flag == "--build-tree")
      config.build_tree = wyn::absolute_path(value);
    else if (flag == "--remote-cache")
      config.remote_cache = value;
    else if (flag == "--remote-cache-mode")
      config.remote_cache_mode = value;
    else if (flag == "--toolchain-cache")
      config.toolchain_cache_dir = value;
    else if (flag == "--ccache")
      config.ccache = value;
    else if (flag == "--cc-wrapper")
      config.cc_wrapper = value;
    else if (flag == "--shard")
      shard_arg(value, config);
    else if (flag == "--shard-durations")
      config.shard_durations = value;
    else if (flag == "--memory-limit-mb")
      config.memory_limit_mb = count_arg(flag, value);
    else if (flag == "--cpu-limit")
      config.cpu_limit_seconds = seconds_arg(flag, value);
    else if (flag == "--max-open-files")
      config.max_open_files = count_arg(flag, value);
    else if (flag == "--output-limit-mb")
      config.output_limit_mb = count_arg(flag, value);
    else if (flag == "--leak-policy")
      config.leak_policy = value;
    else if (flag == "--kind")
      config.kind = value;
    else if (flag == "--script")
      scripts.push_back(value);
    else if (flag == "--snapshot")
      config.snapshot = value;
    else if (flag == "--snapshot-suffix")
      config.snapshot_suffix = value;
    else if (flag == "--compile-arg")
      config.compile_args.push_back(value);
    else if (flag == "--working-directory")
      config.working_directory = wyn::absolute_path(value);
    else if (flag == "--env")
      config.env.push_back(value);
    else if (flag == "--known-failures")
      config.known_failures = wyn::absolute_path(value);
    else
      throw wyn::Error("unknown option '" + flag + "'");
  }
  if (config.name.empty() || config.root.empty() || config.build_dir.empty() ||
      config.compiler.empty() || config.launcher.empty())
    throw wyn::Error("scan needs --suite, --root, --out, --compiler and --launcher");
  if (!config.toolchain_cache_dir.empty() && (config.ccache.empty() || config.cc_wrapper.empty()))
    throw wyn::Error("--toolchain-cache needs --ccache and --cc-wrapper");
  if (config.remote_cache_mode != "read-write" && config.remote_cache_mode != "read-only")
    throw wyn::Error("--remote-cache-mode must be read-write or read-only, not '" +
                     config.remote_cache_mode + "'");
  if (config.kind == "wyn" && config.compiler_style != "legacy" && config.compiler_style != "build")
    throw wyn::Error("--style must be legacy or build, not '" + config.compiler_style + "'");
  if (config.exit_code != "zero" && config.exit_code != "any")
    throw wyn::Error("--exit-code must be zero or any, not '" + config.exit_code + "'");
  if (config.no_expect != "run" && config.no_expect != "ignore")
    throw wyn::Error("--no-expect must be run or ignore, not '" + config.no_expect + "'");
  if (config.leak_policy != "fail" && config.leak_policy != "warn")
    throw wyn::Error("--leak-policy must be fail or warn, not '" + config.leak_policy + "'");
  if (config.kind != "wyn" && config.kind != "script")
    throw wyn::Error("--kind must be wyn or script, not '" + config.kind + "'");
  if (config.snapshot != "" && config.snapshot != "generated_c" && config.snapshot != "output")
    throw wyn::Error("--snapshot must be generated_c or output, not '" + config.snapshot + "'");
  if (!config.snapshot.empty() && config.snapshot_suffix.empty())
    throw wyn::Error("--snapshot needs --snapshot-suffix");
  for (const std::string& entry : config.env)
    if (entry.find('=') == std::string::npos || entry[0] == '=')
      throw wyn::Error("--env needs NAME=VALUE, not '" + entry + "'");
  if (config.kind == "script") return wyn::run_script_scan(config, scripts);
  return wyn::run_scan(config);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.size() >= 1 && args[0] == "scan") return scan({args.begin() + 1, args.end()});
    if (args.size() == 2 && args[0] == "register") return wyn::run_register(args[1]);
    if (args.size() == 2 && args[0] == "check") return wyn::run_check(args[1]);
    usage();
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wyn-gen: error: %s\n", e.what());
    return 1;
  }
}
