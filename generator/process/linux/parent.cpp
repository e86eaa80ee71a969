// The Linux backend notices its parent's death through the kernel.

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "process/subprocess.hpp"

namespace wyn {

void signal_on_parent_death(int signal) {
  const pid_t parent = ::getppid();
  ::prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0);
  // The parent may have died before the request took effect.
  if (::getppid() != parent) ::raise(signal);
}

const char* process_backend() { return "linux"; }

}  // namespace wyn
