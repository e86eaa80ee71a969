#include "toolchain/wrapper.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "cache/compile_cache.hpp"
#include "cache/toolchain/ccache.hpp"
#include "cache/toolchain/counters.hpp"
#include "cache/toolchain/link_memo.hpp"
#include "cache/toolchain/object_memo.hpp"
#include "process/subprocess.hpp"
#include "toolchain/cc_command.hpp"
#include "util/fs.hpp"
#include "util/sha256.hpp"

extern char** environ;

namespace wyn {

namespace {

/// Changes whenever the memo key's composition changes.
constexpr const char* kMemoKeyFormat = "wyn-cc-memo-key/1";

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

std::string real_path(const std::string& path) {
  char buffer[PATH_MAX];
  return ::realpath(path.c_str(), buffer) ? std::string(buffer) : std::string();
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
  if (source[0] != '/') return true;
  for (size_t i = 0; i < plan.compile_flags.size(); ++i) {
    const std::string& flag = plan.compile_flags[i];
    for (const char* name : kPathFlags) {
      const std::string_view n(name);
      if (flag.compare(0, n.size(), n) != 0) continue;
      const std::string value = flag.size() > n.size()              ? flag.substr(n.size())
                                : i + 1 < plan.compile_flags.size() ? plan.compile_flags[i + 1]
                                                                    : std::string();
      if (!value.empty() && value[0] != '/') return true;
    }
  }
  return false;
}

[[noreturn]] void exec_compiler(const std::string& real, const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(real.c_str()));
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  ::execve(real.c_str(), argv.data(), environ);
  std::fprintf(stderr, "wyn-cc: error: cannot run '%s': %s\n", real.c_str(), std::strerror(errno));
  std::exit(127);
}

/// Runs `argv` with `env`, its stderr into `stderr_path`; the wait status, or -1.
int run_child(const std::vector<std::string>& argv, const std::vector<std::string>& env,
              const std::string& stderr_path) {
  std::vector<char*> args, envp;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int error = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    write_file_atomic(
        stderr_path, "wyn-cc: error: cannot run '" + argv[0] + "': " + std::strerror(error) + "\n");
    return -1;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

bool succeeded(int status) { return status >= 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0; }

/// The exit status a failed compile gives the whole command.
int exit_status_of(int status) {
  if (status >= 0 && WIFEXITED(status)) return WEXITSTATUS(status);
  return 1;
}

void replay(const std::string& diagnostics) {
  if (diagnostics.empty()) return;
  std::fwrite(diagnostics.data(), 1, diagnostics.size(), stderr);
  std::fflush(stderr);
}

/// An exclusive flock() held while one key is compiled, so that concurrent
/// wrappers needing the same object compile it once.
class KeyLock {
 public:
  explicit KeyLock(const std::string& path) {
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    while (m_fd >= 0 && ::flock(m_fd, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~KeyLock() {
    if (m_fd >= 0) ::close(m_fd);
  }
  KeyLock(const KeyLock&) = delete;
  KeyLock& operator=(const KeyLock&) = delete;

 private:
  int m_fd = -1;
};

double now_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
}

/// The split command's state: one object per source.
struct Split {
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

/// Compiles source `i` (or finds it in the memo); its object's path, or "" on failure.
std::string object_for(Split& s, size_t i) {
  const std::string& source = s.plan.sources[i];
  std::string text;
  // An unreadable source is the compiler's to report: compile it plainly.
  const bool readable = try_read_file(source, text);
  CacheKey key;
  key.add("format", kMemoKeyFormat);
  key.add("program", s.program);
  key.add("compiler", s.real);
  key.add("compiler.sha256", s.compiler_sha256);
  for (const std::string& flag : s.plan.compile_flags) key.add("flag", flag);
  key.add("source", source);
  key.add("source.sha256", readable ? sha256_hex(text) : std::string("<unreadable>"));
  if (uses_relative_paths(s.plan, source)) key.add("cwd", s.cwd);
  for (const char* name : kCompileEnvironment) {
    const char* value = std::getenv(name);
    key.add(std::string("env/") + name, value ? "=" + std::string(value) : "<unset>");
  }
  const std::string hex = key.hex();
  const ObjectMemo memo(s.memo_dir);
  std::string object, diagnostics;
  if (readable && memo.lookup(hex, object, diagnostics)) {
    ++s.counters.memo_hits;
    replay(diagnostics);
    return object;
  }
  const KeyLock lock(memo.lock_path(hex));
  if (readable && memo.lookup(hex, object, diagnostics)) {
    ++s.counters.memo_hits;
    replay(diagnostics);
    return object;
  }
  const std::string temp = s.memo_dir + "/" + hex + "." + std::to_string(::getpid());
  const std::string temp_object = temp + ".o", temp_depfile = temp + ".d", temp_err = temp + ".err";
  std::vector<std::string> args = compile_arguments(s.plan, i, temp_object);
  args.insert(args.end(), {"-MD", "-MF", temp_depfile});
  const double started = now_seconds();
  int status = -1;
  if (!s.ccache.empty()) {
    std::vector<std::string> argv = {s.ccache, s.program};
    argv.insert(argv.end(), args.begin(), args.end());
    try {
      write_ccache_config(s.cache_dir);
      status = run_child(argv, ccache_environment(current_environment(), s.cache_dir), temp_err);
    } catch (const std::exception&) {
      status = -1;
    }
  }
  if (!succeeded(status)) {
    // Without ccache, or ccache failed: the compiler's own verdict decides,
    // so a damaged or missing ccache directory never changes a result.
    std::vector<std::string> argv = {s.program};
    argv.insert(argv.end(), args.begin(), args.end());
    status = run_child(argv, current_environment(), temp_err);
  }
  ++s.counters.compiles;
  std::string err;
  try_read_file(temp_err, err);
  ::unlink(temp_err.c_str());
  replay(err);
  if (!succeeded(status)) {
    ++s.counters.compile_failures;
    ::unlink(temp_object.c_str());
    ::unlink(temp_depfile.c_str());
    if (s.failure == 0) s.failure = exit_status_of(status);
    return "";
  }
  const std::string stored = memo.object_path(hex);
  if (!readable || !memo.store(hex, temp_object, temp_depfile, s.cwd, err, started)) {
    // Not remembered, but still this command's object.
    ::unlink((s.memo_dir + "/" + hex + ".memo").c_str());
    ::rename(temp_object.c_str(), stored.c_str());
  }
  ::unlink(temp_depfile.c_str());
  return stored;
}

/// Links the objects of a split command, or restores the same link's output
/// from the memo when every input is unchanged; the command's exit status.
int link_split(Split& s, const std::vector<std::string>& objects) {
  const std::vector<std::string> args = link_arguments(s.plan, objects);
  const LinkKey key =
      link_memo_key(s.program, s.compiler_sha256, args, s.cwd, s.memo_dir + "/inputs");
  const auto run_unmemoised = [&] {
    ++s.counters.links;
    add_toolchain_counters(s.cache_dir, s.counters);
    exec_compiler(s.program, args);
  };
  if (key.hex.empty()) run_unmemoised();
  const LinkMemo memo(s.memo_dir + "/links");
  const std::string output = key.output[0] == '/' ? key.output : s.cwd + "/" + key.output;
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
  std::vector<std::string> argv = {s.program};
  argv.insert(argv.end(), args.begin(), args.end());
  const int status = run_child(argv, current_environment(), err_path);
  ++s.counters.links;
  std::string err;
  try_read_file(err_path, err);
  ::unlink(err_path.c_str());
  replay(err);
  if (!succeeded(status)) return exit_status_of(status);
  memo.store(key.hex, output, err);  // not kept: only the next link runs again
  return 0;
}

}  // namespace

std::string find_next_on_path(const std::string& name, const std::string& path,
                              const std::string& self) {
  size_t start = 0;
  while (start <= path.size()) {
    const size_t colon = path.find(':', start);
    const std::string dir =
        path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    start = colon == std::string::npos ? path.size() + 1 : colon + 1;
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) != 0 || !S_ISREG(st.st_mode) ||
        ::access(candidate.c_str(), X_OK) != 0)
      continue;
    const std::string resolved = real_path(candidate);
    if (resolved.empty() || resolved == self || base_name(resolved) == "ccache") continue;
    return candidate;
  }
  return "";
}

int run_wrapper(int argc, char** argv) {
  const std::string self = executable_path();
  const std::string invoked = base_name(argc > 0 ? argv[0] : "wyn-cc");
  const std::string path = env_or_empty("PATH");
  std::vector<std::string> args;
  std::string real;
  if (invoked == "wyn-cc") {
    // Standing in for $WYN_CC: the user's, else what the Wyn compiler would pick.
    std::vector<std::string> words = split_words(env_or_empty("WYN_CTEST_CC_REAL"));
    if (!words.empty()) {
      real = words[0].find('/') != std::string::npos ? words[0]
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
                 invoked == "wyn-cc" ? "cc" : invoked.c_str());
    return 127;
  }
  for (int i = 1; i < argc; ++i) args.push_back(argv[i]);

  Split s;
  s.memo_dir = env_or_empty("WYN_CTEST_CC_MEMO");
  s.cache_dir = env_or_empty("WYN_CTEST_CC_CACHE");
  s.ccache = env_or_empty("WYN_CTEST_CC_CCACHE");
  if (s.memo_dir.empty() || s.cache_dir.empty())
    exec_compiler(real, args);  // not set up: be the compiler
  s.plan = plan_cc_command(args);
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd)) s.cwd = cwd;
  s.program = real;
  s.real = real_path(real);
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
    add_toolchain_counters(s.cache_dir, {0, 0, 0, 0, 1});
    exec_compiler(real, args);
  }
  std::vector<std::string> objects;
  for (size_t i = 0; i < s.plan.sources.size(); ++i) objects.push_back(object_for(s, i));
  if (s.failure != 0) {
    add_toolchain_counters(s.cache_dir, s.counters);
    return s.failure;
  }
  ++s.counters.splits;
  const int status = link_split(s, objects);
  add_toolchain_counters(s.cache_dir, s.counters);
  return status;
}

}  // namespace wyn
