// The stand-in's contact with a POSIX system (see host.hpp).

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __APPLE__
#include <mach-o/dyld.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "standin/host.hpp"
#include "standin/toolchain.hpp"

extern char** environ;

namespace wyn::standin {

double cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

void sleep_ms(int64_t ms) {
  timespec left{static_cast<time_t>(ms / 1000), static_cast<long>(ms % 1000) * 1000000L};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

[[noreturn]] void die_by(int sig) {
  std::fflush(nullptr);
  rlimit none{0, 0};
  setrlimit(RLIMIT_CORE, &none);
  signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  if (sig == SIGABRT) std::abort();
  raise(sig);
  _exit(128 + sig);
}

std::string own_executable() {
  char buffer[4096];
#ifdef __APPLE__
  // macOS has no /proc: the loader knows the executable's path.
  uint32_t size = sizeof buffer;
  if (_NSGetExecutablePath(buffer, &size) != 0) return "";
  return buffer;
#else
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return "";
  return std::string(buffer, static_cast<size_t>(n));
#endif
}

bool has_program(const std::string& directory, const std::string& name) {
  const std::string candidate = join_path(directory, name);
  struct stat st;
  return stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
         access(candidate.c_str(), X_OK) == 0;
}

std::string temp_directory() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir && *tmpdir ? tmpdir : "/tmp";
}

std::string make_unique_directory(const std::string& prefix, std::string& error) {
  std::string directory = prefix + "XXXXXX";
  if (mkdtemp(directory.data()) == nullptr) {
    error = std::strerror(errno);
    return "";
  }
  return directory;
}

std::string run_command(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  // Whatever this process wrote must come out before the child's output.
  std::fflush(nullptr);
  pid_t pid = 0;
  const int error = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) return "cannot run '" + argv[0] + "': " + std::strerror(error);

  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return "cannot wait for '" + argv[0] + "': " + std::strerror(errno);
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  if (WIFEXITED(status))
    return "'" + argv[0] + "' failed with exit status " + std::to_string(WEXITSTATUS(status));
  const int sig = WTERMSIG(status);
  return "'" + argv[0] + "' was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) +
         ")";
}

}  // namespace wyn::standin
