// The POSIX backend notices its parent's death by polling getppid(): an
// orphan is re-parented (to init, or to a subreaper), so the value changes.
// A detached thread does it, so no caller's loop has to. The parent's
// command line comes from ps(1), part of the base system of macOS and the
// BSDs, which have no /proc.

#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <thread>

#include "process/subprocess.hpp"
#include "util/fs.hpp"

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

ParentCommand parent_command() {
  ParentCommand parent;
  const std::string scratch = make_temp_file(system_temp_directory() + "/wyn-ps-");
  if (scratch.empty()) return parent;
  SpawnOptions options;
  options.argv = {"ps", "-o", "args=", "-p", std::to_string(::getppid())};
  options.env = current_environment();
  options.stdout_path = scratch;
  options.timeout_seconds = 30;
  const ProcessResult result = run_process(options);
  std::string raw;
  if (result.started && result.exit_code == 0 && try_read_file(scratch, raw)) {
    // ps gives one line; arguments with blanks cannot be told apart.
    size_t start = 0;
    while ((start = raw.find_first_not_of(" \t\n", start)) != std::string::npos) {
      const size_t end = raw.find_first_of(" \t\n", start);
      parent.argv.push_back(raw.substr(start, end - start));
      start = end;
    }
  }
  ::unlink(scratch.c_str());
  // A bare name is searched in PATH by run_process; a relative path is taken
  // as relative to this process's working directory, which may not be the parent's.
  if (!parent.argv.empty()) parent.program = parent.argv[0];
  return parent;
}

const char* process_backend() { return "posix"; }

}  // namespace wyn
