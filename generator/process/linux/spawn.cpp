// The Linux backend's part of spawning: pipe2, vfork, close_range (or
// /proc/self/fd), PR_SET_PDEATHSIG and pidfd_open.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "process/subprocess_detail.hpp"

namespace wyn::detail {

namespace {

bool g_pidfd_disabled = false;

}  // namespace

void set_pidfd_disabled(bool disabled) { g_pidfd_disabled = disabled; }

int open_pipe(int fds[2], bool nonblocking) {
  return ::pipe2(fds, O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0));
}

/// vfork, not fork: fork copies the page tables of the whole harness and
/// costs 1-2 ms per test on a VM, vfork next to nothing (posix_spawn does the
/// same, but cannot set rlimits). The child borrows this thread's memory and
/// stack until execve, which `child` allows: it only makes syscalls, never
/// returns, and runs with every signal blocked until it has reset the
/// dispositions. This function is kept tiny and out of line so that nothing
/// of the caller's frame is live across the vfork.
__attribute__((noinline)) pid_t start_process(void (*child)(const void*), const void* arg) {
  pid_t pid = ::vfork();
  if (pid == 0) {
    child(arg);
    _exit(127);  // not reached: `child` does not return
  }
  return pid;
}

/// close_range needs Linux 5.9; before that, /proc/self/fd lists what is open.
void close_fds_from_3(int keep) {
  bool done;
  if (keep > 3) {
    done = ::syscall(SYS_close_range, 3u, static_cast<unsigned>(keep - 1), 0u) == 0 &&
           ::syscall(SYS_close_range, static_cast<unsigned>(keep + 1), ~0u, 0u) == 0;
  } else {
    done = ::syscall(SYS_close_range, 4u, ~0u, 0u) == 0;
  }
  if (done) return;

  // Fallback: list /proc/self/fd with raw getdents64 (opendir allocates).
  int dir = ::open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    alignas(8) char buf[4096];
    long n;
    while ((n = ::syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
      for (long off = 0; off < n;) {
        // struct linux_dirent64: d_ino(8) d_off(8) d_reclen(2) d_type(1) d_name
        unsigned short reclen;
        __builtin_memcpy(&reclen, buf + off + 16, sizeof reclen);
        const char* name = buf + off + 19;
        off += reclen;
        int fd = 0;
        if (*name < '0' || *name > '9') continue;
        for (; *name >= '0' && *name <= '9'; ++name) fd = fd * 10 + (*name - '0');
        if (fd > 2 && fd != keep && fd != dir) ::close(fd);
      }
    }
    ::close(dir);
    return;
  }
  // No /proc: close every possible descriptor number.
  struct rlimit lim;
  long max_fd = (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
                    ? static_cast<long>(lim.rlim_cur)
                    : 65536;
  for (long fd = 3; fd < max_fd; ++fd) {
    if (fd != keep) ::close(static_cast<int>(fd));
  }
}

int die_with_parent(pid_t parent) {
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return errno;
  // The harness may have died before the request took effect.
  return ::getppid() == parent ? 0 : ESRCH;
}

UniqueFd open_exit_fd(pid_t pid) {
  if (g_pidfd_disabled) return UniqueFd();
  // pidfd_open needs Linux 5.3; without it run_process polls instead.
  return UniqueFd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
}

}  // namespace wyn::detail
