// The POSIX backend notices its parent's death by polling getppid(): an
// orphan is re-parented (to init, or to a subreaper), so the value changes.
// A detached thread does it, so no caller's loop has to.

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <thread>

#include "process/subprocess.hpp"

namespace wyn {

void signal_on_parent_death(int signal) {
  const pid_t parent = ::getppid();
  std::thread([parent, signal] {
    struct timespec pause = {0, static_cast<long>(k_parent_poll_seconds * 1e9)};
    while (::getppid() == parent) ::nanosleep(&pause, nullptr);
    // To the process, not this thread: any thread that does not block it
    // runs the handler (InterruptGuard's, in the launcher).
    ::kill(::getpid(), signal);
  }).detach();
}

const char* process_backend() { return "posix"; }

}  // namespace wyn
