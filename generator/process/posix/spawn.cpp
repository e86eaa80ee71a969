// The POSIX backend's part of spawning, with only what macOS and the BSDs
// have as well: pipe + fcntl, fork, closing descriptors found with poll.
// There is no parent-death request and no exit descriptor: a harness killed
// outright leaves its child running (docs/guarantees.md), and run_process
// notices the exit by polling wait4.

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>

#include "process/subprocess_detail.hpp"

namespace wyn::detail {

void set_pidfd_disabled(bool) {}

int open_pipe(int fds[2], bool nonblocking) {
  // Not atomic: a fork in another thread between pipe and fcntl inherits
  // both ends. The children that spawn_child starts close them again
  // (close_fds_from_3), so only a fork elsewhere in the program can keep
  // one open, and the harness's own threads do not fork.
  if (::pipe(fds) != 0) return -1;
  for (int i = 0; i < 2; ++i) {
    int flags = ::fcntl(fds[i], F_GETFL);
    if (::fcntl(fds[i], F_SETFD, FD_CLOEXEC) != 0 ||
        (nonblocking && (flags < 0 || ::fcntl(fds[i], F_SETFL, flags | O_NONBLOCK) != 0))) {
      int err = errno;
      ::close(fds[0]);
      ::close(fds[1]);
      errno = err;
      return -1;
    }
  }
  return 0;
}

/// fork, not vfork: POSIX dropped vfork in 2008 and what a vfork child may
/// do differs between systems. `child` only makes async-signal-safe calls,
/// which is what a fork child of a threaded process may do.
pid_t start_process(void (*child)(const void*), const void* arg) {
  pid_t pid = ::fork();
  if (pid == 0) {
    child(arg);
    _exit(127);  // not reached: `child` does not return
  }
  return pid;
}

/// Without close_range or /proc, poll tells which descriptors are open
/// (POLLNVAL marks the others), a thousand at a time, so that a high
/// RLIMIT_NOFILE costs a few syscalls rather than one close per number.
void close_fds_from_3(int keep) {
  struct rlimit lim;
  long max_fd = (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
                    ? static_cast<long>(lim.rlim_cur)
                    : 65536;
  constexpr int k_batch = 1024;
  struct pollfd fds[k_batch];
  for (long first = 3; first < max_fd; first += k_batch) {
    int count = 0;
    for (long fd = first; fd < max_fd && count < k_batch; ++fd) {
      fds[count++] = pollfd{static_cast<int>(fd), 0, 0};
    }
    int ready;
    do {
      ready = ::poll(fds, static_cast<nfds_t>(count), 0);
    } while (ready < 0 && errno == EINTR);
    for (int i = 0; i < count; ++i) {
      // If poll itself failed, close them all blindly.
      bool open = ready < 0 || !(fds[i].revents & POLLNVAL);
      if (open && fds[i].fd != keep) ::close(fds[i].fd);
    }
  }
}

int die_with_parent(pid_t) { return 0; }

UniqueFd open_exit_fd(pid_t) { return UniqueFd(); }

}  // namespace wyn::detail
