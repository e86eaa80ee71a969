// The Linux backend notices its parent's death through the kernel, and
// reads its parent's command line from /proc.

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "process/subprocess.hpp"
#include "util/fs.hpp"

namespace wyn {

void signal_on_parent_death(int signal) {
  const pid_t parent = ::getppid();
  ::prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0);
  // The parent may have died before the request took effect.
  if (::getppid() != parent) ::raise(signal);
}

ParentCommand parent_command() {
  ParentCommand parent;
  const std::string proc = "/proc/" + std::to_string(::getppid());
  std::string raw;
  if (!try_read_file(proc + "/cmdline", raw)) return parent;
  size_t start = 0;
  for (size_t nul; (nul = raw.find('\0', start)) != std::string::npos; start = nul + 1)
    parent.argv.push_back(raw.substr(start, nul - start));
  char buffer[4096];
  const ssize_t n = ::readlink((proc + "/exe").c_str(), buffer, sizeof buffer - 1);
  if (n > 0) parent.program.assign(buffer, static_cast<size_t>(n));
  return parent;
}

const char* process_backend() { return "linux"; }

}  // namespace wyn
