#include "suite/suite_config.hpp"

#include <algorithm>
#include <cmath>

#include "util/edit_distance.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"
#include "util/regex.hpp"
#include "util/text.hpp"

namespace wyn {

const std::vector<std::string> kReportFormats = {"junit", "ctrf", "markdown", "trace", "html"};
const std::vector<std::string> kJunitFlavors = {"default", "strict"};

namespace {

using nlohmann::json;

/// A key of a configuration file and the CMake setting it comes from, which
/// is what a person has to change: `name` is what messages call it (an
/// argument or a cache variable; empty for keys WynTests.cmake fills in
/// itself), `fallback` the cache variable giving the argument's default.
struct Setting {
  const char* key;
  const char* name;
  const char* fallback;
};

const Setting kSuiteSettings[] = {
    {"format", "", ""},
    {"kind", "", ""},
    {"name", "NAME", ""},
    {"root", "DIRECTORY", ""},
    {"build_dir", "", ""},
    {"source_tree", "", ""},
    {"build_tree", "", ""},
    {"compiler", "COMPILER", "WYN_COMPILER"},
    {"compiler_style", "COMPILER_STYLE", "WYN_COMPILER_STYLE"},
    {"wyn_root", "WYN_ROOT", ""},
    {"compiler_launcher", "COMPILER_LAUNCHER", "WYN_COMPILER_LAUNCHER"},
    {"exit_code", "EXIT_CODE", "WYN_EXIT_CODE"},
    {"no_expect", "NO_EXPECT", "WYN_NO_EXPECT"},
    {"timeout_seconds", "TIMEOUT", "WYN_TEST_TIMEOUT"},
    {"compile_timeout_seconds", "WYN_COMPILE_TIMEOUT", ""},
    {"grace_seconds", "WYN_TIMEOUT_GRACE", ""},
    {"labels", "LABELS", ""},
    {"strict_build", "STRICT_BUILD", "WYN_STRICT_BUILD"},
    {"launcher", "", ""},
    {"emulator", "", ""},
    {"compile_cache_dir", "WYN_COMPILE_CACHE_DIR", ""},
    {"result_cache", "WYN_RESULT_CACHE", ""},
    {"remote_cache", "WYN_REMOTE_CACHE", ""},
    {"remote_cache_mode", "WYN_REMOTE_CACHE_MODE", ""},
    {"toolchain_cache_dir", "", ""},
    {"ccache", "", ""},
    {"cc_wrapper", "", ""},
    {"shard", "WYN_SHARD", ""},
    {"shard_durations", "WYN_SHARD_DURATIONS", ""},
    {"memory_limit_mb", "WYN_MEMORY_LIMIT_MB", ""},
    {"cpu_limit_seconds", "WYN_CPU_LIMIT", ""},
    {"max_open_files", "WYN_MAX_OPEN_FILES", ""},
    {"core_dumps", "WYN_CORE_DUMPS", ""},
    {"output_limit_mb", "WYN_OUTPUT_LIMIT_MB", ""},
    {"leak_policy", "WYN_LEAK_POLICY", ""},
    {"snapshot", "SNAPSHOT", ""},
    {"snapshot_suffix", "SNAPSHOT_SUFFIX", ""},
    {"snapshot_filters", "SNAPSHOT_FILTERS", ""},
    {"compile_args", "COMPILE_ARGS", ""},
    {"scripts", "GLOB or SCRIPT", ""},
    {"working_directory", "WORKING_DIRECTORY", ""},
    {"env", "ENV", ""},
    {"args", "ARGS", ""},
    {"known_failures", "KNOWN_FAILURES", ""},
    {"known_failures_strict", "KNOWN_FAILURES_STRICT", ""},
};

const Setting kReportSettings[] = {
    {"format", "", ""},
    {"report_dir", "", ""},
    {"build_dir", "", ""},
    {"suites", "", ""},
    {"formats", "WYN_REPORT_FORMATS", ""},
    {"junit_flavor", "WYN_JUNIT_FLAVOR", ""},
    {"output_cap", "WYN_REPORT_OUTPUT_CAP", ""},
};

/// "a, b, c" ("" stands for an unset value, which needs no mention).
std::string joined(std::vector<std::string> items) {
  items.erase(std::remove(items.begin(), items.end(), ""), items.end());
  return join(items, ", ");
}

/// Reads the keys of one configuration file, each by its rule; every problem
/// is an Error naming the file, the key and the setting behind it.
class Reader {
 public:
  template <size_t N>
  Reader(const json& doc, const std::string& path, const Setting (&settings)[N])
      : m_doc(doc), m_path(path), m_settings(settings, settings + N) {
    if (!m_doc.is_object()) throw Error(m_path + ": not a JSON object");
    // First: another format may have other keys.
    const json* format = find("format", true);
    if (!format->is_number_integer() || *format != kConfigFormat)
      throw Error(m_path + ": key \"format\": this wyn-ctest reads format " +
                  std::to_string(kConfigFormat) + ", not " + format->dump() +
                  "; run cmake again to rewrite the file");
    for (const auto& item : m_doc.items()) {
      if (setting(item.key())) continue;
      std::string hint;
      for (const Setting& s : m_settings)
        if (edit_distance(item.key(), s.key, 2) <= 2)
          hint = std::string(" (did you mean \"") + s.key + "\"?)";
      throw Error(m_path + ": unknown key \"" + item.key() + "\"" + hint);
    }
  }

  /// The value of `key`, or nullptr when absent (an error when `required`).
  const json* find(const std::string& key, bool required = false) const {
    const auto it = m_doc.find(key);
    if (it != m_doc.end()) return &*it;
    if (required) throw Error(m_path + ": key \"" + key + "\" is missing");
    return nullptr;
  }

  /// Throws "<file>: key "<key>": <NAME> must be <requirement>, not <value> (default: <VAR>)".
  [[noreturn]] void fail(const std::string& key, const std::string& requirement,
                         const json& value) const {
    const Setting& s = *setting(key);
    const std::string shown =
        value.is_string() ? "'" + value.get<std::string>() + "'" : json_text(value);
    throw Error(m_path + ": key \"" + key + "\": " + (*s.name ? std::string(s.name) + " " : "") +
                "must be " + requirement + ", not " + shown +
                (*s.fallback ? std::string(" (default: ") + s.fallback + ")" : ""));
  }

  void string(const std::string& key, std::string& out, bool required = false) const {
    const json* v = find(key, required);
    if (!v) return;
    if (!v->is_string()) fail(key, "a string", *v);
    out = v->get<std::string>();
  }

  /// A path that must be absolute when given; normalized when `normalize`.
  void absolute_path_of(const std::string& key, std::string& out, bool required = false,
                        bool normalize = false) const {
    const json* v = find(key, required);
    if (!v) return;
    if (!v->is_string() || (required && v->get<std::string>().empty()) ||
        (!v->get<std::string>().empty() && !is_absolute_path(v->get<std::string>())))
      fail(key, "an absolute path", *v);
    out = v->get<std::string>();
    if (normalize && !out.empty()) out = absolute_path(out);
  }

  /// One of `allowed` ("" among them: the key may be empty); `note` follows the list.
  void one_of(const std::string& key, std::string& out, const std::vector<std::string>& allowed,
              const std::string& note = "") const {
    const json* v = find(key);
    if (!v) return;
    if (!v->is_string() ||
        std::find(allowed.begin(), allowed.end(), v->get<std::string>()) == allowed.end())
      fail(key, "one of " + joined(allowed) + note, *v);
    out = v->get<std::string>();
  }

  void boolean(const std::string& key, bool& out) const {
    const json* v = find(key);
    if (!v) return;
    if (!v->is_boolean()) fail(key, "true or false", *v);
    out = v->get<bool>();
  }

  /// A number of seconds: positive, or also 0 when `zero_allowed`.
  void seconds(const std::string& key, double& out, bool zero_allowed = false) const {
    const json* v = find(key);
    if (!v) return;
    if (!v->is_number() || !std::isfinite(v->get<double>()) || v->get<double>() < 0 ||
        (!zero_allowed && v->get<double>() == 0))
      fail(key, zero_allowed ? "a number of seconds (0: none)" : "a positive number of seconds",
           *v);
    out = v->get<double>();
  }

  /// A whole number, at least `min`; `unit` says what it counts.
  void count(const std::string& key, uint64_t& out, const std::string& unit,
             uint64_t min = 0) const {
    const json* v = find(key);
    if (!v) return;
    // Parsed text gives non-negative integers the unsigned type; values built
    // in C++ from an int keep the signed one.
    const bool whole =
        v->is_number_unsigned() || (v->is_number_integer() && v->get<int64_t>() >= 0);
    if (!whole || v->get<uint64_t>() < min)
      fail(key, "a whole number of " + unit + (min ? " (" + std::to_string(min) + " or more)" : ""),
           *v);
    out = v->get<uint64_t>();
  }

  void strings(const std::string& key, std::vector<std::string>& out) const {
    const json* v = find(key);
    if (!v) return;
    if (!v->is_array()) fail(key, "a list of strings", *v);
    out.clear();
    for (const json& item : *v) {
      if (!item.is_string()) fail(key, "a list of strings", *v);
      out.push_back(item.get<std::string>());
    }
  }

 private:
  const Setting* setting(const std::string& key) const {
    for (const Setting& s : m_settings)
      if (key == s.key) return &s;
    return nullptr;
  }

  const json& m_doc;
  const std::string& m_path;
  std::vector<Setting> m_settings;
};

/// "K/N" with 1 <= K <= N <= 10000, or "" for no sharding.
void read_shard(const Reader& r, SuiteConfig& config) {
  std::string shard;
  r.string("shard", shard);
  if (shard.empty()) return;
  const std::string requirement = "K/N with 1 <= K <= N <= 10000";
  const size_t slash = shard.find('/');
  const auto whole = [](const std::string& digits) {
    return !digits.empty() && digits.size() <= 5 &&
           std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (slash == std::string::npos || !whole(shard.substr(0, slash)) ||
      !whole(shard.substr(slash + 1)))
    r.fail("shard", requirement, shard);
  const int k = std::stoi(shard.substr(0, slash)), n = std::stoi(shard.substr(slash + 1));
  if (k < 1 || k > n || n > 10000) r.fail("shard", requirement, shard);
  config.shard_index = k;
  config.shard_count = n;
}

/// SNAPSHOT_FILTERS: only with SNAPSHOT, in pairs, every pattern one that
/// the launcher can compile (std::regex's default grammar, ECMAScript), so
/// that a mistake stops the configure step instead of failing every test.
void read_snapshot_filters(const Reader& r, const SuiteConfig& config) {
  const std::vector<std::string>& filters = config.snapshot_filters;
  if (filters.empty()) return;
  if (config.snapshot.empty()) r.fail("snapshot_filters", "empty unless SNAPSHOT is set", filters);
  if (filters.size() % 2 != 0)
    r.fail("snapshot_filters",
           "pairs of a regular expression and its replacement (an even number of strings)",
           filters);
  for (size_t i = 0; i < filters.size(); i += 2) {
    const std::string error = regex_error_message(filters[i]);
    if (!error.empty())
      r.fail("snapshot_filters",
             "pairs of an ECMAScript regular expression and its replacement (pattern " +
                 std::to_string(i / 2 + 1) + ": " + error + ")",
             filters[i]);
  }
}

}  // namespace

SuiteConfig parse_suite_config(const json& doc, const std::string& path) {
  const Reader r(doc, path, kSuiteSettings);
  SuiteConfig c;
  r.find("kind", true);
  r.one_of("kind", c.kind, {"wyn", "script"});
  r.string("name", c.name, true);
  if (c.name.empty()) r.fail("name", "a non-empty name", c.name);
  r.absolute_path_of("root", c.root, true, true);
  r.absolute_path_of("build_dir", c.build_dir, true, true);
  r.absolute_path_of("source_tree", c.source_tree, false, true);
  r.absolute_path_of("build_tree", c.build_tree, false, true);
  r.absolute_path_of("compiler", c.compiler, true);
  if (c.kind == "wyn") {
    r.find("compiler_style", true);
    r.one_of("compiler_style", c.compiler_style, {"legacy", "build"},
             " (or auto, which asks the compiler)");
  } else {
    r.string("compiler_style", c.compiler_style);
  }
  r.absolute_path_of("wyn_root", c.wyn_root);
  r.strings("compiler_launcher", c.compiler_launcher);
  r.one_of("exit_code", c.exit_code, {"zero", "any"});
  r.one_of("no_expect", c.no_expect, {"run", "ignore"});
  r.seconds("timeout_seconds", c.timeout_seconds);
  r.seconds("compile_timeout_seconds", c.compile_timeout_seconds);
  r.seconds("grace_seconds", c.grace_seconds);
  r.strings("labels", c.labels);
  r.boolean("strict_build", c.strict_build);
  r.absolute_path_of("launcher", c.launcher, true);
  r.strings("emulator", c.emulator);

  r.string("compile_cache_dir", c.compile_cache_dir);
  r.boolean("result_cache", c.result_cache);
  r.string("remote_cache", c.remote_cache);
  r.one_of("remote_cache_mode", c.remote_cache_mode, {"read-write", "read-only"});
  r.string("toolchain_cache_dir", c.toolchain_cache_dir);
  r.string("ccache", c.ccache);
  r.absolute_path_of("cc_wrapper", c.cc_wrapper);
  if (!c.toolchain_cache_dir.empty() && (c.ccache.empty() || c.cc_wrapper.empty()))
    throw Error(path + ": key \"toolchain_cache_dir\" needs \"ccache\" and \"cc_wrapper\"");

  read_shard(r, c);
  r.string("shard_durations", c.shard_durations);

  r.count("memory_limit_mb", c.memory_limit_mb, "MiB (0: none)");
  r.seconds("cpu_limit_seconds", c.cpu_limit_seconds, true);
  r.count("max_open_files", c.max_open_files, "files (0: inherited)");
  r.boolean("core_dumps", c.core_dumps);
  r.count("output_limit_mb", c.output_limit_mb, "MiB");
  r.one_of("leak_policy", c.leak_policy, {"fail", "warn"});

  // Spelled as wyn_add_tests takes it; the tools use the lower-case name.
  r.one_of("snapshot", c.snapshot, {"", "GENERATED_C", "OUTPUT"});
  c.snapshot = c.snapshot == "GENERATED_C" ? "generated_c" : c.snapshot == "OUTPUT" ? "output" : "";
  r.string("snapshot_suffix", c.snapshot_suffix);
  if (!c.snapshot.empty() && c.snapshot_suffix.empty())
    r.fail("snapshot_suffix", "a file name suffix when SNAPSHOT is set", c.snapshot_suffix);
  r.strings("snapshot_filters", c.snapshot_filters);
  read_snapshot_filters(r, c);
  r.strings("compile_args", c.compile_args);
  r.strings("scripts", c.scripts);
  r.absolute_path_of("working_directory", c.working_directory, false, true);
  r.strings("env", c.env);
  for (const std::string& entry : c.env)
    if (entry.find('=') == std::string::npos || entry[0] == '=')
      r.fail("env", "a list of NAME=VALUE", entry);
  r.strings("args", c.args);
  r.absolute_path_of("known_failures", c.known_failures, false, true);
  r.boolean("known_failures_strict", c.known_failures_strict);
  return c;
}

SuiteConfig read_suite_config(const std::string& path) {
  return parse_suite_config(read_json_file(path), path);
}

SuiteConfig load_suite_config(const std::string& suite_build_dir) {
  return read_suite_config(suite_build_dir + "/suite.json");
}

ReportConfig parse_report_config(const json& doc, const std::string& path) {
  const Reader r(doc, path, kReportSettings);
  ReportConfig c;
  r.absolute_path_of("report_dir", c.report_dir, true);
  r.absolute_path_of("build_dir", c.build_dir, true);
  r.strings("suites", c.suites);
  for (const std::string& suite : c.suites)
    if (!is_absolute_path(suite)) r.fail("suites", "a list of absolute paths", suite);
  r.strings("formats", c.formats);
  for (const std::string& format : c.formats)
    if (std::find(kReportFormats.begin(), kReportFormats.end(), format) == kReportFormats.end())
      r.fail("formats", "a list of " + joined(kReportFormats), format);
  r.one_of("junit_flavor", c.junit_flavor, kJunitFlavors);
  r.count("output_cap", c.output_cap, "bytes", kMinReportOutputCap);
  return c;
}

ReportConfig read_report_config(const std::string& path) {
  return parse_report_config(read_json_file(path), path);
}

// The JSON conversions the header declares. nlohmann's macro writes them
// inline: here, so that they are compiled once and not in every file that
// includes the header.
namespace json_fields {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    SuiteConfig, name, root, build_dir, source_tree, build_tree, compiler, compiler_style, wyn_root,
    compiler_launcher, exit_code, no_expect, timeout_seconds, compile_timeout_seconds,
    grace_seconds, labels, strict_build, launcher, emulator, compile_cache_dir, result_cache,
    remote_cache, remote_cache_mode, toolchain_cache_dir, ccache, cc_wrapper, shard_index,
    shard_count, shard_durations, memory_limit_mb, cpu_limit_seconds, max_open_files, core_dumps,
    output_limit_mb, leak_policy, kind, snapshot, snapshot_suffix, snapshot_filters, compile_args,
    working_directory, env, args, known_failures, known_failures_strict)
}  // namespace json_fields

void to_json(nlohmann::json& j, const SuiteConfig& value) { json_fields::to_json(j, value); }
void from_json(const nlohmann::json& j, SuiteConfig& value) { json_fields::from_json(j, value); }

}  // namespace wyn
