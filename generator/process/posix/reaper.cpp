// The POSIX backend's clean-up: what a test left behind is found through its
// process group alone. Without /proc there is no portable way to list
// processes, and without a child subreaper orphans are re-parented to init,
// not to us: a descendant that left the group (setsid) cannot be found. If
// it holds the output pipes, run_process still notices that and reports the
// leak; it is not killed (docs/guarantees.md).

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <algorithm>
#include <cerrno>

#include "process/subprocess_detail.hpp"

namespace wyn {

bool become_subreaper() { return false; }

namespace detail {

namespace {

/// Reaps the group's members that are our own children (the main child's
/// descendants are not, except when it exec'd into a process that forked).
void reap_group(pid_t pgid) {
  while (true) {
    pid_t r = ::waitpid(-pgid, nullptr, WNOHANG);
    if (r > 0 || (r < 0 && errno == EINTR)) continue;
    return;
  }
}

}  // namespace

uint64_t spawn_mark() { return 0; }

// Registration matters only where orphans come back to us (Linux).
void register_child(pid_t, uint64_t) {}
void unregister_child(pid_t) {}

// Nothing is adopted: an orphan goes to init (launchd on macOS), which reaps it.
int orphan_exit_fd() { return -1; }
void reap_dead_orphans() {}

bool may_have_leftovers(pid_t pgid) { return ::kill(-pgid, 0) == 0 || errno == EPERM; }

int kill_leftovers(pid_t pgid, uint64_t) {
  // SIGKILL cannot be caught and a process it hits cannot fork any more, so
  // one round kills the group; a few more catch a fork that was under way.
  // Not until the group is empty: the members were re-parented to init, and
  // stay in the group as zombies until init reaps them, at its own pace.
  // Whether what it hits is alive cannot be told (a zombie is a member
  // too), so any member found counts as a leak of unknown size.
  double pause = 0.0005;
  bool found = false;
  for (int round = 0; round < 8; ++round) {
    reap_group(pgid);
    if (::kill(-pgid, SIGKILL) != 0 && errno == ESRCH) break;
    found = true;
    struct timespec delay = {0, static_cast<long>(pause * 1e9)};
    ::nanosleep(&delay, nullptr);
    pause = std::min(pause * 2, 0.025);
  }
  reap_group(pgid);
  return found ? -1 : 0;
}

}  // namespace detail
}  // namespace wyn
