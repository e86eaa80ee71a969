#pragma once
// Running one child process under the harness's control: argv spawn in its own
// process group, output captured to capped files, wall-clock timeout with a
// SIGTERM -> grace -> SIGKILL escalation, resource limits, clean-up of stray
// descendants, and forwarding of interrupts the harness itself receives.

#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

#ifdef _WIN32
// Windows has none of these signals. The Windows backend reports the
// terminations it causes with their POSIX numbers (SIGKILL for a job it
// terminated), so that the rest of the harness judges them alike.
#ifndef SIGHUP
#define SIGHUP 1
#endif
#ifndef SIGKILL
#define SIGKILL 9
#endif
#ifndef SIGXCPU
#define SIGXCPU 24
#endif
#endif

namespace wyn {

/// Limits applied to the child with setrlimit(); 0 leaves a limit as inherited.
struct ResourceLimits {
  uint64_t address_space_bytes = 0;
  uint64_t cpu_seconds = 0;
  uint64_t open_files = 0;
  bool core_dumps = false;  ///< false sets RLIMIT_CORE to 0
};

enum class CaptureMode {
  merged,  ///< stdout and stderr share one pipe, so their order is exactly the write order
  split,   ///< stdout and stderr go to separate files
};

struct SpawnOptions {
  /// argv[0] is the program; without a '/', it is searched in PATH of `env`
  /// (/bin:/usr/bin without one) as execvp does. A relative path with a '/'
  /// is relative to the caller's working directory, like every path here.
  std::vector<std::string> argv;
  /// Working directory of the child; empty inherits the caller's.
  std::string cwd;
  /// The child's whole environment as "NAME=value" entries.
  std::vector<std::string> env;
  /// File opened as the child's stdin; empty means /dev/null.
  std::string stdin_path;
  CaptureMode capture = CaptureMode::merged;
  /// Receives stdout (merged: stdout and stderr). Created or truncated.
  /// Empty: the stream is still read, counted and hashed, but not stored.
  std::string stdout_path;
  /// Receives stderr in split mode (must differ from stdout_path); ignored in
  /// merged mode. Empty as for stdout_path.
  std::string stderr_path;
  /// Bytes stored per stream; the rest is read, counted and hashed, not stored.
  uint64_t capture_limit_bytes = 10ull << 20;
  /// When one stream has carried more than this many bytes, the child's group
  /// is terminated as at a timeout (SIGTERM, SIGKILL after the grace period)
  /// and ProcessResult::output_limit_exceeded is set, so endless output ends
  /// in moments instead of at the timeout. What is written until the group
  /// dies is still read, counted and hashed. 0: no limit.
  uint64_t output_limit_bytes = 0;
  /// Wall-clock limit in seconds; 0 means none.
  double timeout_seconds = 0;
  /// Time between SIGTERM and SIGKILL when the timeout fires or on interrupt.
  double grace_seconds = 2;
  /// After the child exits, how long descendants may keep the output pipes open.
  double drain_seconds = 0.5;
  ResourceLimits limits;
  /// The child gets SIGKILL when the thread that started it dies
  /// (PR_SET_PDEATHSIG), so a harness killed outright does not leave its test
  /// running. Its descendants are not covered (run_process kills those).
  /// Linux backend only: POSIX has no such request, and this is ignored.
  bool kill_with_parent = true;
  /// Spawn attempts when a spawn step (pipe, open, fork, exec) fails with EAGAIN,
  /// ENOMEM, EMFILE or ENFILE; the back-off starts at 10 ms and doubles.
  int spawn_attempts = 5;
};

/// What happened to one output stream.
struct StreamCapture {
  uint64_t bytes_total = 0;  ///< everything the child wrote
  /// min(bytes_total, capture_limit_bytes); 0 without a file, less if
  /// writing the file failed (disk full).
  uint64_t bytes_stored = 0;
  /// 16 lowercase hex digits over all bytes written, stored or not; empty
  /// when the stream was not captured (`err` in merged mode, or !started).
  std::string fnv1a64;
};

struct ProcessResult {
  bool started = false;
  /// When !started: errno of the failed spawn step, and a sentence naming it.
  int spawn_errno = 0;
  std::string spawn_error;

  /// Valid when the child exited normally (signal == 0). -1 with signal 0 only
  /// if the status was lost because the caller ignores SIGCHLD or reaps
  /// children itself (waitpid(-1)), or the child could not be killed.
  int exit_code = -1;
  /// Signal that terminated the child, 0 if it exited. Windows: the NTSTATUS
  /// exception code of a crash (0xC0000005 and so on, as an int), or SIGKILL
  /// when the harness terminated the job; signal_name names both.
  int signal = 0;

  bool timed_out = false;
  bool sent_sigterm = false;  ///< SIGTERM was sent to the group (timeout, output limit, interrupt)
  bool sent_sigkill = false;  ///< SIGKILL was sent to the group after the grace period
  /// A stream passed output_limit_bytes and the group was terminated for it.
  bool output_limit_exceeded = false;

  /// A descendant still held the output pipes after drain_seconds, or was
  /// still alive, after the child exited; it was killed. Also set if the
  /// child itself survived SIGKILL for 10 s (uninterruptible sleep) and was
  /// abandoned. Descendants that die of the group's timeout or interrupt
  /// signal within drain_seconds are not leaks.
  bool leaked = false;
  /// How many live processes the clean-up killed; 0 under the POSIX
  /// backend, which cannot count them.
  int leaked_processes = 0;

  /// The harness received SIGINT/SIGTERM/SIGHUP while the child ran (see InterruptGuard).
  bool interrupted = false;
  int interrupt_signal = 0;

  /// From spawn until the main process was reaped (the drain is not included).
  double wall_seconds = 0;
  double user_seconds = 0;
  double system_seconds = 0;
  long max_rss_kib = 0;

  StreamCapture out;  ///< stdout (merged: both streams)
  StreamCapture err;  ///< stderr in split mode
};

/// Runs the child to completion. Never throws for anything the child does;
/// a failure to spawn is reported in the result. When it returns, no process
/// the child started is left: members of its process group, and (after
/// become_subreaper) orphans that left the group, are SIGKILLed and reaped.
/// While it runs, the orphans this process adopted are reaped as soon as
/// they die, as init would, so a test that waits for one of its processes
/// to be gone (kill -0) sees it go. Orphans are recognised as children of
/// this process started after the spawn, so run one child at a time if the
/// caller has other children.
ProcessResult run_process(const SpawnOptions& options);

/// How a child started by run_and_wait ended.
struct ChildExit {
  bool started = false;
  int spawn_errno = 0;  ///< when !started: why it could not be started
  int exit_code = -1;   ///< valid when started and signal == 0
  int signal = 0;       ///< as ProcessResult::signal (Windows: a crash's NTSTATUS code)
  bool succeeded() const { return started && signal == 0 && exit_code == 0; }
};

/// Runs `argv` with the whole environment `env` and waits for it, with none
/// of run_process's supervision: no process group, job, limits, timeout or
/// clean-up; stdin and stdout are the caller's, stderr goes to `stderr_path`
/// (created or truncated). argv[0] is the program's path, not searched in
/// PATH (Windows: `.exe` is appended when the file has no extension and
/// does not exist without it). For helpers that run a program per call and
/// must stay cheap (wyn-cc runs the C compiler this way): posix_spawn and
/// waitpid on POSIX, CreateProcessW and a wait on Windows.
ChildExit run_and_wait(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const std::string& stderr_path);

/// Becomes `argv` (argv[0] a path, as for run_and_wait) with this process's
/// environment and standard streams: execve on POSIX. Windows cannot replace
/// a process: the program is run, waited for, and this process exits with
/// its exit status. Returns only when the program could not be started,
/// with errno set.
void exec_program(const std::vector<std::string>& argv);

/// While alive, SIGINT, SIGTERM and SIGHUP sent to this process are caught and
/// forwarded to the process group of the child that run_process is running;
/// run_process then reports `interrupted`, and SIGKILLs the group after
/// grace_seconds (at once on a second interrupt). A signal that arrives while
/// no child runs is forwarded to the next child run_process starts, so check
/// received() before starting one. Signals that were ignored (nohup) stay
/// ignored. The destructor restores the previous handlers. At most one guard
/// exists at a time: constructing a second throws std::logic_error; it must
/// outlive the run_process calls it covers.
class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
  /// The first signal received since construction, or 0.
  static int received();
};

/// Makes this process a child subreaper (Linux), so descendants that a test
/// orphans are re-parented here and can be found and killed. It then also
/// catches SIGCHLD (unless the caller ignores or handles it already), so
/// that run_process reaps adopted orphans the moment they die instead of
/// keeping them as zombies until their test ends. Returns false where
/// unsupported (the POSIX backend, whose orphans go to init).
bool become_subreaper();

/// Sends `signal` to this process when its parent dies (ctest killed or
/// interrupted), so that an InterruptGuard stops the running child instead of
/// the harness running on as an orphan. Linux: PR_SET_PDEATHSIG. POSIX: a
/// thread polls getppid() and notices within k_parent_poll_seconds. If the
/// parent is already gone, the signal is sent at once.
void signal_on_parent_death(int signal);
constexpr double k_parent_poll_seconds = 0.1;

/// "linux", "posix" or "windows": the process backend this build was configured with.
const char* process_backend();

/// "SIGSEGV" for 11 and so on; "signal N" for numbers without a name.
/// Windows: "0xC0000005 access violation" for a crash's NTSTATUS code.
std::string signal_name(int signal);

/// Whether a child that ended by `signal` crashed by itself, which a compiler
/// does again on the same input, rather than was killed from outside:
/// SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGTRAP; on Windows any crash's
/// NTSTATUS code (the harness's own kills are SIGKILL and SIGXCPU there).
bool is_crash_signal(int signal);

/// What run_process terminates at a timeout, as a message names it: "the
/// process group", or on Windows "its job (the program and all it started)".
const char* timeout_target();

/// The command line of this process's parent (ctest, for a program it runs as a test).
struct ParentCommand {
  /// Its arguments; empty where the system does not tell (Windows). The
  /// POSIX backend has them from ps(1), split at blanks.
  std::vector<std::string> argv;
  /// What runs the parent's program again: its file (Linux), else argv[0].
  std::string program;
};
ParentCommand parent_command();

/// The current environment as "NAME=value" entries.
std::vector<std::string> current_environment();

}  // namespace wyn
