#pragma once
// Internals shared by subprocess.cpp, spawn.cpp, signals.cpp and the two
// process backends. Not part of the interface; only the unit tests include
// it besides those.
//
// A backend is three files chosen at configure time (WYN_PROCESS_BACKEND):
// <backend>/spawn.cpp (pipes, starting the child, exit notification),
// <backend>/reaper.cpp (finding what a test left behind) and
// <backend>/parent.cpp (noticing that our own parent died). `linux` uses
// the child subreaper, PR_SET_PDEATHSIG, pidfd and /proc; `posix` only what
// macOS and the BSDs have as well.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "process/subprocess.hpp"

namespace wyn::detail {

/// Owns one file descriptor; closing in the destructor keeps every early
/// return in the spawn and supervision code from leaking fds.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : m_fd(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : m_fd(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return m_fd; }
  bool valid() const { return m_fd >= 0; }
  int release();
  void reset(int fd = -1);

 private:
  int m_fd = -1;
};

/// A started child: its pid (also its process group id) and the parent's ends.
struct SpawnedChild {
  pid_t pid = -1;
  UniqueFd out_pipe;  ///< read end of stdout (merged: stdout and stderr)
  UniqueFd err_pipe;  ///< read end of stderr in split mode
  UniqueFd out_file;  ///< capture file for out_pipe; invalid when not stored
  UniqueFd err_file;  ///< capture file for err_pipe; invalid when not stored
  /// Readable once the child exited (pidfd); invalid without one, and then
  /// the exit is noticed by polling wait4.
  UniqueFd exit_fd;
};

/// Starts the child described by `options`, retrying transient failures.
/// On failure fills result.spawn_errno/spawn_error, closes everything it
/// opened, and returns false.
bool spawn_child(const SpawnOptions& options, SpawnedChild& child, ProcessResult& result);

/// Testing hook: true makes spawn_child skip pidfd_open, so run_process takes
/// the polling fallback meant for kernels older than 5.3. The POSIX backend
/// always polls.
void set_pidfd_disabled(bool disabled);

// ---- Backend: <backend>/spawn.cpp ----

/// pipe() with both ends close-on-exec (and non-blocking if asked); atomic
/// with respect to a concurrent fork where the platform has pipe2. 0 or -1
/// with errno, like pipe().
int open_pipe(int fds[2], bool nonblocking);
/// Runs `child(arg)` in a new process and returns its pid (-1 with errno).
/// `child` must not return, and may only make async-signal-safe calls: the
/// Linux backend uses vfork, where it borrows the caller's memory and stack.
pid_t start_process(void (*child)(const void*), const void* arg);
/// In the child before execve (async-signal-safe): closes every descriptor
/// from 3 up except `keep`.
void close_fds_from_3(int keep);
/// In the child before execve (async-signal-safe): arranges for SIGKILL when
/// `parent` dies. Returns 0, or the errno of the failure; `ESRCH` when the
/// parent already died. The POSIX backend has no such request: it returns 0.
int die_with_parent(pid_t parent);
/// A descriptor that polls readable once `pid` exited, or invalid.
UniqueFd open_exit_fd(pid_t pid);

// ---- Backend: <backend>/reaper.cpp ----

/// Read end of the InterruptGuard self-pipe, or -1 while no guard exists.
int interrupt_fd();
/// The next signal number queued by the InterruptGuard handler, or 0.
int take_interrupt();

/// A mark taken before the spawn that every process the child starts is
/// later than (Linux: CLOCK_BOOTTIME in clock ticks, the unit of the start
/// time in /proc/<pid>/stat; POSIX: unused, 0).
uint64_t spawn_mark();
/// Marks `pid` as the main child of a run_process call still in progress,
/// spawned after `spawn_tick` (see spawn_mark), so that the clean-up of a
/// concurrent call does not take it for a stray orphan, nor reap_dead_orphans
/// reap it and lose its status.
void register_child(pid_t pid, uint64_t spawn_tick);
void unregister_child(pid_t pid);
/// Readable when an orphan this process adopted (as subreaper) may have
/// died: a SIGCHLD self-pipe that become_subreaper sets up. -1 where nothing
/// is adopted (the POSIX backend, or become_subreaper not called).
int orphan_exit_fd();
/// Empties orphan_exit_fd and reaps every child of this process that has
/// exited, is not a registered main child and started after the earliest
/// registered spawn: the orphans adopted from the tests in progress. Children
/// the caller started itself before are left alone. Linux only; else nothing.
void reap_dead_orphans();
/// Cheap check after the main child was reaped: false means no member of
/// group `pgid` exists and this process has no children, so nothing leaked.
bool may_have_leftovers(pid_t pgid);
/// SIGKILLs and reaps every member of group `pgid` and (Linux) every
/// descendant of this process started at or after `spawn_tick` (see
/// spawn_mark) that is not a registered main child. Returns how many live
/// processes it killed, or -1 for some (POSIX cannot list a group's
/// members, nor tell the live ones from zombies).
int kill_leftovers(pid_t pgid, uint64_t spawn_tick);

/// "No such file or directory (ENOENT)".
std::string describe_errno(int err);

#ifdef _WIN32
// ---- The Windows backend (windows/), which replaces all of the above: ----
// CreateProcessW, a Job Object per child, reader threads on the pipes.

/// UTF-8 to UTF-16 and back; invalid sequences become U+FFFD.
std::wstring widen(std::string_view text);
std::string narrow(std::wstring_view text);
/// One argument quoted so that CommandLineToArgvW (and the C runtime's
/// argv parsing) gives it back unchanged.
std::wstring quote_argument(std::wstring_view arg);
/// The command line of CreateProcessW for `argv`.
std::wstring command_line(const std::vector<std::string>& argv);
/// "The system cannot find the file specified (Win32 error 2)".
std::string describe_win32_error(unsigned long code);
/// The crash an exit status stands for ("0xC0000005 access violation"), or
/// "" for a status that is an ordinary exit code.
std::string ntstatus_name(unsigned long status);
/// True for exit statuses that are NTSTATUS error codes: a crash.
bool is_crash_status(unsigned long status);
/// Processes of the job still alive, the console hosts the system (or Wine)
/// adds to it not counted. -1 if the job cannot be queried.
int live_job_processes(void* job);
/// Terminates every process of the job and waits (at most `wait_seconds`)
/// until they are gone. Returns how many were alive, console hosts not counted.
int kill_job(void* job, double wait_seconds);
/// An event that is set when an interrupt arrives (InterruptGuard, or the
/// parent's death); nullptr while no guard exists.
void* interrupt_event();
#endif

}  // namespace wyn::detail
