// The Linux backend's clean-up: finding and killing what a test left behind
// after its main process exited: members of its process group, and (when
// this process is a child subreaper) orphans re-parented to us, including
// ones that left the group with setsid. Processes are listed from /proc.
//
// A subreaper adopts what init would, so it must also reap it as init does:
// an orphan that dies while its test runs on would otherwise stay a zombie
// of ours until the test ends, and kill(pid, 0), how a script sees that a
// process is gone, would still find it. SIGCHLD tells us when one died.

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <limits>
#include <mutex>
#include <set>
#include <unordered_map>
#include <vector>

#include "process/subprocess_detail.hpp"

namespace wyn {

namespace {

// The SIGCHLD self-pipe; -1 until become_subreaper made it. A forked child
// inherits the handler and the pipe: only the process that made them (the
// owner) writes to it or reads from it.
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<int> g_exit_read_fd{-1};
std::atomic<int> g_exit_write_fd{-1};
std::atomic<pid_t> g_exit_pipe_owner{0};

extern "C" void on_child_exit(int) {
  int saved_errno = errno;
  int fd = g_exit_write_fd.load();
  if (fd >= 0 && ::getpid() == g_exit_pipe_owner.load()) {
    // Non-blocking: with the pipe full, a wake-up is pending anyway.
    char byte = 0;
    ssize_t ignored = ::write(fd, &byte, 1);
    (void)ignored;
  }
  errno = saved_errno;
}

/// Catches SIGCHLD into the self-pipe, unless the caller has its own plan
/// for it: ignored, the kernel reaps every child itself, adopted ones too;
/// a handler of the caller's is left in place, and adopted orphans are then
/// reaped only when their test ends.
void watch_child_exits() {
  struct sigaction previous;
  if (::sigaction(SIGCHLD, nullptr, &previous) != 0) return;
  if ((previous.sa_flags & SA_SIGINFO) || previous.sa_handler != SIG_DFL) return;
  int fds[2];
  if (detail::open_pipe(fds, true) != 0) return;
  g_exit_pipe_owner = ::getpid();
  g_exit_read_fd = fds[0];
  g_exit_write_fd = fds[1];
  struct sigaction action = {};
  action.sa_handler = on_child_exit;
  sigemptyset(&action.sa_mask);
  // SA_RESTART spares the rest of the program EINTR, as InterruptGuard's.
  action.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  if (::sigaction(SIGCHLD, &action, nullptr) != 0) {
    g_exit_read_fd = -1;
    g_exit_write_fd = -1;
    ::close(fds[0]);
    ::close(fds[1]);
  }
}

}  // namespace

bool become_subreaper() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return false;
  static std::once_flag watching;
  std::call_once(watching, watch_child_exits);
  return true;
}

namespace detail {
namespace {

struct Registered {
  pid_t pid;
  uint64_t spawn_tick;
};

std::mutex g_children_mutex;
std::vector<Registered> g_children;  // main children of run_process calls in progress

bool is_registered(pid_t pid) {
  std::lock_guard<std::mutex> lock(g_children_mutex);
  return std::any_of(g_children.begin(), g_children.end(),
                     [pid](const Registered& child) { return child.pid == pid; });
}

/// The spawn mark of the oldest run_process call in progress; no child
/// started before it belongs to a test. The maximum when none is in progress.
uint64_t earliest_spawn_tick() {
  std::lock_guard<std::mutex> lock(g_children_mutex);
  uint64_t earliest = std::numeric_limits<uint64_t>::max();
  for (const Registered& child : g_children) earliest = std::min(earliest, child.spawn_tick);
  return earliest;
}

struct ProcInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgid = 0;
  char state = '?';
  bool exiting = false;  ///< PF_EXITING: already dying, no longer a leak
  uint64_t start_tick = 0;
};

/// Parses /proc/<pid>/stat. The command name may contain spaces and ')', so
/// the fields are read after the last ')'.
bool read_proc(pid_t pid, ProcInfo& info) {
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[1024];
  ssize_t n;
  do {
    n = ::read(fd, buf, sizeof buf - 1);
  } while (n < 0 && errno == EINTR);
  ::close(fd);
  if (n <= 0) return false;
  buf[n] = '\0';
  char* p = strrchr(buf, ')');
  if (p == nullptr || p[1] != ' ') return false;
  p += 2;
  info.pid = pid;
  info.state = *p++;
  // Fields after the state, numbered as in proc(5): 4 ppid, 5 pgrp, 9 flags, 22 starttime.
  for (int field = 4; field <= 22; ++field) {
    char* end;
    unsigned long long value = strtoull(p, &end, 10);
    if (end == p) {
      // Negative fields (priority, nice) parse via strtoll.
      value = static_cast<unsigned long long>(strtoll(p, &end, 10));
      if (end == p) return false;
    }
    p = end;
    if (field == 4) info.ppid = static_cast<pid_t>(value);
    if (field == 5) info.pgid = static_cast<pid_t>(value);
    if (field == 9) info.exiting = (value & 0x4) != 0;  // PF_EXITING
    if (field == 22) info.start_tick = value;
  }
  return true;
}

/// A snapshot of all processes. Scanning /proc costs a few ms on a busy
/// machine, which is why it is only done once may_have_leftovers said yes.
std::vector<ProcInfo> scan_processes() {
  std::vector<ProcInfo> procs;
  DIR* dir = ::opendir("/proc");
  if (dir == nullptr) return procs;
  while (struct dirent* entry = ::readdir(dir)) {
    char* end;
    long pid = strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    ProcInfo info;
    if (read_proc(static_cast<pid_t>(pid), info)) procs.push_back(info);
  }
  ::closedir(dir);
  return procs;
}

/// The processes that belong to the test: its group, our own children that
/// started after it did (orphans re-parented to us as subreaper), and all
/// their descendants (which catches those that left the group with setsid
/// while their parent was still in it).
std::vector<ProcInfo> find_leftovers(pid_t pgid, uint64_t spawn_tick) {
  std::vector<ProcInfo> procs = scan_processes();
  pid_t self = ::getpid();
  std::unordered_map<pid_t, std::vector<size_t>> children;
  for (size_t i = 0; i < procs.size(); ++i) children[procs[i].ppid].push_back(i);

  std::vector<size_t> queue;
  std::set<pid_t> seen;
  for (size_t i = 0; i < procs.size(); ++i) {
    const ProcInfo& p = procs[i];
    if (p.pid == self) continue;
    bool ours = p.ppid == self && p.start_tick >= spawn_tick && !is_registered(p.pid);
    if (p.pgid == pgid || ours) {
      queue.push_back(i);
      seen.insert(p.pid);
    }
  }
  for (size_t k = 0; k < queue.size(); ++k) {
    auto it = children.find(procs[queue[k]].pid);
    if (it == children.end()) continue;
    for (size_t i : it->second) {
      if (seen.insert(procs[i].pid).second) queue.push_back(i);
    }
  }
  std::vector<ProcInfo> result;
  for (size_t i : queue) result.push_back(procs[i]);
  return result;
}

void sleep_seconds(double seconds) {
  struct timespec delay;
  delay.tv_sec = static_cast<time_t>(seconds);
  delay.tv_nsec = static_cast<long>((seconds - static_cast<double>(delay.tv_sec)) * 1e9);
  while (::nanosleep(&delay, &delay) != 0 && errno == EINTR) {
  }
}

}  // namespace

uint64_t spawn_mark() {
  struct timespec now;
  ::clock_gettime(CLOCK_BOOTTIME, &now);
  uint64_t hz = static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
  uint64_t ns =
      static_cast<uint64_t>(now.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(now.tv_nsec);
  // The kernel truncates the same way (nsec_to_clock_t), so a process forked
  // after this call has a start tick >= the value returned here.
  return ns / (1'000'000'000ull / hz);
}

void register_child(pid_t pid, uint64_t spawn_tick) {
  std::lock_guard<std::mutex> lock(g_children_mutex);
  g_children.push_back(Registered{pid, spawn_tick});
}

void unregister_child(pid_t pid) {
  std::lock_guard<std::mutex> lock(g_children_mutex);
  g_children.erase(std::remove_if(g_children.begin(), g_children.end(),
                                  [pid](const Registered& child) { return child.pid == pid; }),
                   g_children.end());
}

int orphan_exit_fd() { return ::getpid() == g_exit_pipe_owner.load() ? g_exit_read_fd.load() : -1; }

void reap_dead_orphans() {
  int fd = orphan_exit_fd();
  if (fd >= 0) {
    char buffer[256];
    while (::read(fd, buffer, sizeof buffer) > 0) {
    }
  }
  const uint64_t since = earliest_spawn_tick();
  if (since == std::numeric_limits<uint64_t>::max()) return;  // no test runs: nothing is ours
  // An orphan of a test: not a main child (run_process reaps those, keeping
  // their status and rusage), and started after a test did.
  auto adopted = [since](pid_t pid) {
    ProcInfo info;
    return !is_registered(pid) && read_proc(pid, info) && info.start_tick >= since;
  };
  auto reap = [](pid_t pid) {
    pid_t r;
    do {
      r = ::waitpid(pid, nullptr, WNOHANG);
    } while (r < 0 && errno == EINTR);
    return r == pid;
  };
  // waitid(WNOWAIT) names the first child in line that has exited, without
  // reaping it. waitpid(-1) would be shorter, but could take a main child's
  // status from its run_process.
  while (true) {
    siginfo_t info = {};
    int r = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 || info.si_pid == 0) return;  // no child, or none has exited
    if (!adopted(info.si_pid) || !reap(info.si_pid)) break;
  }
  // The first in line is not ours to reap (a main child about to be reaped,
  // a child the caller started itself); find those behind it in /proc.
  const pid_t self = ::getpid();
  for (const ProcInfo& p : scan_processes()) {
    if (p.ppid == self && p.state == 'Z' && adopted(p.pid)) reap(p.pid);
  }
}

bool may_have_leftovers(pid_t pgid) {
  if (::kill(-pgid, 0) == 0 || errno == EPERM) return true;
  // Any child at all, live or zombie? WNOWAIT leaves a zombie for the scan.
  siginfo_t info = {};
  int r;
  do {
    r = ::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT);
  } while (r < 0 && errno == EINTR);
  return r == 0;
}

int kill_leftovers(pid_t pgid, uint64_t spawn_tick) {
  pid_t self = ::getpid();
  std::set<pid_t> killed;
  double pause = 0.0005;
  // Each round kills what it finds; processes forked meanwhile, or
  // re-parented to us when their parent died, are found by the next round.
  // The bound keeps an unkillable (D state) process from hanging the harness.
  for (int round = 0; round < 200; ++round) {
    std::vector<ProcInfo> leftovers = find_leftovers(pgid, spawn_tick);
    bool alive = false;
    for (const ProcInfo& p : leftovers) {
      if (p.state == 'Z' || p.state == 'X') continue;
      alive = true;
      if (::kill(p.pid, SIGKILL) == 0 && !p.exiting) killed.insert(p.pid);
    }
    ::kill(-pgid, SIGKILL);
    for (const ProcInfo& p : leftovers) {
      if (p.ppid == self) {
        while (::waitpid(p.pid, nullptr, WNOHANG) < 0 && errno == EINTR) {
        }
      }
    }
    if (!alive) break;
    // SIGKILLed processes need a moment to release their memory and exit.
    sleep_seconds(pause);
    pause = std::min(pause * 2, 0.025);
  }
  return static_cast<int>(killed.size());
}

}  // namespace detail
}  // namespace wyn
