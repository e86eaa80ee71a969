#include "cache/result/result_cache.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>

#include "cache/cache_key.hpp"
#include "process/subprocess.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"
#include "util/sha256.hpp"

namespace wyn {

namespace {

constexpr const char* kKeyFormat = "wyn-result-cache-key/1";

/// Variables that differ between shells without changing what a program
/// does; the override switch itself is one of them.
bool volatile_variable(const std::string& entry) {
  static const char* const names[] = {"WYN_RESULT_CACHE", "OLDPWD", "_", "SHLVL"};
  for (const char* name : names) {
    const size_t n = std::char_traits<char>::length(name);
    if (entry.size() > n && entry[n] == '=' && entry.compare(0, n, name) == 0) return true;
  }
  return false;
}

/// The launcher binary: its version string alone would not notice a rebuilt
/// launcher with a different judgement during development.
std::string launcher_identity() {
  // Without a path (the BSDs) the key still holds the version, so only a
  // launcher rebuilt during development without a version change goes unseen.
  const std::string path = executable_path();
  if (path.empty()) return "unknown";
  FileStat st;
  if (!stat_file(path, st)) return path;
  return path + " " + std::to_string(st.size) + " " + std::to_string(st.mtime_ns / 1'000'000'000) +
         "." + std::to_string(st.mtime_ns % 1'000'000'000);
}

}  // namespace

bool result_cache_enabled(bool setting) {
  const char* env = std::getenv("WYN_RESULT_CACHE");
  if (!env || !*env) return setting;
  std::string value(env);
  for (char& c : value) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (value == "1" || value == "ON" || value == "YES" || value == "TRUE" || value == "Y")
    return true;
  if (value == "0" || value == "OFF" || value == "NO" || value == "FALSE" || value == "N")
    return false;
  return setting;
}

ResultCache::ResultCache(const SuiteConfig& suite, const TestSpec& spec,
                         const CompileRecord& compile)
    : m_path(spec.test_dir + "/result-cache.json"),
      m_suite(suite),
      m_spec(spec),
      m_compile(compile) {
  // A program running in a shared working directory can read any file of
  // it, which no key could cover: its verdict is never reused.
  const bool shared_directory = suite.kind == "wyn" && !suite.working_directory.empty();
  m_enabled = result_cache_enabled(suite.result_cache) && !compile.directives.no_cache &&
              compile.status == "compiled" && !shared_directory;
}

std::string ResultCache::key() const {
  if (!m_key.empty()) return m_key;
  CacheKey key;
  std::string hex;
  key.add("format", kKeyFormat);
  key.add("launcher", std::string(WYN_CTEST_VERSION) + " " + launcher_identity());
  if (!sha256_file_hex(m_compile.executable, hex)) return "";
  key.add("executable", hex);
  nlohmann::json directives;
  to_json(directives, m_compile.directives);
  key.add("directives", json_text(directives));
  if (!m_compile.directives.stdin_file.empty()) {
    if (!sha256_file_hex(parent_path(m_spec.source) + "/" + m_compile.directives.stdin_file, hex))
      return "";
    key.add("stdin", hex);
  }
  for (const auto& [name, path] : m_inputs)
    key.add("input/" + name, sha256_file_hex(path, hex) ? hex : std::string("<missing>"));
  // Every setting of the suite, but those that cannot change a verdict (the
  // toolchain cache's included: a script passes or fails the same with it).
  nlohmann::json settings = m_suite;
  for (const char* irrelevant :
       {"result_cache", "compile_cache_dir", "shard_index", "shard_count", "shard_durations",
        "launcher", "labels", "toolchain_cache_dir", "ccache", "cc_wrapper"})
    settings.erase(irrelevant);
  key.add("suite", json_text(settings));
  std::vector<std::string> env = current_environment();
  env.erase(std::remove_if(env.begin(), env.end(), volatile_variable), env.end());
  std::sort(env.begin(), env.end());
  for (const std::string& entry : env) key.add("env", entry);
  m_key = key.hex();
  return m_key;
}

void ResultCache::add_input(const std::string& name, const std::string& path) {
  m_inputs.emplace_back(name, path);
  m_key.clear();
}

bool ResultCache::replay(TestRecord& record) {
  if (!m_enabled) return false;
  std::string text;
  if (!try_read_file(m_path, text)) return false;
  try {
    const nlohmann::json stored = parse_json(text);
    const std::string k = key();
    if (k.empty() || stored.at("key").get<std::string>() != k) return false;
    const TestRecord pass = stored.at("record").get<TestRecord>();
    if (pass.status != Status::passed) return false;
    record.exit_code = pass.exit_code;
    record.signal = pass.signal;
    record.output = pass.output;
    record.output_bytes = pass.output_bytes;
    record.output_hash = pass.output_hash;
    record.output_file = pass.output_file;
    record.subchecks = pass.subchecks;
    record.start_time = unix_time_now();
    record.run_seconds = 0;
    record.cached = true;
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;  // a damaged entry is a miss; the run that follows replaces it
  }
}

void ResultCache::update(const TestRecord& record) {
  if (record.cached) return;
  if (record.status != Status::passed) {
    // A failure is never cached, and it retires any pass stored before it.
    ::unlink(m_path.c_str());
    return;
  }
  if (!m_enabled) return;
  const std::string k = key();
  if (k.empty()) return;
  try {
    write_json_file(m_path, {{"key", k}, {"record", record}});
  } catch (const Error&) {
    // Not remembering a pass only costs a run next time.
  }
}

}  // namespace wyn
