// wyn-compile: the build step of one test, run by Ninja.
//
//   wyn-compile TEST_DIR
//
// Reads TEST_DIR/test.json, stages the source and the modules it imports into
// TEST_DIR/stage (so the compiler's by-products never land in the source
// tree and no two compiles share a file), runs the compiler there, and writes
// TEST_DIR/compile.json plus a depfile naming everything the result depends
// on. A compile error is an outcome recorded for the launcher, not a build
// failure, unless the suite asked for a strict build. So are faults of the
// test's own directives: the test fails as a harness_error naming the line.
//
// With the compile cache on (docs/caching.md), the step first looks up a key
// made of everything the compiler reads, by content; a hit restores the
// executable (or the failure and its diagnostics) without running the
// compiler. Ninja decides whether this step runs, the cache whether the
// compiler does. TEST_DIR/compile-cache.json says what the lookup found.
//
//   wyn-compile --capture-environment SUITE_DIR
//
// Run at configure time: records the environment variables the compiler
// reads in SUITE_DIR/compile.env, rewriting it only when one changed. Every
// compile step depends on that file and runs the compiler with the recorded
// values, as CMake does with CC: a build sees the environment of the last
// configure, so Ninja needs no step that runs on every build.

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/compile_cache.hpp"
#include "core/compile_key.hpp"
#include "core/directives.hpp"
#include "core/fs.hpp"
#include "core/hash.hpp"
#include "core/json_io.hpp"
#include "core/record.hpp"
#include "core/remote_cache.hpp"
#include "core/sha256.hpp"
#include "core/subprocess.hpp"
#include "core/test_spec.hpp"
#include "core/text.hpp"
#include "toolchain/setup.hpp"

namespace wyn {
namespace {

constexpr size_t kDiagnosticsLimit = 64 * 1024;

/// Environment variables the compiler, or the C toolchain it drives, reads.
/// Their values, captured at configure time, are part of the cache key.
constexpr const char* kCompilerEnvironment[] = {
    "WYN_ROOT", "PATH",           "CC",           "CFLAGS",          "CPPFLAGS", "LDFLAGS",
    "CPATH",    "C_INCLUDE_PATH", "LIBRARY_PATH", "LD_LIBRARY_PATH", "NO_COLOR", "WYN_CC",
};

/// `path` as Ninja names it. Ninja runs the step in the top build directory
/// (WORKING_DIRECTORY in WynTests.cmake) and names outputs inside it
/// relative to it; the depfile must name its output the same way, or Ninja
/// finds the step dirty on every build. CMake could rewrite the depfile
/// (policy CMP0116), but that costs a `cmake -E` process per compile step,
/// several times the cost of the step itself. Relative paths also keep the
/// build directory's own name (blanks, '#', '$') out of the depfile.
std::string ninja_relative(const std::string& path) {
  static const std::string base = [] {
    // $PWD, as the shell's `cd` set it, names the directory as CMake does
    // (through any symbolic link); getcwd() would resolve links.
    const char* pwd = std::getenv("PWD");
    struct stat logical, actual;
    if (pwd && pwd[0] == '/' && ::stat(pwd, &logical) == 0 && ::stat(".", &actual) == 0 &&
        logical.st_ino == actual.st_ino && logical.st_dev == actual.st_dev)
      return std::string(pwd);
    char buffer[PATH_MAX];
    return ::getcwd(buffer, sizeof buffer) ? std::string(buffer) : std::string();
  }();
  if (base.size() > 1 && path.size() > base.size() + 1 && path.compare(0, base.size(), base) == 0 &&
      path[base.size()] == '/')
    return path.substr(base.size() + 1);
  return path;
}

/// Dependencies are listed in the depfile through symbolic links with plain
/// names inside TEST_DIR/deps: Ninja stats through a link, and no path from
/// the user's tree has to survive depfile quoting (which neither Ninja nor
/// CMake's depfile rewriting does faithfully for every character).
class DepLinks {
 public:
  explicit DepLinks(std::string dir) : m_dir(std::move(dir)) {
    remove_tree(m_dir);
    make_directories(m_dir);
  }
  void add(const std::string& name, const std::string& target) {
    replace_symlink(target, m_dir + "/" + name);
    m_paths.push_back(m_dir + "/" + name);
  }
  /// Depfile text for `output`; the paths are made of safe characters only.
  std::string depfile(const std::string& output) const {
    std::string out = ninja_relative(output) + ":";
    for (const std::string& p : m_paths) out += " \\\n  " + ninja_relative(p);
    return out + "\n";
  }

 private:
  std::string m_dir;
  std::vector<std::string> m_paths;
};

std::string stem_of(const std::string& file_name) {
  return file_name.size() > 4 ? file_name.substr(0, file_name.size() - 4) : file_name;
}

/// A file the compiler reads from the stage: its name there and its bytes.
struct StagedFile {
  std::string name;
  std::string text;
};

/// Collects the test's imports (and theirs) from the test's directory for
/// the stage. Imports name modules beside the importing file, so every module
/// of a test lives in the test's own directory. Returns false when one is missing.
bool collect_modules(const std::string& source_dir, const std::string& suite_root,
                     const std::vector<Import>& imports, std::vector<StagedFile>& files,
                     std::set<std::string>& staged, DepLinks& deps, CompileRecord& record) {
  bool all_found = true;
  for (const Import& import : imports) {
    if (!staged.insert(import.module).second) continue;
    const std::string path = source_dir + "/" + import.module + ".wyn";
    std::string text;
    // A module outside the suite (through a link) is not read: the compiler then reports it
    // missing.
    if (!is_within(path, suite_root) || !try_read_file(path, text)) {
      all_found = false;
      continue;
    }
    deps.add("module." + import.module, path);
    record.imports.push_back(path);
    const ParsedSource parsed = parse_source(text, path);
    files.push_back({import.module + ".wyn", std::move(text)});
    all_found &=
        collect_modules(source_dir, suite_root, parsed.imports, files, staged, deps, record);
  }
  return all_found;
}

/// The runtime sources of a legacy compiler, which it compiles into every
/// program: dependencies, and parts of the cache key. Returns their paths.
std::vector<std::string> add_runtime_deps(const std::string& wyn_root, DepLinks& deps) {
  const std::string src = wyn_root + "/src";
  deps.add("runtime-dir", src);  // a runtime file added or removed changes the directory
  std::vector<std::string> names;
  if (DIR* handle = ::opendir(src.c_str())) {
    while (const dirent* entry = ::readdir(handle)) {
      const std::string name = entry->d_name;
      const auto dot = name.rfind('.');
      if (dot == std::string::npos) continue;
      const std::string ext = name.substr(dot);
      if (ext == ".c" || ext == ".h") names.push_back(name);
    }
    ::closedir(handle);
  }
  std::sort(names.begin(), names.end());
  std::vector<std::string> paths;
  for (size_t i = 0; i < names.size(); ++i) {
    paths.push_back(src + "/" + names[i]);
    deps.add("runtime." + std::to_string(i), paths.back());
  }
  return paths;
}

/// What the compiler did, whether it ran now or came from the cache.
struct CompilerOutcome {
  ProcessResult process;
  std::string log;  ///< its raw output
};

std::string compile_failure_reason(const ProcessResult& result, double timeout) {
  if (!result.started) return "the compiler could not be started: " + result.spawn_error;
  if (result.timed_out)
    return "the compiler did not finish within " + std::to_string(static_cast<int>(timeout)) + " s";
  if (result.signal) return "the compiler crashed with " + signal_name(result.signal);
  return "the compiler exited with status " + std::to_string(result.exit_code);
}

/// The value `name` has for the child: the first entry wins, as for getenv().
const std::string* env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const std::string& entry : env)
    if (entry.size() > name.size() && entry[name.size()] == '=' &&
        entry.compare(0, name.size(), name) == 0)
      return &entry;
  return nullptr;
}

/// The part of the key that the environment contributes; also what
/// --capture-environment records.
nlohmann::json compiler_environment(const std::vector<std::string>& env) {
  nlohmann::json values = nlohmann::json::object();
  for (const char* name : kCompilerEnvironment) {
    const std::string* entry = env_value(env, name);
    values[name] =
        entry ? nlohmann::json(entry->substr(std::string_view(name).size() + 1)) : nlohmann::json();
  }
  return values;
}

/// The compiler's environment: this process's, with the variables the
/// compiler reads set as SUITE_DIR/compile.env recorded them at configure
/// time (null: unset), so that what the build runs matches the cache key
/// and the dependency Ninja tracks, whatever the environment of the build.
std::vector<std::string> captured_environment(const std::string& suite_dir) {
  const std::string path = suite_dir + "/compile.env";
  nlohmann::json captured;
  try {
    captured = read_json_file(path);
  } catch (const std::exception& e) {
    throw Error(std::string(e.what()) + " (re-run cmake to record the compiler's environment)");
  }
  std::vector<std::string> env;
  for (const std::string& entry : current_environment()) {
    const std::string name = entry.substr(0, entry.find('='));
    if (std::none_of(std::begin(kCompilerEnvironment), std::end(kCompilerEnvironment),
                     [&](const char* n) { return name == n; }))
      env.push_back(entry);
  }
  for (const char* name : kCompilerEnvironment) {
    const auto value = captured.find(name);
    if (value != captured.end() && value->is_string())
      env.push_back(std::string(name) + "=" + value->get<std::string>());
  }
  return env;
}

/// Why a failed compile must not be replayed, or "" when it may: only a
/// verdict of the compiler on its input is worth replaying, not the machine
/// being short of something or the harness stopping the compiler.
std::string why_not_cacheable(const ProcessResult& p, const std::string& log) {
  if (!p.started) return "the compiler did not start";
  if (p.timed_out) return "the compiler timed out";
  if (p.signal != 0) {
    // A compiler crashing on an input is deterministic; being killed is not.
    static const int deterministic[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
    if (std::find(std::begin(deterministic), std::end(deterministic), p.signal) ==
        std::end(deterministic))
      return "the compiler was killed by " + signal_name(p.signal);
  }
  // The compiler's own spawn of clang failing for lack of processes (the real
  // suites saw it at -j20) is a momentary state of the machine.
  for (int err : {EAGAIN, ENOMEM, EMFILE, ENFILE, ENOSPC})
    if (contains(log, std::strerror(err))) return std::string("transient: ") + std::strerror(err);
  if (contains(log, "out of memory") || contains(log, "Out of memory"))
    return "transient: out of memory";
  return "";
}

/// Writes the program so that it is never visible half-written or without its x bit.
void write_executable(const std::string& path, const std::string& bytes) {
  const std::string temp = path + ".restore";
  write_file_atomic(temp, bytes);
  if (::chmod(temp.c_str(), 0755) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw Error("cannot write '" + path + "': " + std::strerror(err));
  }
}

/// The compile cache as seen by one compile step: the key, what the lookups
/// (local, then remote) found and whether the outcome was stored, recorded in
/// compile-cache.json so that a person can see why a test recompiled. The
/// record never names the remote's URL or its header.
class StepCache {
 public:
  StepCache(const SuiteConfig& suite, const std::string& suite_dir, const std::string& test_dir)
      : m_cache(suite.compile_cache_dir),
        m_record_path(test_dir + "/compile-cache.json"),
        m_remote_settings(remote_settings(suite.remote_cache, suite.remote_cache_mode)),
        m_down(remote_down_marker_path(suite.build_tree, suite_dir)) {
    // "none" until a compile is looked up: modules, skips and faults never are.
    m_account["lookup"] = suite.compile_cache_dir.empty() ? "off" : "none";
    m_account["stored"] = false;
    m_account["remote"] = m_remote_settings.url.empty() ? "off" : "none";
  }
  bool enabled() const { return !m_cache.dir().empty() && !m_key.empty(); }

  /// Sets the key; an empty `unusable` reason means caching goes ahead.
  void set_key(const CacheKey& key, const std::string& unusable) {
    if (m_cache.dir().empty()) return;
    nlohmann::json parts = nlohmann::json::object();
    for (const auto& [name, value] : key.parts()) parts[name] = value;
    m_account["parts"] = parts;
    if (!unusable.empty()) {
      m_account["lookup"] = "off";
      m_account["note"] = unusable;
      return;
    }
    m_key = key.hex();
    m_account["key"] = m_key;
  }

  /// The remote, for ccache too, unless there is none or it is down for this build.
  const RemoteSettings* usable_remote() {
    if (m_remote_settings.url.empty()) return nullptr;
    if (!m_down_checked) {
      m_down_checked = true;
      m_remote_down = m_down.down();
      if (m_remote_down) m_account["remote"] = "down";
    }
    return m_remote_down ? nullptr : &m_remote_settings;
  }

  bool lookup(CacheEntry& entry) {
    if (!enabled()) return false;
    m_account["lookup"] = "miss";
    if (m_cache.lookup(m_key, entry)) {
      m_account["lookup"] = "hit";
      return true;
    }
    if (!usable_remote()) return false;
    std::string bytes, problem;
    RemoteCounts counts;
    const RemoteFetch fetched = remote().get(m_key, bytes, problem);
    bool hit = false;
    if (fetched == RemoteFetch::error) {
      ++counts.errors;
      remote_failed(problem);
    } else if (fetched == RemoteFetch::miss) {
      ++counts.misses;
      m_account["remote"] = "miss";
    } else if (decode_cache_entry(m_key, bytes, entry, problem)) {
      // Verified: size, SHA-256 and key match. Kept locally for next time.
      ++counts.hits;
      hit = true;
      m_account["remote"] = "hit";
      m_account["lookup"] = "hit";
      std::string ignored;
      m_cache.store(m_key, entry, ignored);
    } else {
      // Whatever the wire brought is not trusted: a miss, and the compiler runs.
      ++counts.misses;
      ++counts.corrupt;
      m_account["remote"] = "corrupt";
      m_account["remote_problem"] = problem;
    }
    m_cache.count_remote(counts);
    return hit;
  }

  void store(const CacheEntry& entry) {
    if (!enabled()) return;
    std::string problem;
    if (m_cache.store(m_key, entry, problem)) {
      m_account["stored"] = true;
    } else {
      m_account["note"] = "not stored: " + problem;
      std::fprintf(stderr, "wyn-compile: warning: compile cache %s: %s\n", m_cache.dir().c_str(),
                   problem.c_str());
    }
    if (!usable_remote() || m_remote_settings.read_only) return;
    RemoteCounts counts;
    if (remote().put(m_key, encode_cache_entry(m_key, entry), problem)) {
      ++counts.uploads;
      m_account["uploaded"] = true;
    } else {
      ++counts.errors;
      remote_failed(problem);
    }
    m_cache.count_remote(counts);
  }

  void not_stored(const std::string& why) {
    if (enabled()) m_account["note"] = "not stored: " + why;
  }

  void write() const { write_json_file(m_record_path, m_account); }

 private:
  RemoteCache& remote() {
    if (!m_remote) m_remote = std::make_unique<RemoteCache>(m_remote_settings);
    return *m_remote;
  }

  /// The remote is down for this build: later steps skip it, and the first
  /// step to notice tells the user (once).
  void remote_failed(const std::string& problem) {
    m_remote_down = true;
    m_account["remote"] = "error";
    m_account["remote_problem"] = problem;
    const std::string url = redact_url(m_remote_settings.url);
    if (m_down.mark(url + ": " + problem))
      std::fprintf(stderr,
                   "wyn-compile: warning: remote cache %s failed (%s); this build continues with "
                   "the local cache only (the remote is tried again in %d minutes)\n",
                   url.c_str(), problem.c_str(),
                   static_cast<int>(RemoteDownMarker::kRemoteRetrySeconds / 60));
  }

  CompileCache m_cache;
  std::string m_record_path;
  std::string m_key;
  RemoteSettings m_remote_settings;
  RemoteDownMarker m_down;
  std::unique_ptr<RemoteCache> m_remote;
  bool m_down_checked = false;
  bool m_remote_down = false;
  nlohmann::json m_account = nlohmann::json::object();
};

/// The remote storage setting ccache gets (`CCACHE_REMOTE_STORAGE`): the
/// same server under /ccache, with short timeouts, read-only when we are,
/// and the bearer token of the authentication header (ccache's http backend
/// takes no other header; user:password in the URL works for both).
std::string ccache_remote_storage(const RemoteSettings& remote) {
  std::string value = remote.url + "/ccache|connect-timeout=500|operation-timeout=10000";
  if (remote.read_only) value += "|read-only=true";
  const std::string token = bearer_token(remote.header);
  if (!token.empty()) value += "|bearer-token=" + token;
  return value;
}

/// Runs this step as wyn-compile-remote, the twin beside this program that
/// has libcurl (see generator/CMakeLists.txt). Returns only when there is
/// none; the step then goes on without the remote and says why.
void hand_to_remote_twin(const std::string& test_dir) {
  const std::string self = executable_path();
  if (self.empty()) return;
  const std::string twin = parent_path(self) + "/wyn-compile-remote";
  if (::access(twin.c_str(), X_OK) != 0) return;
  const char* const argv[] = {twin.c_str(), test_dir.c_str(), nullptr};
  ::execv(twin.c_str(), const_cast<char* const*>(argv));
}

int compile(const std::string& test_dir) {
  const auto started = std::chrono::steady_clock::now();
  const TestSpec spec = load_test_spec(test_dir);
  const std::string suite_dir = suite_dir_of(test_dir);
  const SuiteConfig suite = load_suite_config(suite_dir);
  if (!remote_cache_speaks_http() && !suite.compile_cache_dir.empty()) {
    const RemoteSettings remote = remote_settings(suite.remote_cache, suite.remote_cache_mode);
    if (!remote.url.empty() &&
        !RemoteDownMarker(remote_down_marker_path(suite.build_tree, suite_dir)).down())
      hand_to_remote_twin(test_dir);
  }
  const std::string record_path = test_dir + "/compile.json";
  const std::string executable = test_dir + "/bin/program";

  CompileRecord record;
  record.name = spec.name;
  record.source = spec.source;

  // Whatever happens next, no older executable survives to be run.
  ::unlink(executable.c_str());
  make_directories(test_dir + "/bin");
  DepLinks deps(test_dir + "/deps");
  deps.add("compiler", suite.compiler);
  deps.add("source", spec.source);
  StepCache cache(suite, suite_dir, test_dir);

  const auto finish = [&](int exit_code) {
    write_file_atomic(test_dir + "/compile.d", deps.depfile(record_path));
    cache.write();
    write_json_file(record_path, record);
    return exit_code;
  };

  std::string text;
  if (!try_read_file(spec.source, text)) {
    record.kind = "test";
    record.status = "harness_error";
    record.reason = "cannot read the source " + spec.source;
    return finish(0);
  }
  record.source_hash = fnv1a64_hex(text);
  const ParsedSource parsed = parse_source(text, spec.source);
  record.directives = parsed.directives;
  const Directives& d = parsed.directives;
  // A file with bad directives is a test whatever else it says, so that its
  // problem is reported where people look: in the test's result.
  if (!parsed.errors.empty() || d.has_expectations() ||
      (parsed.has_main && suite.no_expect == "run")) {
    record.kind = "test";
  } else {
    record.kind = parsed.has_main ? "ignored" : "module";
  }

  if (!parsed.errors.empty()) {
    // The test's own fault, not the build's: it fails as a harness_error
    // naming file:line, and every other test of the suite builds and runs.
    for (const Diagnostic& e : parsed.errors) record.directive_errors.push_back(e.str());
    record.status = "harness_error";
    record.reason = "invalid directives: " + record.directive_errors.front();
    if (record.directive_errors.size() > 1)
      record.reason += " (and " + std::to_string(record.directive_errors.size() - 1) + " more)";
    return finish(suite.strict_build ? 1 : 0);
  }
  if (record.kind != "test" || d.skip) {
    record.status = "not_compiled";
    return finish(0);
  }

  // The stage: a fresh directory holding the source under its own name and
  // its modules, written only when the compiler is to run.
  const std::string stage = test_dir + "/stage";
  remove_tree(stage);
  const std::string file_name = base_name(spec.source);
  std::vector<StagedFile> staged_files = {{file_name, text}};
  std::set<std::string> staged;
  const std::string source_dir = parent_path(spec.source);
  if (!collect_modules(source_dir, suite.root, parsed.imports, staged_files, staged, deps,
                       record)) {
    // Creating the missing module must recompile: depend on the directory too.
    deps.add("source-dir", source_dir);
  }
  std::vector<std::string> runtime;
  if (suite.compiler_style == "legacy") runtime = add_runtime_deps(suite.wyn_root, deps);

  SpawnOptions options;
  options.argv = suite.compiler_launcher;
  options.argv.push_back(suite.compiler);
  // The command without the launcher, which must not change the result, and
  // without this build directory's paths, so that build directories share entries.
  std::vector<std::string> command_shape;
  std::string produced;
  // A file named "-j8.wyn" must not read as an option.
  const std::string file_arg = file_name[0] == '-' ? "./" + file_name : file_name;
  if (suite.compiler_style == "legacy") {
    // The legacy CLI writes NAME.ll, NAME.o and NAME.out beside its input.
    options.argv.push_back(file_arg);
    command_shape = {file_arg};
    produced = stage + "/" + stem_of(file_name) + ".out";
  } else {
    produced = test_dir + "/bin/program.new";
    options.argv.insert(options.argv.end(), {"build", file_arg});
    command_shape = {"build", file_arg};
  }
  // COMPILE_ARGS follow the file, as in `wyn build NAME.wyn --debug`; being
  // in the command shape, they are part of the cache key.
  options.argv.insert(options.argv.end(), suite.compile_args.begin(), suite.compile_args.end());
  command_shape.insert(command_shape.end(), suite.compile_args.begin(), suite.compile_args.end());
  if (suite.compiler_style != "legacy") {
    options.argv.insert(options.argv.end(), {"-o", produced});
    command_shape.insert(command_shape.end(), {"-o", "<output>"});
  }
  // GENERATED_C snapshot suites judge the C the compiler leaves beside the
  // file it compiled (stage/NAME.wyn.c); it is copied out of the stage.
  const std::string generated = test_dir + "/generated.c";
  ::unlink(generated.c_str());
  options.cwd = stage;
  options.env = captured_environment(suite_dir);
  // The remote cache's settings (its header may hold a secret) are ours, not the compiler's.
  options.env.erase(
      std::remove_if(options.env.begin(), options.env.end(),
                     [](const std::string& e) { return e.rfind("WYN_REMOTE_CACHE", 0) == 0; }),
      options.env.end());
  if (suite.compiler_style == "legacy") {
    // Ours must be the only WYN_ROOT: with two, the child would see the first.
    options.env.erase(
        std::remove_if(options.env.begin(), options.env.end(),
                       [](const std::string& e) { return e.rfind("WYN_ROOT=", 0) == 0; }),
        options.env.end());
    options.env.push_back("WYN_ROOT=" + suite.wyn_root);
  }
  options.stdout_path = test_dir + "/compile.log";
  options.timeout_seconds = suite.compile_timeout_seconds;
  options.grace_seconds = suite.grace_seconds;
  record.command = options.argv;

  if (!suite.compile_cache_dir.empty()) {
    // Everything the compiler reads, by content, wherever the trees lie (docs/caching.md).
    const FileHashMemo memo(suite_dir + "/file-hashes");
    CompileKeyInputs in;
    std::string unusable;
    in.style = suite.compiler_style;
    in.compiler = suite.compiler;
    if (!memo.hash(suite.compiler, in.compiler_sha256))
      unusable = "cannot read the compiler " + suite.compiler;
    in.command = command_shape;
    for (const StagedFile& f : staged_files) in.stage.emplace_back(f.name, sha256_hex(f.text));
    for (const std::string& path : runtime) {
      std::string hex;
      if (!memo.hash(path, hex)) unusable = "cannot read the runtime source " + path;
      in.runtime.emplace_back(base_name(path), hex);
    }
    const nlohmann::json environment = compiler_environment(options.env);
    for (const auto& [name, value] : environment.items()) {
      if (value.is_null())
        in.unset.push_back(name);
      else
        in.environment.emplace_back(name, value.get<std::string>());
    }
    const char* home = std::getenv("HOME");
    in.where = {suite.source_tree, suite.build_tree, home && *home ? home : ""};
    // The cache stores the executable, not the generated C.
    if (suite.snapshot == "generated_c")
      unusable = "GENERATED_C snapshots need the compiler to run";
    cache.set_key(compile_cache_key(in), unusable);
  }

  if (!suite.toolchain_cache_dir.empty()) {
    // After the key: the wrapper's directory on PATH is this build
    // directory's, and must not keep build directories from sharing entries.
    ensure_wrapper_links(toolchain_bin_dir(suite_dir), suite.cc_wrapper);
    options.env = toolchain_environment(suite, suite_dir, std::move(options.env));
    if (const RemoteSettings* remote = cache.usable_remote())
      options.env.push_back("WYN_CTEST_CC_REMOTE=" + ccache_remote_storage(*remote));
  }

  CompilerOutcome outcome;
  CacheEntry entry;
  const bool hit = cache.lookup(entry);
  if (hit) {
    outcome.process.started = true;
    outcome.process.exit_code = entry.exit_code;
    outcome.process.signal = entry.signal;
    outcome.log = entry.log;
    write_file_atomic(options.stdout_path, entry.log);
    if (entry.status == "compiled") write_executable(executable, entry.executable);
  } else {
    make_directories(stage);
    for (const StagedFile& f : staged_files) write_file_atomic(stage + "/" + f.name, f.text);
    ::unlink(produced.c_str());
    outcome.process = run_process(options);
    try_read_file(options.stdout_path, outcome.log);
  }
  const ProcessResult& result = outcome.process;
  record.exit_code = result.signal ? -1 : result.exit_code;
  record.signal = result.signal ? signal_name(result.signal) : "";
  record.timed_out = result.timed_out;
  record.diagnostics = excerpt(strip_ansi(outcome.log), kDiagnosticsLimit);

  const bool ok =
      result.started && !result.timed_out && result.signal == 0 && result.exit_code == 0;
  bool compiled = hit && entry.status == "compiled";
  if (!hit && ok && suite.snapshot == "generated_c") {
    std::string c_text;
    if (try_read_file(stage + "/" + file_name + ".c", c_text)) write_file_atomic(generated, c_text);
  }
  if (!hit && ok) {
    std::string program;
    struct stat st;
    if (::stat(produced.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        try_read_file(produced, program)) {
      if (::rename(produced.c_str(), executable.c_str()) != 0)
        throw Error("cannot move '" + produced + "' to '" + executable + "'");
      compiled = true;
      cache.store({"compiled", 0, 0, result.wall_seconds, outcome.log, program});
    } else {
      cache.not_stored("no executable");
    }
  } else if (!hit) {
    const std::string why_not = why_not_cacheable(result, outcome.log);
    if (why_not.empty())
      cache.store(
          {"failed", result.exit_code, result.signal, result.wall_seconds, outcome.log, ""});
    else
      cache.not_stored(why_not);
  }
  record.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (compiled) {
    record.status = "compiled";
    record.executable = executable;
    return finish(0);
  }
  if (!result.started) {
    // Not the test's fault: the machine could not start the compiler (the
    // spawn was retried on EAGAIN, ENOMEM and EMFILE before giving up).
    record.status = "harness_error";
    record.reason = compile_failure_reason(result, suite.compile_timeout_seconds);
    return finish(0);
  }
  record.status = "failed";
  record.reason = ok ? "the compiler reported success but wrote no executable (" + produced + ")"
                     : compile_failure_reason(result, suite.compile_timeout_seconds);
  if (suite.strict_build && !d.has_expect_error) {
    std::fprintf(stderr, "wyn-compile: error: %s: %s\n%s", spec.source.c_str(),
                 record.reason.c_str(), record.diagnostics.c_str());
    return finish(1);
  }
  return finish(0);
}

/// `--capture-environment SUITE_DIR`, run at configure time: rewrites
/// SUITE_DIR/compile.env only when a variable the compiler reads changed, so
/// that exactly then every compile step runs again (and asks the cache).
int capture_environment(const std::string& suite_dir) {
  write_file_if_changed(suite_dir + "/compile.env",
                        dump_json(compiler_environment(current_environment())));
  return 0;
}

}  // namespace
}  // namespace wyn

int main(int argc, char** argv) {
  const bool capture = argc == 3 && std::string(argv[1]) == "--capture-environment";
  if (argc != 2 && !capture) {
    std::fprintf(
        stderr,
        "usage: wyn-compile TEST_DIR\n       wyn-compile --capture-environment SUITE_DIR\n");
    return 2;
  }
  try {
    return capture ? wyn::capture_environment(argv[2]) : wyn::compile(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wyn-compile: error: %s\n", e.what());
    return 1;
  }
}
