#include "standin/run.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "standin/toolchain.hpp"

namespace wyn::standin {

namespace {

constexpr int k_forwarded[] = {SIGINT, SIGTERM, SIGHUP};

/// The supervisor, while `wyn run` waits for it; read by the signal handler.
volatile sig_atomic_t g_supervisor = 0;
/// The supervisor's SIGCHLD self-pipe (write end).
volatile sig_atomic_t g_child_exit_fd = -1;

extern "C" void on_forwarded_signal(int sig) {
  // As the real one: pass it on (the supervisor ignores it), then die of it,
  // so that whoever started us sees 128+N. The supervisor then notices our
  // end of the pipe closing and kills the program.
  const pid_t supervisor = g_supervisor;
  if (supervisor > 0) kill(supervisor, sig);
  signal(sig, SIG_DFL);
  raise(sig);  // delivered when this handler returns
}

extern "C" void on_child_exit(int) {
  const int saved = errno;
  const char byte = 0;
  const ssize_t ignored = write(g_child_exit_fd, &byte, 1);
  (void)ignored;
  errno = saved;
}

/// A pipe with both ends close-on-exec, so that the program inherits neither.
bool make_pipe(int fds[2], bool nonblocking) {
  if (pipe(fds) != 0) return false;
  for (int i = 0; i < 2; ++i) {
    fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    if (nonblocking) fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
  }
  return true;
}

void remove_directory(const std::string& directory, const std::vector<std::string>& files) {
  for (const std::string& file : files) unlink(join_path(directory, file).c_str());
  rmdir(directory.c_str());
}

/// The program, in the supervisor's child: its own process group, default
/// signal dispositions (ignored ones would survive execv), then the program.
[[noreturn]] void exec_program(const std::vector<std::string>& argv, pid_t supervisor) {
  setpgid(0, 0);
#ifdef __linux__
  // Should the supervisor die, the kernel kills the program.
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (getppid() != supervisor) _exit(128 + SIGKILL);
#else
  (void)supervisor;
#endif
  for (int sig : k_forwarded) signal(sig, SIG_DFL);
  signal(SIGCHLD, SIG_DFL);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  std::fprintf(stderr, "Error: cannot run '%s': %s\n", args[0], std::strerror(errno));
  _exit(127);
}

/// The supervisor: starts the program and relays how it ended, or kills it
/// once `wyn run` is gone (`death` reads EOF).
[[noreturn]] void supervise(const std::vector<std::string>& argv, int death, const sigset_t& mask,
                            const std::string& cleanup, const std::vector<std::string>& files) {
  // Outlive `wyn run` when these are aimed at it (a terminal sends them to
  // the whole foreground group), to kill the program afterwards.
  for (int sig : k_forwarded) signal(sig, SIG_IGN);
  sigprocmask(SIG_SETMASK, &mask, nullptr);
  int exits[2];
  if (!make_pipe(exits, true)) _exit(127);
  g_child_exit_fd = exits[1];
  struct sigaction action = {};
  action.sa_handler = on_child_exit;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_NOCLDSTOP | SA_RESTART;
  sigaction(SIGCHLD, &action, nullptr);

  const pid_t self = getpid();
  const pid_t program = fork();
  if (program < 0) {
    std::fprintf(stderr, "Error: cannot run '%s': %s\n", argv[0].c_str(), std::strerror(errno));
    _exit(127);
  }
  if (program == 0) exec_program(argv, self);
  setpgid(program, program);  // whichever of the two runs first

  while (true) {
    int status = 0;
    const pid_t r = waitpid(program, &status, WNOHANG);
    if (r == program) {
      if (WIFSIGNALED(status)) die_by(WTERMSIG(status));
      _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    }
    if (r < 0 && errno != EINTR) _exit(1);
    pollfd fds[2] = {{death, POLLIN, 0}, {exits[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;  // EINTR: look at the program again
    if (fds[0].revents != 0) {
      // `wyn run` died. The whole group goes, in case the program started
      // more. Not waited for: the real compiler's program runs below a
      // shell, which is what its supervisor waits for, so the program itself
      // is left to whoever adopts it; so is this process.
      if (killpg(program, SIGKILL) != 0) kill(program, SIGKILL);
      remove_directory(cleanup, files);
      _exit(128 + SIGKILL);
    }
    char buffer[64];
    while (read(exits[0], buffer, sizeof buffer) > 0) {
    }
  }
}

}  // namespace

int run_supervised(const std::vector<std::string>& argv, const std::string& cleanup,
                   const std::vector<std::string>& files) {
  // Only this process holds the write end: EOF on the read end means it is
  // gone, however it died.
  int death[2];
  if (!make_pipe(death, false)) {
    std::fprintf(stderr, "Error: cannot run '%s': %s\n", argv[0].c_str(), std::strerror(errno));
    remove_directory(cleanup, files);
    return 1;
  }
  // The handlers are in place before the program can exist, so that a
  // signal sent once it runs always finds them (a background job of a
  // script starts with SIGINT ignored); blocked until the supervisor's pid
  // is known, and in the supervisor until it has ignored them.
  sigset_t forwarded, saved_mask;
  sigemptyset(&forwarded);
  for (int sig : k_forwarded) sigaddset(&forwarded, sig);
  sigprocmask(SIG_BLOCK, &forwarded, &saved_mask);
  struct sigaction action = {}, previous[3];
  action.sa_handler = on_forwarded_signal;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < 3; ++i) sigaction(k_forwarded[i], &action, &previous[i]);
  std::fflush(nullptr);
  const pid_t supervisor = fork();
  if (supervisor == 0) {
    close(death[1]);
    supervise(argv, death[0], saved_mask, cleanup, files);
  }
  if (supervisor < 0) {
    std::fprintf(stderr, "Error: cannot run '%s': %s\n", argv[0].c_str(), std::strerror(errno));
    for (int i = 0; i < 3; ++i) sigaction(k_forwarded[i], &previous[i], nullptr);
    sigprocmask(SIG_SETMASK, &saved_mask, nullptr);
    close(death[0]);
    close(death[1]);
    remove_directory(cleanup, files);
    return 1;
  }
  close(death[0]);
  g_supervisor = supervisor;
  sigprocmask(SIG_SETMASK, &saved_mask, nullptr);

  int status = 0;
  pid_t r;
  do {
    r = waitpid(supervisor, &status, 0);
  } while (r < 0 && errno == EINTR);
  for (int i = 0; i < 3; ++i) sigaction(k_forwarded[i], &previous[i], nullptr);
  g_supervisor = 0;
  // Closed only now, so that a normal end never looks like our death.
  close(death[1]);
  remove_directory(cleanup, files);

  if (r < 0) return 1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

}  // namespace wyn::standin
