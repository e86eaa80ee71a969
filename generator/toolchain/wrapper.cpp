#include "toolchain/wrapper.hpp"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "cache/compile_cache.hpp"
#include "cache/toolchain/ccache.hpp"
#include "cache/toolchain/counters.hpp"
#include "cache/toolchain/link_memo.hpp"
#include "cache/toolchain/object_memo.hpp"
#include "process/subprocess.hpp"
#include "toolchain/cc_command.hpp"
#include "util/file_lock.hpp"
#include "util/fs.hpp"
#include "util/sha256.hpp"

namespace wyn {

namespace {

/// Changes whenever the memo key's composition changes.
constexpr const char* kMemoKeyFormat = "wyn-cc-memo-key/1";
/// Likewise for the key made of the preprocessed source.
constexpr const char* kPreprocessedKeyFormat = "wyn-cc-preprocessed-key/1";

/// Builtins that read the line markers, which the preprocessed key leaves out.
constexpr std::string_view kMarkerBuiltins[] = {"__builtin_FILE", "__builtin_LINE",
                                                "__builtin_source_location"};

/// Environment variables that change what a compile produces or prints.
constexpr const char* kCompileEnvironment[] = {
    "CPATH", "C_INCLUDE_PATH", "GCC_EXEC_PREFIX", "COMPILER_PATH", "SOURCE_DATE_EPOCH",
    "LANG",  "LC_ALL",         "LC_MESSAGES",     "GCC_COLORS",    "TERM",
};

/// Flags whose value is a path the compile reads, separate or joined.
constexpr const char* kPathFlags[] = {"-I", "-isystem", "-iquote", "-idirafter", "-include"};

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  size_t pos = 0;
  while ((pos = text.find_first_not_of(" \t", pos)) != std::string::npos) {
    const size_t end = text.find_first_of(" \t", pos);
    words.push_back(text.substr(pos, end == std::string::npos ? std::string::npos : end - pos));
    pos = end;
  }
  return words;
}

/// True when a compile flag names a relative path: the working directory then matters.
bool uses_relative_paths(const CcPlan& plan, const std::string& source) {
  if (!is_absolute_path(source)) return true;
  for (size_t i = 0; i < plan.compile_flags.size(); ++i) {
    const std::string& flag = plan.compile_flags[i];
    for (const char* name : kPathFlags) {
      const std::string_view n(name);
      if (flag.compare(0, n.size(), n) != 0) continue;
      const std::string value = flag.size() > n.size()              ? flag.substr(n.size())
                                : i + 1 < plan.compile_flags.size() ? plan.compile_flags[i + 1]
                                                                    : std::string();
      if (!value.empty() && !is_absolute_path(value)) return true;
    }
  }
  return false;
}

[[noreturn]] void exec_compiler(const std::string& real, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {real};
  argv.insert(argv.end(), args.begin(), args.end());
  exec_program(argv);
  std::fprintf(stderr, "wyn-cc: error: cannot run '%s': %s\n", real.c_str(), std::strerror(errno));
  std::exit(127);
}

/// Runs `argv` with `env`, its stderr into `stderr_path` (a failure to
/// start it is written there too).
ChildExit run_child(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                    const std::string& stderr_path) {
  const ChildExit result = run_and_wait(argv, env, stderr_path);
  if (!result.started)
    write_file_atomic(stderr_path, "wyn-cc: error: cannot run '" + argv[0] +
                                       "': " + std::strerror(result.spawn_errno) + "\n");
  return result;
}

/// The exit status a failed compile gives the whole command.
int exit_status_of(const ChildExit& result) {
  if (result.started && result.signal == 0 && result.exit_code >= 0) return result.exit_code;
  return 1;
}

void replay(const std::string& diagnostics) {
  if (diagnostics.empty()) return;
  std::fwrite(diagnostics.data(), 1, diagnostics.size(), stderr);
  std::fflush(stderr);
}

/// What a child wrote into `err_path` (see run_child): replayed on our
/// stderr, the file removed; the text, for a memo that keeps it.
std::string replay_from(const std::string& err_path) {
  std::string err;
  try_read_file(err_path, err);
  ::unlink(err_path.c_str());
  replay(err);
  return err;
}

/// An exclusive lock held while one key is compiled, so that concurrent
/// wrappers needing the same object compile it once.
using KeyLock = FileLock;

double now_seconds() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration<double>(since_epoch).count();
}

/// The split command's state: one object per source.
struct Split {
  std::string counters_source;  ///< whose counters: "" (compile steps) or kScriptCounters
  bool preprocessed = false;    ///< objects keyed by the preprocessed source (script tests)
  /// Script tests: their fresh TMPDIR. An object whose key holds it cannot
  /// be asked for again after the test: it is neither remembered nor kept.
  std::string test_tmpdir;
  std::vector<std::string> transient;  ///< such objects, removed after the link
  std::string program;  ///< the real compiler as found on PATH (its name can matter to it)
  std::string real;     ///< the same, symbolic links resolved
  std::string compiler_sha256;
  std::string cwd;
  std::string memo_dir;
  std::string cache_dir;
  std::string ccache;
  CcPlan plan;
  ToolchainCounters counters;
  int failure = 0;  ///< exit status of the first failed compile, 0 while none failed
};

/// `text` (preprocessor output) without its line markers (`# 12 "file"`,
/// `#line 12 "file"`), which name where each line came from.
std::string without_line_markers(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    end = end == std::string_view::npos ? text.size() : end + 1;
    const std::string_view line = text.substr(pos, end - pos);
    size_t i = 0;
    if (!line.empty() && line[0] == '#') {
      i = line.find_first_not_of(" \t", 1);
      const bool marker = i != std::string_view::npos &&
                          ((line[i] >= '0' && line[i] <= '9') || line.compare(i, 4, "line") == 0);
      if (marker) {
        pos = end;
        continue;
      }
    }
    out.append(line);
    pos = end;
  }
  return out;
}

/// How both kinds of compile key begin: the key's format, the compiler (as
/// the command names it, its file and its bytes) and the compile flags.
CacheKey object_key_base(const Split& s, const char* format) {
  CacheKey key;
  key.add("format", format);
  key.add("program", s.program);
  key.add("compiler", s.real);
  key.add("compiler.sha256", s.compiler_sha256);
  for (const std::string& flag : s.plan.compile_flags) key.add("flag", flag);
  return key;
}

/// How both end: the environment variables the compiler reads.
void add_compile_environment(CacheKey& key) {
  for (const char* name : kCompileEnvironment) {
    const char* value = std::getenv(name);
    key.add(std::string("env/") + name, value ? "=" + std::string(value) : "<unset>");
  }
}

/// The key of compiling source `i` as what the preprocessor makes of it,
/// line markers left out: the same program text then gives the same key
/// wherever its file lies and whatever path its own `#line` lines name, as
/// the C a Wyn compiler writes into a script's fresh temporary directory
/// does. Headers need no dependency list: their text is in the key.
/// Without debug information (which records those paths) the object does
/// not depend on them; the diagnostics may, so an entry is reused only when
/// the compile printed nothing. False when there is no such key: a `-g`
/// flag, a builtin that reads the markers, or a preprocessor that failed
/// (the compile proper reports it).
bool preprocessed_key(const Split& s, size_t i, std::string& hex, bool& transient) {
  for (const std::string& flag : s.plan.compile_flags)
    if (flag.compare(0, 2, "-g") == 0 && flag != "-g0") return false;
  const std::string temp = s.memo_dir + "/pp." + std::to_string(::getpid());
  std::vector<std::string> argv = {s.program};
  argv.insert(argv.end(), s.plan.compile_flags.begin(), s.plan.compile_flags.end());
  argv.insert(argv.end(), {"-E", s.plan.sources[i], "-o", temp + ".i"});
  const ChildExit status = run_child(argv, current_environment(), temp + ".err");
  std::string text;
  const bool ok = status.succeeded() && try_read_file(temp + ".i", text);
  ::unlink((temp + ".i").c_str());
  ::unlink((temp + ".err").c_str());
  if (!ok) return false;
  const std::string program_text = without_line_markers(text);
  for (const std::string_view builtin : kMarkerBuiltins)
    if (program_text.find(builtin) != std::string::npos) return false;
  // A program holding its own path (__FILE__) in the test's temporary directory.
  transient = !s.test_tmpdir.empty() && program_text.find(s.test_tmpdir) != std::string::npos;
  CacheKey key = object_key_base(s, kPreprocessedKeyFormat);
  // The object names its source file (an STT_FILE symbol of the base name).
  key.add("source.name", base_name(s.plan.sources[i]));
  key.add("preprocessed.sha256", sha256_hex(program_text));
  add_compile_environment(key);
  hex = key.hex();
  return true;
}

/// The key of compiling source `i` by its path and bytes (the object memo's
/// entry then lists the headers it read).
std::string exact_key(const Split& s, size_t i, const std::string& text, bool readable) {
  const std::string& source = s.plan.sources[i];
  CacheKey key = object_key_base(s, kMemoKeyFormat);
  key.add("source", source);
  key.add("source.sha256", readable ? sha256_hex(text) : std::string("<unreadable>"));
  if (uses_relative_paths(s.plan, source)) key.add("cwd", s.cwd);
  add_compile_environment(key);
  return key.hex();
}

/// Compiles source `i` to an object of this command alone, removed after
/// the link; its path, or "" on failure.
std::string transient_object(Split& s, size_t i) {
  const std::string temp =
      s.memo_dir + "/transient." + std::to_string(::getpid()) + "." + std::to_string(i);
  const std::string object = temp + ".o", err_path = temp + ".err";
  std::vector<std::string> argv = {s.program};
  const std::vector<std::string> args = compile_arguments(s.plan, i, object);
  argv.insert(argv.end(), args.begin(), args.end());
  const ChildExit status = run_child(argv, current_environment(), err_path);
  ++s.counters.compiles;
  replay_from(err_path);
  if (!status.succeeded()) {
    ++s.counters.compile_failures;
    ::unlink(object.c_str());
    if (s.failure == 0) s.failure = exit_status_of(status);
    return "";
  }
  s.transient.push_back(object);
  return object;
}

/// Compiles source `i` (or finds it in the memo); its object's path, or "" on failure.
std::string object_for(Split& s, size_t i) {
  const std::string& source = s.plan.sources[i];
  std::string text;
  // An unreadable source is the compiler's to report: compile it plainly.
  const bool readable = try_read_file(source, text);
  std::string hex;
  bool transient = false;
  const bool whole = readable && s.preprocessed && preprocessed_key(s, i, hex, transient);
  if (!whole) {
    hex = exact_key(s, i, text, readable);
    const std::string path = is_absolute_path(source) ? source : s.cwd + "/" + source;
    transient = !s.test_tmpdir.empty() && path.rfind(s.test_tmpdir + "/", 0) == 0;
  }
  if (transient) return transient_object(s, i);
  const ObjectMemo memo(s.memo_dir);
  std::string object, diagnostics;
  // A whole-text entry with diagnostics may name another file's path: not reused.
  const auto found = [&] {
    return readable && memo.lookup(hex, object, diagnostics) && (!whole || diagnostics.empty());
  };
  if (found()) {
    ++s.counters.memo_hits;
    replay(diagnostics);
    return object;
  }
  const KeyLock lock(memo.lock_path(hex));
  if (found()) {
    ++s.counters.memo_hits;
    replay(diagnostics);
    return object;
  }
  const std::string temp = s.memo_dir + "/" + hex + "." + std::to_string(::getpid());
  const std::string temp_object = temp + ".o", temp_depfile = temp + ".d", temp_err = temp + ".err";
  std::vector<std::string> args = compile_arguments(s.plan, i, temp_object);
  args.insert(args.end(), {"-MD", "-MF", temp_depfile});
  const double started = now_seconds();
  ChildExit status;
  // ccache keys by the preprocessor's output with its line markers, which
  // name the file's path: for an object keyed by its preprocessed text
  // (a script's program at a fresh path) it could only miss, at a cost.
  if (!s.ccache.empty() && !whole) {
    std::vector<std::string> argv = {s.ccache, s.program};
    argv.insert(argv.end(), args.begin(), args.end());
    try {
      write_ccache_config(s.cache_dir);
      status = run_child(argv, ccache_environment(current_environment(), s.cache_dir), temp_err);
    } catch (const std::exception&) {
      status = ChildExit();
    }
  }
  if (!status.succeeded()) {
    // Without ccache, or ccache failed: the compiler's own verdict decides,
    // so a damaged or missing ccache directory never changes a result.
    std::vector<std::string> argv = {s.program};
    argv.insert(argv.end(), args.begin(), args.end());
    status = run_child(argv, current_environment(), temp_err);
  }
  ++s.counters.compiles;
  const std::string err = replay_from(temp_err);
  if (!status.succeeded()) {
    ++s.counters.compile_failures;
    ::unlink(temp_object.c_str());
    ::unlink(temp_depfile.c_str());
    if (s.failure == 0) s.failure = exit_status_of(status);
    return "";
  }
  const std::string stored = memo.object_path(hex);
  const bool kept = !readable     ? false
                    : !whole      ? memo.store(hex, temp_object, temp_depfile, s.cwd, err, started)
                    : err.empty() ? memo.store_whole(hex, temp_object, err)
                                  : false;
  if (!kept) {
    // Not remembered, but still this command's object.
    ::unlink((s.memo_dir + "/" + hex + ".memo").c_str());
    rename_file(temp_object, stored);
  }
  ::unlink(temp_depfile.c_str());
  return stored;
}

/// Links the objects of a split command, or restores the same link's output
/// from the memo when every input is unchanged; the command's exit status.
int link_split(Split& s, const std::vector<std::string>& objects) {
  const std::vector<std::string> args = link_arguments(s.plan, objects);
  std::vector<std::string> argv = {s.program};
  argv.insert(argv.end(), args.begin(), args.end());
  if (!s.transient.empty()) {
    // Linked, never remembered, and its objects removed.
    const std::string err_path = s.memo_dir + "/transient." + std::to_string(::getpid()) + ".err";
    const ChildExit status = run_child(argv, current_environment(), err_path);
    ++s.counters.links;
    for (const std::string& object : s.transient) ::unlink(object.c_str());
    replay_from(err_path);
    return status.succeeded() ? 0 : exit_status_of(status);
  }
  const LinkKey key =
      link_memo_key(s.program, s.compiler_sha256, args, s.cwd, s.memo_dir + "/inputs");
  const auto run_unmemoised = [&] {
    ++s.counters.links;
    add_toolchain_counters(s.cache_dir, s.counters, s.counters_source);
    exec_compiler(s.program, args);
  };
  if (key.hex.empty()) run_unmemoised();
  const LinkMemo memo(s.memo_dir + "/links");
  const std::string output = is_absolute_path(key.output) ? key.output : s.cwd + "/" + key.output;
  // Only a regular file is put in place from the memo: `-o /dev/null` (a
  // script checking that something links; `-o NUL` on Windows, which
  // cannot be examined as a file) must reach the device itself, never a
  // file renamed over it.
  FileStat st;
  if (lstat_file(output, st) ? !st.regular : errno != ENOENT) run_unmemoised();
  std::string diagnostics;
  if (memo.restore(key.hex, output, diagnostics)) {
    ++s.counters.link_hits;
    replay(diagnostics);
    return 0;
  }
  try {
    make_directories(memo.dir());
  } catch (const std::exception&) {
    run_unmemoised();
  }
  const KeyLock lock(memo.lock_path(key.hex));
  if (memo.restore(key.hex, output, diagnostics)) {
    ++s.counters.link_hits;
    replay(diagnostics);
    return 0;
  }
  const std::string err_path =
      memo.dir() + "/" + key.hex + "." + std::to_string(::getpid()) + ".err";
  const ChildExit status = run_child(argv, current_environment(), err_path);
  ++s.counters.links;
  const std::string err = replay_from(err_path);
  if (!status.succeeded()) return exit_status_of(status);
  memo.store(key.hex, output, err);  // not kept: only the next link runs again
  return 0;
}

}  // namespace

std::string find_next_on_path(const std::string& name, const std::string& path,
                              const std::string& self) {
  FileStat self_stat;
  const bool have_self = !self.empty() && stat_file(self, self_stat);
  const auto same = [](const FileStat& a, const FileStat& b) {
    return a.device == b.device && a.inode == b.inode;
  };
  // "gcc" is gcc.exe on Windows, as is "gcc.exe".
  const std::string file = program_name(name) == name ? name + kExecutableSuffix : name;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = path.find(kPathListSeparator, start);
    const std::string dir =
        path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    start = end == std::string::npos ? path.size() + 1 : end + 1;
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + file;
    FileStat st;
    if (!is_executable_file(candidate) || !stat_file(candidate, st)) continue;
    // This very program, through whatever link (a hard link on Windows).
    if (have_self && same(st, self_stat)) continue;
    const std::string resolved = resolved_path(candidate);
    // Any wyn-cc, not only this one: two toolchain caches on one PATH (a
    // script running a build of its own) must not call each other for ever.
    if (resolved.empty() || resolved == self || program_name(resolved) == "ccache" ||
        program_name(resolved) == "wyn-cc")
      continue;
    // A hard link to another wyn-cc, which only the wyn-cc link beside it tells.
    FileStat sibling;
    if (stat_file(parent_path(candidate) + "/wyn-cc" + kExecutableSuffix, sibling) &&
        same(st, sibling))
      continue;
    return candidate;
  }
  return "";
}

int run_wrapper(int argc, char** argv) {
  const std::string self = executable_path();
  const std::string invoked = program_name(argc > 0 ? argv[0] : "wyn-cc");
  const std::string path = env_or_empty("PATH");
  std::vector<std::string> args;
  std::string real;
  const bool for_variable = invoked == "wyn-cc" || invoked == "wyn-cc-CC";
  if (for_variable) {
    // Standing in for $WYN_CC (or a script's $CC): the user's, else what the
    // Wyn compiler (or make) would pick.
    std::vector<std::string> words = split_words(
        env_or_empty(invoked == "wyn-cc" ? "WYN_CTEST_CC_REAL" : "WYN_CTEST_CC_REAL_CC"));
    if (!words.empty()) {
      real = words[0].find_first_of(kDirectorySeparators) != std::string::npos
                 ? words[0]
                 : find_next_on_path(words[0], path, self);
      args.assign(words.begin() + 1, words.end());
      if (real.empty()) real = words[0];
    } else {
      for (const char* name : {"cc", "gcc", "clang"})
        if (real.empty()) real = find_next_on_path(name, path, self);
    }
  } else {
    real = find_next_on_path(invoked, path, self);
  }
  if (real.empty()) {
    std::fprintf(stderr, "wyn-cc: error: no '%s' on PATH besides the toolchain cache's own\n",
                 for_variable ? "cc" : invoked.c_str());
    return 127;
  }
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);

  Split s;
  s.memo_dir = env_or_empty("WYN_CTEST_CC_MEMO");
  s.cache_dir = env_or_empty("WYN_CTEST_CC_CACHE");
  s.ccache = env_or_empty("WYN_CTEST_CC_CCACHE");
  if (env_or_empty("WYN_CTEST_CC_COUNTERS") == kScriptCounters) {
    s.counters_source = kScriptCounters;
    s.preprocessed = true;
    // Only a directory of its own: "/" or "/tmp" would hold every path.
    const std::string tmpdir = env_or_empty("TMPDIR");
    if (tmpdir.size() > 1 && is_absolute_path(tmpdir) && tmpdir != "/tmp" && tmpdir != "/tmp/")
      s.test_tmpdir = tmpdir.back() == '/' ? tmpdir.substr(0, tmpdir.size() - 1) : tmpdir;
  }
  if (s.memo_dir.empty() || s.cache_dir.empty())
    exec_compiler(real, args);  // not set up: be the compiler
  s.plan = plan_cc_command(args);
  std::error_code ec;
  s.cwd = std::filesystem::current_path(ec).u8string();
  s.program = real;
  s.real = resolved_path(real);
  if (s.plan.split && !s.cwd.empty() && !s.real.empty()) {
    try {
      make_directories(s.memo_dir);
    } catch (const std::exception&) {
      s.plan.split = false;
    }
    if (s.plan.split && !FileHashMemo(s.memo_dir + "/compilers").hash(s.real, s.compiler_sha256))
      s.plan.split = false;
  } else {
    s.plan.split = false;
  }
  if (!s.plan.split) {
    add_toolchain_counters(s.cache_dir, {0, 0, 0, 0, 1}, s.counters_source);
    exec_compiler(real, args);
  }
  std::vector<std::string> objects;
  for (size_t i = 0; i < s.plan.sources.size(); ++i) objects.push_back(object_for(s, i));
  if (s.failure != 0) {
    for (const std::string& object : s.transient) ::unlink(object.c_str());
    add_toolchain_counters(s.cache_dir, s.counters, s.counters_source);
    return s.failure;
  }
  ++s.counters.splits;
  const int status = link_split(s, objects);
  add_toolchain_counters(s.cache_dir, s.counters, s.counters_source);
  return status;
}

}  // namespace wyn
