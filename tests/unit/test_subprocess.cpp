// Unit tests of process/subprocess: every test runs real children (/bin/sh
// scripts, or the subprocess_helper program for what sh cannot do exactly).
// Time bounds are generous and only catch hangs; none measures speed.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "process/subprocess.hpp"
#include "process/subprocess_detail.hpp"
#include "util/fs.hpp"

#ifndef WYN_SUBPROCESS_HELPER
#error "WYN_SUBPROCESS_HELPER must name the subprocess_helper executable"
#endif

namespace wyn {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// Safety net so that a bug makes a test fail instead of hanging the suite.
constexpr double k_safety_timeout = 60;

// What only the Linux backend guarantees (docs/guarantees.md): tests of it
// are skipped under the POSIX backend, naming the interface they need.
#ifdef WYN_PROCESS_BACKEND_LINUX
constexpr bool k_linux_backend = true;
#else
constexpr bool k_linux_backend = false;
#endif
#define SKIP_UNLESS_LINUX_BACKEND(interface)                         \
  do {                                                               \
    if (!k_linux_backend) {                                          \
      GTEST_SKIP() << "needs " interface " (Linux process backend)"; \
    }                                                                \
  } while (false)

/// The POSIX backend kills a group without learning how many it held.
int counted(int processes) { return k_linux_backend ? processes : 0; }

/// "Nothing leaked" where descendants died on their own: under the POSIX
/// backend an orphan that died is a zombie in the group until init reaps it,
/// and counts as left behind meanwhile (docs/guarantees.md).
void expect_no_leak_of_dead_orphans(const ProcessResult& r) {
  if (k_linux_backend) {
    EXPECT_FALSE(r.leaked) << "descendants that died are no leak";
  }
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string fnv_hex(const std::string& data) {
  // Written out here rather than calling detail::fnv1a64_*, so the test
  // checks the implementation instead of repeating it.
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  char hex[17];
  snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

bool wait_for_file(const fs::path& path, double seconds) {
  auto start = Clock::now();
  while (!fs::exists(path)) {
    if (seconds_since(start) > seconds) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

pid_t read_pid(const fs::path& path) { return static_cast<pid_t>(std::stol(read_file(path))); }

/// Alive: a zombie does not count. Under the POSIX backend a killed orphan
/// is init's to reap, which may take a while (this test runs on Linux, so
/// it may read /proc; the code under test does not).
bool process_exists(pid_t pid) {
  if (::kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  return paren == std::string::npos || stat.compare(paren + 2, 1, "Z") != 0;
}

/// Per-test temporary directory; `use_pidfd` false runs the polling fallback.
class SubprocessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // As the launcher does: orphans of the tests come back to us (Linux).
    ASSERT_EQ(become_subreaper(), k_linux_backend);
  }

  void SetUp() override {
    std::string pattern = (fs::path(::testing::TempDir()) / "wyn-subprocess-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << strerror(errno);
    m_dir = fs::canonical(pattern);
  }

  void TearDown() override {
    detail::set_pidfd_disabled(false);
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
  }

  SpawnOptions sh(const std::string& script) const {
    SpawnOptions options;
    options.argv = {"/bin/sh", "-c", script};
    options.env = {"PATH=/usr/bin:/bin"};
    options.cwd = m_dir.string();
    options.stdout_path = (m_dir / "out").string();
    options.stderr_path = (m_dir / "err").string();
    options.timeout_seconds = k_safety_timeout;
    return options;
  }

  SpawnOptions helper(std::vector<std::string> args) const {
    SpawnOptions options = sh("");
    options.argv = {WYN_SUBPROCESS_HELPER};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    return options;
  }

  std::string out() const { return read_file(m_dir / "out"); }
  std::string err() const { return read_file(m_dir / "err"); }

  fs::path m_dir;
};

/// The same behaviours with pidfd and with the polling fallback.
class ExitDetectionTest : public SubprocessTest, public ::testing::WithParamInterface<bool> {
 protected:
  void SetUp() override {
    SubprocessTest::SetUp();
    detail::set_pidfd_disabled(!GetParam());
  }
};

INSTANTIATE_TEST_SUITE_P(Subprocess, ExitDetectionTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "pidfd" : "polling"; });

TEST_P(ExitDetectionTest, ReportsExitCodes) {
  for (int code : {0, 3, 139}) {
    ProcessResult r = run_process(sh("exit " + std::to_string(code)));
    ASSERT_TRUE(r.started) << r.spawn_error;
    EXPECT_EQ(r.exit_code, code);
    EXPECT_EQ(r.signal, 0) << "exit 139 is an exit code, not SIGSEGV";
    EXPECT_FALSE(r.timed_out);
    EXPECT_FALSE(r.leaked);
    EXPECT_GT(r.max_rss_kib, 0);
  }
}

TEST_P(ExitDetectionTest, MergedModeKeepsTheWriteOrder) {
  ProcessResult r = run_process(sh("echo a; echo b >&2; echo c"));
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "a\nb\nc\n");
  EXPECT_EQ(r.out.bytes_total, 6u);
  EXPECT_EQ(r.out.fnv1a64, fnv_hex("a\nb\nc\n"));

  // Many alternations, so a two-pipe implementation could not pass by luck.
  r = run_process(sh("i=0; while [ $i -lt 200 ]; do echo o$i; echo e$i >&2; i=$((i+1)); done"));
  std::string expected;
  for (int i = 0; i < 200; ++i)
    expected += "o" + std::to_string(i) + "\ne" + std::to_string(i) + "\n";
  EXPECT_EQ(out(), expected);
}

TEST_P(ExitDetectionTest, TimeoutTerminatesTheGroup) {
  SpawnOptions options = sh("sleep 100 >/dev/null 2>&1 & sleep 100");
  options.timeout_seconds = 0.3;
  options.grace_seconds = 5;
  auto start = Clock::now();
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_LT(seconds_since(start), 0.3 + 5 + 2);
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(r.sent_sigterm);
  EXPECT_FALSE(r.sent_sigkill) << "sh and sleep die on SIGTERM, within the grace";
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_EQ(r.exit_code, -1);
  expect_no_leak_of_dead_orphans(r);  // the background sleep died of the same SIGTERM
}

TEST_P(ExitDetectionTest, GrandchildHoldingStdoutIsKilledAfterTheDrainTime) {
  SpawnOptions options = sh("sleep 30 & echo $! > pid; echo hi");
  options.drain_seconds = 1;
  auto start = Clock::now();
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_LT(seconds_since(start), options.drain_seconds + 2);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(out(), "hi\n");
  EXPECT_TRUE(r.leaked);
  EXPECT_GE(r.leaked_processes, counted(1));
  pid_t grandchild = read_pid(m_dir / "pid");
  EXPECT_FALSE(process_exists(grandchild)) << "pid " << grandchild << " survived";
}

TEST_P(ExitDetectionTest, MiBOnStderrAloneDoesNotDeadlock) {
  SpawnOptions options = sh("head -c 1048576 /dev/zero >&2");
  options.capture = CaptureMode::split;
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.err.bytes_total, 1u << 20);
  EXPECT_EQ(r.err.bytes_stored, 1u << 20);
  EXPECT_EQ(r.out.bytes_total, 0u);
  EXPECT_EQ(err(), std::string(1 << 20, '\0'));
}

TEST_F(SubprocessTest, NamesTerminatingSignals) {
  for (auto [name, number] : {std::pair{"SEGV", SIGSEGV}, {"ABRT", SIGABRT}, {"FPE", SIGFPE}}) {
    ProcessResult r = run_process(sh(std::string("kill -") + name + " $$"));
    ASSERT_TRUE(r.started) << r.spawn_error;
    EXPECT_EQ(r.signal, number) << name;
    EXPECT_EQ(r.exit_code, -1);
    EXPECT_EQ(signal_name(r.signal), std::string("SIG") + name);
  }
}

TEST(Subprocess, CrashSignalsAreTheProgramsOwnFaults) {
  for (int signal : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGTRAP})
    EXPECT_TRUE(is_crash_signal(signal)) << signal_name(signal);
  for (int signal : {0, SIGKILL, SIGTERM, SIGINT, SIGXCPU, SIGPIPE})
    EXPECT_FALSE(is_crash_signal(signal)) << signal_name(signal);
  EXPECT_STREQ(timeout_target(), "the process group");
}

TEST_F(SubprocessTest, ParentCommandIsTheParents) {
  // The shell runs the writer as a child (not with exec: a command follows).
  SpawnOptions options;
  options.argv = {"/bin/sh",
                  "-c",
                  "\"$0\" \"$1\"; exit $?",
                  WYN_PARENT_COMMAND_WRITER,
                  (m_dir / "parent").string(),
                  "--marker"};
  options.env = current_environment();
  options.stdout_path = (m_dir / "out").string();
  options.timeout_seconds = 60;
  const ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  ASSERT_EQ(r.exit_code, 0) << out();
  std::istringstream lines(read_file(m_dir / "parent"));
  std::string program, arg;
  std::vector<std::string> argv;
  std::getline(lines, program);
  while (std::getline(lines, arg)) argv.push_back(arg);
  EXPECT_NE(std::find(argv.begin(), argv.end(), "--marker"), argv.end())
      << read_file(m_dir / "parent");
  EXPECT_EQ(argv.at(0), "/bin/sh");
  // Linux: the shell's file, with links resolved; POSIX: argv[0].
  EXPECT_TRUE(wyn::is_executable_file(program)) << program;
}

TEST_F(SubprocessTest, SplitModeSeparatesTheStreams) {
  SpawnOptions options = sh("echo a; echo b >&2; echo c");
  options.capture = CaptureMode::split;
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "a\nc\n");
  EXPECT_EQ(err(), "b\n");
  EXPECT_EQ(r.out.bytes_total, 4u);
  EXPECT_EQ(r.err.bytes_total, 2u);
  EXPECT_EQ(r.out.fnv1a64, fnv_hex("a\nc\n"));
  EXPECT_EQ(r.err.fnv1a64, fnv_hex("b\n"));
}

TEST_F(SubprocessTest, RunAndWaitReportsTheChildWithItsStderrInAFile) {
  const std::string err = (m_dir / "err").string();
  const std::vector<std::string> env = {"PATH=/usr/bin:/bin", "WORD=hello"};
  ChildExit r = run_and_wait({"/bin/sh", "-c", "echo $WORD >&2; exit 7"}, env, err);
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.exit_code, 7);
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(read_file(err), "hello\n");
  r = run_and_wait({"/bin/sh", "-c", "kill -TERM $$"}, env, err);
  EXPECT_TRUE(r.started);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_EQ(read_file(err), "");
  EXPECT_TRUE(run_and_wait({"/bin/sh", "-c", "true"}, env, err).succeeded());
  // argv[0] is a path: a name is not searched in PATH.
  r = run_and_wait({"sh", "-c", "true"}, env, err);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.spawn_errno, ENOENT);
}

TEST_F(SubprocessTest, ExecProgramReplacesTheProcess) {
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    exec_program({"/bin/sh", "-c", "exit 5"});
    _exit(errno == 0 ? 100 : 101);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 5);
  errno = 0;
  exec_program({(m_dir / "missing").string()});
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(SubprocessTest, HashMatchesKnownFnv1a64Values) {
  ProcessResult r = run_process(sh("printf a"));
  EXPECT_EQ(r.out.fnv1a64, "af63dc4c8601ec8c");
  r = run_process(sh("true"));
  EXPECT_EQ(r.out.fnv1a64, "cbf29ce484222325");
  EXPECT_EQ(r.out.bytes_total, 0u);
}

TEST_F(SubprocessTest, CapStoresTheLimitButCountsAndHashesEverything) {
  std::string data(3 << 20, '\0');
  std::mt19937 random(42);
  for (char& c : data) c = static_cast<char>(random());
  write_file(m_dir / "data", data);
  SpawnOptions options = sh("cat data");
  options.capture_limit_bytes = 1 << 20;
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.out.bytes_total, 3u << 20);
  EXPECT_EQ(r.out.bytes_stored, 1u << 20);
  EXPECT_EQ(out(), data.substr(0, 1 << 20));
  EXPECT_EQ(r.out.fnv1a64, fnv_hex(data));
}

TEST_F(SubprocessTest, EndlessOutputIsStoppedByTheTimeoutWithFlatMemory) {
  struct rusage before;
  ::getrusage(RUSAGE_SELF, &before);
  SpawnOptions options = sh("cat /dev/zero");
  options.capture_limit_bytes = 1024;
  options.timeout_seconds = 1;
  ProcessResult r = run_process(options);
  struct rusage after;
  ::getrusage(RUSAGE_SELF, &after);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_TRUE(r.timed_out);
  EXPECT_GT(r.out.bytes_total, 16u << 20);
  EXPECT_EQ(r.out.bytes_stored, 1024u);
  EXPECT_EQ(fs::file_size(m_dir / "out"), 1024u);
  EXPECT_LT(after.ru_maxrss - before.ru_maxrss, 32 * 1024) << "KiB of harness memory growth";
}

TEST_F(SubprocessTest, OutputLimitStopsEndlessOutputAtOnce) {
  SpawnOptions options = sh("cat /dev/zero");
  options.capture_limit_bytes = 1 << 20;
  options.output_limit_bytes = 1 << 20;
  options.grace_seconds = 5;
  auto start = Clock::now();
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_LT(seconds_since(start), 5) << "stopped long before the 60 s timeout";
  EXPECT_TRUE(r.output_limit_exceeded);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.sent_sigterm);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_GT(r.out.bytes_total, 1u << 20);
  EXPECT_EQ(r.out.bytes_stored, 1u << 20);
  EXPECT_EQ(fs::file_size(m_dir / "out"), 1u << 20);

  // The limit applies to each stream of a split capture, and output up to it is fine.
  options = sh("head -c 4096 /dev/zero; head -c 100000 /dev/zero >&2");
  options.capture = CaptureMode::split;
  options.output_limit_bytes = 4096;
  r = run_process(options);
  EXPECT_TRUE(r.output_limit_exceeded);
  options = sh("head -c 4096 /dev/zero");
  options.output_limit_bytes = 4096;
  r = run_process(options);
  EXPECT_FALSE(r.output_limit_exceeded);
  EXPECT_EQ(r.exit_code, 0);
}

/// Runs `options` in a forked harness process that is then SIGKILLed, and
/// returns how the child the harness started ended: its wait status, or -1
/// if it was still alive 5 s after the harness died (it is then killed).
int status_after_the_harness_dies(SpawnOptions options, const fs::path& pid_file) {
  pid_t harness = ::fork();
  if (harness == 0) {
    run_process(options);
    _exit(0);
  }
  if (!wait_for_file(pid_file, 20)) return -2;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the write may be partial
  pid_t child = read_pid(pid_file);
  ::kill(harness, SIGKILL);
  ::waitpid(harness, nullptr, 0);
  // We are a subreaper: the orphaned child is ours to reap now.
  auto start = Clock::now();
  while (seconds_since(start) < 5) {
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == child) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  return -1;
}

TEST_F(SubprocessTest, ChildDiesWithAHarnessThatIsKilledOutright) {
  SKIP_UNLESS_LINUX_BACKEND("PR_SET_PDEATHSIG and PR_SET_CHILD_SUBREAPER");
  SpawnOptions options = sh("echo $$ > pid.tmp && mv pid.tmp pid && exec sleep 100");
  int status = status_after_the_harness_dies(options, m_dir / "pid");
  ASSERT_GE(status, 0) << "the child outlived its harness";
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);

  // Control: without the request the child lives on.
  fs::remove(m_dir / "pid");
  options.kill_with_parent = false;
  EXPECT_EQ(status_after_the_harness_dies(options, m_dir / "pid"), -1);
}

TEST_F(SubprocessTest, StdinComesFromTheFileOrDevNull) {
  write_file(m_dir / "input", "line 1\nline 2\n");
  SpawnOptions options = sh("cat");
  options.stdin_path = (m_dir / "input").string();
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "line 1\nline 2\n");

  r = run_process(sh("cat; readlink /proc/$$/fd/0"));
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "/dev/null\n");
}

TEST_F(SubprocessTest, RunsInTheGivenDirectory) {
  fs::create_directory(m_dir / "sub dir");
  SpawnOptions options = sh("pwd -P");
  options.cwd = (m_dir / "sub dir").string();
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), (m_dir / "sub dir").string() + "\n");
}

TEST_F(SubprocessTest, EnvironmentIsExactlyTheGivenOne) {
  ::setenv("WYN_TEST_LEAK", "1", 1);
  SpawnOptions options = sh("");
  options.argv = {"/usr/bin/env"};
  options.env = {"A=1", "B=two words"};
  ProcessResult r = run_process(options);
  ::unsetenv("WYN_TEST_LEAK");
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "A=1\nB=two words\n");
}

TEST_F(SubprocessTest, SearchesThePathOfTheChildEnvironment) {
  SpawnOptions options = sh("echo found");
  options.argv[0] = "sh";
  options.env = {"PATH=/nonexistent:/bin"};
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "found\n");

  options.env = {"PATH=/nonexistent"};  // our own PATH has sh; the child's does not
  r = run_process(options);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.spawn_errno, ENOENT);
}

TEST_F(SubprocessTest, RelativeProgramPathIsRelativeToTheCaller) {
  write_file(m_dir / "tool", "#!/bin/sh\necho tool ran\n");
  fs::permissions(m_dir / "tool", fs::perms::owner_all);
  fs::create_directory(m_dir / "elsewhere");
  SpawnOptions options = sh("");
  options.argv = {fs::relative(m_dir / "tool", fs::current_path()).string()};
  ASSERT_NE(options.argv[0].find('/'), std::string::npos);
  options.cwd = (m_dir / "elsewhere").string();
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "tool ran\n");
}

TEST_F(SubprocessTest, ReportsSpawnFailuresWithTheErrnoName) {
  SpawnOptions options = sh("");
  options.argv = {"/x/y"};
  ProcessResult r = run_process(options);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.spawn_errno, ENOENT);
  EXPECT_EQ(r.spawn_error, "cannot execute '/x/y': No such file or directory (ENOENT)");

  write_file(m_dir / "not-executable", "#!/bin/sh\n");
  options.argv = {(m_dir / "not-executable").string()};
  r = run_process(options);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.spawn_errno, EACCES);
  EXPECT_NE(r.spawn_error.find("(EACCES)"), std::string::npos) << r.spawn_error;

  options = sh("true");
  options.cwd = (m_dir / "missing").string();
  r = run_process(options);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.spawn_errno, ENOENT);
  EXPECT_NE(r.spawn_error.find("cannot change directory"), std::string::npos) << r.spawn_error;

  options = sh("true");
  options.stdout_path = (m_dir / "missing" / "out").string();
  r = run_process(options);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.spawn_errno, ENOENT);

  options.argv.clear();
  r = run_process(options);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.spawn_errno, EINVAL);
}

TEST_F(SubprocessTest, TransientSpawnFailuresAreRetriedThenReported) {
  // Lower our own descriptor limit to the lowest free fd: every open fails
  // with EMFILE, as on a machine out of descriptors.
  int probe = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  ASSERT_GE(probe, 0);
  ::close(probe);
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  struct rlimit low = saved;
  low.rlim_cur = static_cast<rlim_t>(probe);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  SpawnOptions options = sh("true");
  options.spawn_attempts = 3;
  auto start = Clock::now();
  ProcessResult r = run_process(options);
  double elapsed = seconds_since(start);
  ::setrlimit(RLIMIT_NOFILE, &saved);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.spawn_errno, EMFILE) << r.spawn_error;
  EXPECT_GE(elapsed, 0.010 + 0.020) << "two back-offs between three attempts";
}

TEST_F(SubprocessTest, TermIgnoringChildGetsSigkillAfterTheGrace) {
  SpawnOptions options = sh("trap '' TERM; sleep 100");
  options.timeout_seconds = 0.3;
  options.grace_seconds = 0.5;
  auto start = Clock::now();
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_LT(seconds_since(start), 0.3 + 0.5 + 2);
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(r.sent_sigterm);
  EXPECT_TRUE(r.sent_sigkill);
  EXPECT_EQ(r.signal, SIGKILL);
}

TEST_F(SubprocessTest, StoppedChildIsStillTerminated) {
  SpawnOptions options = sh("kill -STOP $$; sleep 100");
  options.timeout_seconds = 0.3;
  options.grace_seconds = 5;
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_FALSE(r.sent_sigkill);
}

TEST_F(SubprocessTest, ChildClosingItsOutputEarlyIsStillWaitedFor) {
  ProcessResult r = run_process(sh("echo x; exec >&- 2>&-; sleep 0.3; exit 4"));
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_EQ(out(), "x\n");
  EXPECT_FALSE(r.leaked);
}

TEST_F(SubprocessTest, LiveDescendantWithoutThePipesIsALeakWithoutDrainWait) {
  SpawnOptions options = sh("sleep 30 >/dev/null 2>&1 & echo $! > pid");
  options.drain_seconds = 10;
  auto start = Clock::now();
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_LT(seconds_since(start), 8) << "nothing holds the pipes: no drain wait";
  EXPECT_TRUE(r.leaked);
  EXPECT_EQ(r.leaked_processes, counted(1));
  EXPECT_FALSE(process_exists(read_pid(m_dir / "pid")));
}

TEST_F(SubprocessTest, DescendantsThatFinishAreNoLeakAndCostNoDrainTime) {
  SpawnOptions options = sh("(echo x) & (echo y >&2) & wait");
  options.drain_seconds = 10;
  auto start = Clock::now();
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_LT(seconds_since(start), 8);
  EXPECT_FALSE(r.leaked);
  EXPECT_EQ(r.leaked_processes, 0);
  EXPECT_EQ(r.out.bytes_total, 4u);
}

TEST_F(SubprocessTest, OutputWrittenWithinTheDrainTimeIsKept) {
  SpawnOptions options = sh("(sleep 0.3; echo late) & echo early");
  options.drain_seconds = 20;
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "early\nlate\n");
  expect_no_leak_of_dead_orphans(r);
}

TEST_F(SubprocessTest, DaemonizedGrandchildIsFoundThroughTheSubreaper) {
  SKIP_UNLESS_LINUX_BACKEND("PR_SET_CHILD_SUBREAPER and /proc");
  ProcessResult r = run_process(helper({"daemon", (m_dir / "pid").string()}));
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.exit_code, 0);
  ASSERT_TRUE(fs::exists(m_dir / "pid"));
  pid_t daemon = read_pid(m_dir / "pid");
  EXPECT_TRUE(r.leaked);
  EXPECT_EQ(r.leaked_processes, 1);
  EXPECT_FALSE(process_exists(daemon)) << "setsid'd pid " << daemon << " survived";
}

TEST_F(SubprocessTest, DaemonizedGrandchildHoldingThePipesIsALeak) {
  // Both backends see the held pipe; Linux also finds and kills the process.
  SpawnOptions options = helper({"daemon-holding", (m_dir / "pid").string()});
  options.drain_seconds = 0.5;
  auto start = Clock::now();
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_LT(seconds_since(start), 5);
  EXPECT_EQ(r.exit_code, 0);
  ASSERT_TRUE(fs::exists(m_dir / "pid"));
  pid_t daemon = read_pid(m_dir / "pid");
  EXPECT_TRUE(r.leaked);
  EXPECT_EQ(process_exists(daemon), !k_linux_backend);
  ::kill(daemon, SIGKILL);
}

/// A grandchild orphaned while the test's main process runs on, then
/// killed, must be gone for kill(pid, 0) at once, as when init adopts it:
/// the Linux backend, as subreaper, adopts it and must reap it (a script
/// that kills `wyn run` polls for the program's end this way); under the
/// POSIX backend init does. The helper polls, exits 0 if the grandchild
/// went within 10 s (3 if not), and the exit and rusage of the main
/// process must survive the reaping of the orphans around it.
class OrphanReapingTest : public ExitDetectionTest {
 protected:
  void expect_reaped(const std::string& how) {
    SCOPED_TRACE(how);
    ProcessResult r = run_process(helper({"orphan", how, (m_dir / "pid").string()}));
    ASSERT_TRUE(r.started) << r.spawn_error;
    EXPECT_EQ(r.exit_code, 0) << "3: the killed orphan could still be signalled after 10 s";
    EXPECT_EQ(r.signal, 0);
    EXPECT_FALSE(r.leaked) << "a dead orphan is no leak";
    EXPECT_GE(r.user_seconds + r.system_seconds, 0.05) << "the main process's own rusage";
    EXPECT_GT(r.max_rss_kib, 0);
    ASSERT_TRUE(fs::exists(m_dir / "pid"));
    pid_t orphan = read_pid(m_dir / "pid");
    EXPECT_NE(::kill(orphan, 0), 0) << "pid " << orphan << " is still there";
  }
};

INSTANTIATE_TEST_SUITE_P(Subprocess, OrphanReapingTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "pidfd" : "polling"; });

TEST_P(OrphanReapingTest, OrphanKilledAfterItsParentIsGoneAtOnce) { expect_reaped("killed"); }

TEST_P(OrphanReapingTest, OrphanOfAParentThatExitedIsGoneAtOnce) { expect_reaped("exits"); }

TEST_P(OrphanReapingTest, OrphanThatDiedBeforeItsParentIsGoneAtOnce) {
  expect_reaped("dead-first");
}

TEST_P(OrphanReapingTest, OrphanDyingAfterTheMainProcessExitedIsGoneAtOnce) {
  // The main process exits at once; a descendant holding the output pipe
  // orphans and kills a grandchild within the drain time.
  SpawnOptions options = sh(std::string("(\"") + WYN_SUBPROCESS_HELPER +
                            "\" orphan killed pid; echo $? > status) & exit 5");
  options.drain_seconds = 30;
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.exit_code, 5);
  EXPECT_EQ(read_file(m_dir / "status"), "0\n")
      << "3: the killed orphan could still be signalled after 10 s";
  expect_no_leak_of_dead_orphans(r);
}

TEST_P(OrphanReapingTest, ALiveOrphanIsStillALeak) {
  // One orphan killed and reaped while the test runs, one left alive.
  ProcessResult r = run_process(helper({"orphan", "killed", (m_dir / "pid").string(), "live"}));
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.exit_code, 0) << "3: the killed orphan could still be signalled after 10 s";
  EXPECT_TRUE(r.leaked);
  EXPECT_EQ(r.leaked_processes, counted(1)) << "the live one only; the reaped one is no leak";
}

TEST_F(SubprocessTest, ReapingOrphansLeavesMainChildrenAndEarlierChildrenAlone) {
  SKIP_UNLESS_LINUX_BACKEND("PR_SET_CHILD_SUBREAPER and /proc");
  // A child of the caller's own, started before the run; then the run's
  // main child, registered as run_process does. Both exit and stay zombies,
  // ahead of the orphan in the kernel's list of our children.
  pid_t earlier = ::fork();
  if (earlier == 0) _exit(5);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a clock tick later
  uint64_t tick = detail::spawn_mark();
  pid_t main_child = ::fork();
  if (main_child == 0) _exit(7);
  detail::register_child(main_child, tick);
  siginfo_t info = {};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(main_child), &info, WEXITED | WNOWAIT), 0);
  // An orphan that is a zombie when it comes to us: its parent waits for it
  // to die (without reaping it), then exits.
  pid_t parent = ::fork();
  if (parent == 0) {
    pid_t orphan = ::fork();
    if (orphan == 0) _exit(0);
    siginfo_t dead;
    ::waitid(P_PID, static_cast<id_t>(orphan), &dead, WEXITED | WNOWAIT);
    std::string text = std::to_string(orphan);
    int fd = ::open((m_dir / "orphan").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ssize_t ignored = ::write(fd, text.data(), text.size());
    (void)ignored;
    _exit(0);
  }
  ASSERT_EQ(::waitpid(parent, nullptr, 0), parent);
  pid_t orphan = read_pid(m_dir / "orphan");
  ASSERT_EQ(::kill(orphan, 0), 0) << "the orphan is a zombie of ours until reaped";

  detail::reap_dead_orphans();
  EXPECT_NE(::kill(orphan, 0), 0) << "the adopted zombie was not reaped";
  int status = 0;
  EXPECT_EQ(::waitpid(main_child, &status, WNOHANG), main_child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 7) << "the main child's status was lost";
  EXPECT_EQ(::waitpid(earlier, &status, WNOHANG), earlier);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 5)
      << "the earlier child's status was lost";
  detail::unregister_child(main_child);
}

TEST_F(SubprocessTest, DescriptorsAbove2AreClosedInTheChild) {
  // Descriptors without CLOEXEC, as a careless library would leave them.
  int a = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(a, 0);
  int b = ::dup2(a, 100);
  ProcessResult r = run_process(helper({"fds"}));
  ::close(a);
  ::close(b);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "0 1 2\n");
}

TEST_F(SubprocessTest, WorksWhenTheHarnessHasItsStandardDescriptorsClosed) {
  // Our stdin file and pipe ends then land on fds 0..2, where the child set-up
  // must neither clobber them nor keep their CLOEXEC flag.
  write_file(m_dir / "input", "from stdin\n");
  int saved[3];
  for (int fd = 0; fd < 3; ++fd) {
    saved[fd] = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
    ASSERT_GE(saved[fd], 0);
  }
  for (int fd = 0; fd < 3; ++fd) ::close(fd);
  SpawnOptions options = sh("cat; echo b >&2");
  options.capture = CaptureMode::split;
  options.stdin_path = (m_dir / "input").string();
  options.stdout_path.clear();  // not stored: counted and hashed only
  options.stderr_path.clear();
  ProcessResult r = run_process(options);
  for (int fd = 0; fd < 3; ++fd) {
    ::dup2(saved[fd], fd);
    ::close(saved[fd]);
  }
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.fnv1a64, fnv_hex("from stdin\n"));
  EXPECT_EQ(r.out.bytes_stored, 0u);
  EXPECT_EQ(r.err.fnv1a64, fnv_hex("b\n"));
}

TEST_F(SubprocessTest, ChildStartsWithDefaultSignalDispositionsAndMask) {
  // Harnesses commonly ignore SIGPIPE; an ignored disposition and the signal
  // mask survive execve, so the child must reset them itself.
  struct sigaction ignore = {}, saved_action;
  ignore.sa_handler = SIG_IGN;
  ASSERT_EQ(::sigaction(SIGPIPE, &ignore, &saved_action), 0);
  sigset_t usr1, saved_mask;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &usr1, &saved_mask), 0);
  ProcessResult r = run_process(sh("grep -E '^Sig(Ign|Blk)' /proc/self/status"));
  ::pthread_sigmask(SIG_SETMASK, &saved_mask, nullptr);
  ::sigaction(SIGPIPE, &saved_action, nullptr);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n");
}

TEST_F(SubprocessTest, AddressSpaceLimitMakesABigAllocationFail) {
  ProcessResult r = run_process(helper({"alloc", "256"}));
  ASSERT_TRUE(r.started) << r.spawn_error;
  ASSERT_EQ(out(), "ok\n") << "control: works without the limit";

  SpawnOptions options = helper({"alloc", "256"});
  options.limits.address_space_bytes = 64ull << 20;
  r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "failed\n");
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(SubprocessTest, OpenFilesAndCpuLimitsApply) {
  SpawnOptions options = sh("ulimit -n");
  options.limits.open_files = 37;
  ProcessResult r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(out(), "37\n");

  options = sh("while :; do :; done");
  options.limits.cpu_seconds = 1;
  r = run_process(options);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.signal == SIGXCPU || r.signal == SIGKILL) << signal_name(r.signal);
  EXPECT_GE(r.user_seconds + r.system_seconds, 0.5);
}

TEST_F(SubprocessTest, NoCoreFileUnlessAsked) {
  // Raise our own soft limit, so the child would inherit a permission to
  // dump core and only the harness's RLIMIT_CORE=0 prevents it.
  struct rlimit saved;
  ASSERT_EQ(::getrlimit(RLIMIT_CORE, &saved), 0);
  struct rlimit raised = saved;
  raised.rlim_cur = saved.rlim_max;
  ASSERT_EQ(::setrlimit(RLIMIT_CORE, &raised), 0);
  auto core_files = [&] {
    int count = 0;
    for (const auto& entry : fs::directory_iterator(m_dir)) {
      count += entry.path().filename().string().rfind("core", 0) == 0;
    }
    return count;
  };

  ProcessResult r = run_process(sh("kill -SEGV $$"));
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(core_files(), 0);

  // Control, where the machine writes plain core files: they would appear.
  std::string pattern = read_file("/proc/sys/kernel/core_pattern");
  if (saved.rlim_max != 0 && pattern.rfind("core", 0) == 0) {
    SpawnOptions options = sh("kill -SEGV $$");
    options.limits.core_dumps = true;
    r = run_process(options);
    EXPECT_EQ(r.signal, SIGSEGV);
    EXPECT_GE(core_files(), 1) << "control: core_dumps=true lets the core through";
  }
  ::setrlimit(RLIMIT_CORE, &saved);
}

TEST_F(SubprocessTest, InterruptIsForwardedToTheChildGroup) {
  InterruptGuard guard;
  SpawnOptions options = sh("touch ready; sleep 100");
  options.grace_seconds = 5;
  std::thread raiser([&] {
    if (wait_for_file(m_dir / "ready", 20)) ::raise(SIGTERM);
  });
  auto start = Clock::now();
  ProcessResult r = run_process(options);
  raiser.join();
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_LT(seconds_since(start), 20);
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.interrupt_signal, SIGTERM);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_TRUE(r.sent_sigterm);
  EXPECT_FALSE(r.sent_sigkill);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(InterruptGuard::received(), SIGTERM);
}

TEST_F(SubprocessTest, InterruptEscalatesToSigkillAfterTheGrace) {
  InterruptGuard guard;
  SpawnOptions options = sh("trap '' INT; touch ready; sleep 100");
  options.grace_seconds = 0.3;
  std::thread raiser([&] {
    if (wait_for_file(m_dir / "ready", 20)) ::raise(SIGINT);
  });
  ProcessResult r = run_process(options);
  raiser.join();
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_TRUE(r.interrupted);
  EXPECT_EQ(r.interrupt_signal, SIGINT);
  EXPECT_FALSE(r.sent_sigterm) << "SIGINT was forwarded, not SIGTERM";
  EXPECT_TRUE(r.sent_sigkill);
  EXPECT_EQ(r.signal, SIGKILL);
}

TEST_F(SubprocessTest, InterruptGuardRestoresTheHandlersAndIsUnique) {
  struct sigaction before;
  ASSERT_EQ(::sigaction(SIGINT, nullptr, &before), 0);
  {
    InterruptGuard guard;
    EXPECT_EQ(InterruptGuard::received(), 0);
    EXPECT_THROW(InterruptGuard second, std::logic_error);
    struct sigaction during;
    ::sigaction(SIGINT, nullptr, &during);
    EXPECT_NE(during.sa_handler, before.sa_handler);
    ::raise(SIGHUP);
    ::raise(SIGINT);
    EXPECT_EQ(InterruptGuard::received(), SIGHUP) << "the first signal is kept";
  }
  struct sigaction after;
  ::sigaction(SIGINT, nullptr, &after);
  EXPECT_EQ(after.sa_handler, before.sa_handler);
  InterruptGuard again;  // a new guard can be made once the old one is gone
  EXPECT_EQ(InterruptGuard::received(), 0);
}

TEST(SignalName, NamesStandardSignalsAndNumbersTheRest) {
  EXPECT_EQ(signal_name(11), "SIGSEGV");
  EXPECT_EQ(signal_name(SIGABRT), "SIGABRT");
  EXPECT_EQ(signal_name(SIGFPE), "SIGFPE");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGXCPU), "SIGXCPU");
  EXPECT_EQ(signal_name(SIGSYS), "SIGSYS");
  EXPECT_EQ(signal_name(SIGRTMIN), "SIGRTMIN");
  EXPECT_EQ(signal_name(SIGRTMIN + 2), "SIGRTMIN+2");
  EXPECT_EQ(signal_name(0), "signal 0");
  EXPECT_EQ(signal_name(1000), "signal 1000");
  for (int sig = 1; sig < SIGRTMIN; ++sig) {
    if (sig == 32 || sig == 33) continue;  // reserved by glibc, no name
    EXPECT_EQ(signal_name(sig).rfind("SIG", 0), 0u) << sig;
  }
}

TEST(CurrentEnvironment, ReflectsEnviron) {
  ::setenv("WYN_SUBPROCESS_PROBE", "x=y", 1);
  std::vector<std::string> env = current_environment();
  ::unsetenv("WYN_SUBPROCESS_PROBE");
  EXPECT_NE(std::find(env.begin(), env.end(), "WYN_SUBPROCESS_PROBE=x=y"), env.end());
}

}  // namespace
}  // namespace wyn
