// Starting the child: (v)fork + execve from an argv vector, with the child set
// up between the two (own process group, stdio, cwd, rlimits, signals, fds).
// The process backend (<backend>/spawn.cpp) supplies the platform's parts:
// pipes, the fork itself, closing inherited descriptors, parent death.
//
// Between the fork and execve the child may run only async-signal-safe code
// that writes nothing the parent reads: with vfork it shares the parent's
// memory, and another parent thread may hold the malloc lock. So everything
// the child needs (C strings, the list of paths to try) is prepared in the
// parent beforehand.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "process/subprocess_detail.hpp"

namespace wyn::detail {

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

int UniqueFd::release() {
  int fd = m_fd;
  m_fd = -1;
  return fd;
}

void UniqueFd::reset(int fd) {
  // No EINTR retry: Linux releases the fd even when close is interrupted, and
  // elsewhere a retry could close a descriptor another thread just opened.
  if (m_fd >= 0) ::close(m_fd);
  m_fd = fd;
}

namespace {

/// The child set-up step that failed; sent to the parent together with errno.
enum class Step : int { setup, chdir, rlimit, exec };

struct ChildReport {
  Step step;
  int err;
  int resource;  ///< the RLIMIT_* for Step::rlimit
};

struct Limit {
  int resource;
  rlim_t value;
};

/// Everything the child uses, computed before the fork (see the file comment).
struct ChildPlan {
  std::vector<std::string> exec_paths;
  std::vector<char*> exec_path_ptrs;
  std::vector<char*> argv;
  std::vector<char*> envp;
  const char* cwd = nullptr;
  Limit limits[4] = {};
  int limit_count = 0;
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
  int report_fd = -1;
  pid_t parent = 0;  ///< the harness, when the child is to die with it; else 0
};

[[noreturn]] void child_fail(int report_fd, Step step, int err, int resource = 0) {
  ChildReport report{step, err, resource};
  // A single write below PIPE_BUF is atomic; if it fails the parent still
  // sees exit status 127 without a report and treats that as an exec error.
  ssize_t ignored = ::write(report_fd, &report, sizeof report);
  (void)ignored;
  _exit(127);
}

/// Moves `fd` to 3 or above so that the dup2 onto 0..2 cannot clobber a
/// descriptor still needed (possible when the harness itself runs with a
/// standard descriptor closed).
int lift_fd(int fd, int report_fd) {
  if (fd < 0 || fd > 2) return fd;
  int lifted = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (lifted < 0) child_fail(report_fd, Step::setup, errno);
  return lifted;
}

[[noreturn]] void child_main(const void* arg) {
  const ChildPlan& plan = *static_cast<const ChildPlan*>(arg);
  int report_fd = plan.report_fd;
  // The parent blocked every signal around the fork, so none of its handlers
  // (e.g. InterruptGuard's, which writes to the parent's self-pipe) can run
  // here before the dispositions are back to default. Handled signals would
  // be reset by execve anyway, but ignored ones would be inherited.
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // EINVAL: KILL, STOP

  // Own process group, so a timeout can signal the test and all it started.
  if (::setpgid(0, 0) != 0) child_fail(report_fd, Step::setup, errno);

  if (plan.parent != 0) {
    int failed = die_with_parent(plan.parent);
    if (failed == ESRCH) _exit(127);  // the harness died already
    if (failed != 0) child_fail(report_fd, Step::setup, failed);
  }

  report_fd = lift_fd(report_fd, report_fd);
  int in = lift_fd(plan.stdin_fd, report_fd);
  int out = lift_fd(plan.stdout_fd, report_fd);
  int err = lift_fd(plan.stderr_fd, report_fd);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) {
    child_fail(report_fd, Step::setup, errno);
  }

  if (plan.cwd != nullptr && ::chdir(plan.cwd) != 0) child_fail(report_fd, Step::chdir, errno);

  // Before the limits: the fallback loop of close_fds_from_3 would stop at a
  // lowered RLIMIT_NOFILE and miss descriptors above it.
  close_fds_from_3(report_fd);

  for (int i = 0; i < plan.limit_count; ++i) {
    struct rlimit lim;
    if (::getrlimit(plan.limits[i].resource, &lim) != 0) {
      child_fail(report_fd, Step::rlimit, errno, plan.limits[i].resource);
    }
    // Lower the hard limit too so the test cannot raise it back; never try to
    // raise it, which needs privileges.
    rlim_t hard = lim.rlim_max;
    rlim_t value = plan.limits[i].value;
    if (hard != RLIM_INFINITY && value > hard) value = hard;
    lim.rlim_cur = value;
    lim.rlim_max = value;
    if (plan.limits[i].resource == RLIMIT_CPU && (hard == RLIM_INFINITY || hard > value)) {
      // SIGXCPU at the soft limit can be caught; the SIGKILL at the hard
      // limit a second later cannot.
      lim.rlim_max = value + 1;
    }
    if (::setrlimit(plan.limits[i].resource, &lim) != 0) {
      // Some environments (valgrind, for one) refuse to change the hard
      // limit; the soft limit alone is still what the test runs under.
      lim.rlim_max = hard;
      if (::setrlimit(plan.limits[i].resource, &lim) != 0) {
        child_fail(report_fd, Step::rlimit, errno, plan.limits[i].resource);
      }
    }
  }

  sigset_t empty;
  sigemptyset(&empty);
  ::sigprocmask(SIG_SETMASK, &empty, nullptr);

  // PATH search as execvp does it, but over the PATH of the child's own
  // environment (glibc's execvpe would use the harness's PATH).
  bool saw_eacces = false;
  int last = ENOENT;
  for (char* const* path = plan.exec_path_ptrs.data(); *path != nullptr; ++path) {
    ::execve(*path, plan.argv.data(), plan.envp.data());
    int e = errno;
    if (e == EACCES) {
      saw_eacces = true;
    } else if (e == ENOENT || e == ENOTDIR || e == ESTALE || e == ENODEV || e == ETIMEDOUT) {
      last = e;
    } else {
      child_fail(report_fd, Step::exec, e);
    }
  }
  child_fail(report_fd, Step::exec, saw_eacces ? EACCES : last);
}

const char* rlimit_name(int resource) {
  switch (resource) {
    case RLIMIT_AS:
      return "RLIMIT_AS";
    case RLIMIT_CPU:
      return "RLIMIT_CPU";
    case RLIMIT_NOFILE:
      return "RLIMIT_NOFILE";
    case RLIMIT_CORE:
      return "RLIMIT_CORE";
  }
  return "a resource limit";
}

bool contains_nul(const std::vector<std::string>& strings) {
  for (const std::string& s : strings) {
    if (s.find('\0') != std::string::npos) return true;
  }
  return false;
}

/// Fills the path candidates, argv and envp of `plan`; false if argv is unusable.
bool prepare_plan(const SpawnOptions& options, ChildPlan& plan, std::string& problem) {
  if (options.argv.empty() || options.argv[0].empty()) {
    problem = "cannot execute: empty argv";
    return false;
  }
  if (contains_nul(options.argv) || contains_nul(options.env) ||
      options.cwd.find('\0') != std::string::npos) {
    problem = "cannot execute '" + options.argv[0] + "': an argument contains a NUL byte";
    return false;
  }
  const std::string& program = options.argv[0];
  if (program.find('/') != std::string::npos) {
    std::string path = program;
    // A relative path means relative to the caller, like every other path in
    // SpawnOptions, not to `cwd` (which the child enters before execve).
    if (program[0] != '/' && !options.cwd.empty()) {
      char here[PATH_MAX];
      if (::getcwd(here, sizeof here) != nullptr) path = std::string(here) + "/" + program;
    }
    plan.exec_paths.push_back(path);
  } else {
    std::string search = "/bin:/usr/bin";  // execvp's default without PATH
    for (const std::string& entry : options.env) {
      if (entry.compare(0, 5, "PATH=") == 0) search = entry.substr(5);
    }
    size_t begin = 0;
    while (true) {
      size_t end = search.find(':', begin);
      std::string dir = search.substr(begin, end == std::string::npos ? end : end - begin);
      plan.exec_paths.push_back(dir.empty() ? program : dir + "/" + program);
      if (end == std::string::npos) break;
      begin = end + 1;
    }
  }
  for (std::string& path : plan.exec_paths) plan.exec_path_ptrs.push_back(path.data());
  plan.exec_path_ptrs.push_back(nullptr);
  for (const std::string& arg : options.argv) plan.argv.push_back(const_cast<char*>(arg.c_str()));
  plan.argv.push_back(nullptr);
  for (const std::string& var : options.env) plan.envp.push_back(const_cast<char*>(var.c_str()));
  plan.envp.push_back(nullptr);
  plan.cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();
  plan.parent = options.kill_with_parent ? ::getpid() : 0;

  const ResourceLimits& limits = options.limits;
  auto add = [&](int resource, uint64_t value) {
    plan.limits[plan.limit_count++] = Limit{resource, static_cast<rlim_t>(value)};
  };
  if (limits.address_space_bytes != 0) add(RLIMIT_AS, limits.address_space_bytes);
  if (limits.cpu_seconds != 0) add(RLIMIT_CPU, limits.cpu_seconds);
  if (limits.open_files != 0) add(RLIMIT_NOFILE, limits.open_files);
  if (!limits.core_dumps) add(RLIMIT_CORE, 0);
  return true;
}

struct Failure {
  int err = 0;
  std::string message;
};

Failure fail_with(int err, const std::string& what) {
  return Failure{err, what + ": " + describe_errno(err)};
}

UniqueFd open_stdin(const std::string& path, Failure& failure) {
  const char* name = path.empty() ? "/dev/null" : path.c_str();
  // O_NONBLOCK so that a FIFO without a writer cannot block the harness here.
  int fd = ::open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    failure = fail_with(errno, "cannot open stdin file '" + std::string(name) + "'");
    return UniqueFd();
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return UniqueFd(fd);
}

UniqueFd open_capture(const std::string& path, Failure& failure) {
  if (path.empty()) return UniqueFd();
  // A new file rather than a truncated one: truncating a file that has data
  // makes ext4 write it back first (its replace-by-truncate heuristic), a
  // cost every run of every test would pay.
  ::unlink(path.c_str());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) failure = fail_with(errno, "cannot open output file '" + path + "'");
  return UniqueFd(fd);
}

bool make_pipe(UniqueFd& read_end, UniqueFd& write_end, Failure& failure) {
  int fds[2];
  if (open_pipe(fds, false) != 0) {
    failure = fail_with(errno, "cannot create pipe");
    return false;
  }
  read_end.reset(fds[0]);
  write_end.reset(fds[1]);
  return true;
}

void reap_blocking(pid_t pid) {
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

/// One spawn attempt; on failure everything it opened is closed again.
bool spawn_once(const SpawnOptions& options, ChildPlan& plan, SpawnedChild& child,
                Failure& failure) {
  bool merged = options.capture == CaptureMode::merged;
  UniqueFd stdin_fd = open_stdin(options.stdin_path, failure);
  if (!stdin_fd.valid()) return false;
  UniqueFd out_file = open_capture(options.stdout_path, failure);
  if (failure.err != 0) return false;
  UniqueFd err_file = merged ? UniqueFd() : open_capture(options.stderr_path, failure);
  if (failure.err != 0) return false;

  UniqueFd out_read, out_write, err_read, err_write, report_read, report_write;
  if (!make_pipe(out_read, out_write, failure)) return false;
  if (!merged && !make_pipe(err_read, err_write, failure)) return false;
  if (!make_pipe(report_read, report_write, failure)) return false;

  plan.stdin_fd = stdin_fd.get();
  plan.stdout_fd = out_write.get();
  plan.stderr_fd = merged ? out_write.get() : err_write.get();
  plan.report_fd = report_write.get();

  sigset_t all, old;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &old);
  pid_t pid = start_process(child_main, &plan);
  int fork_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    failure = fail_with(fork_errno, "cannot fork");
    return false;
  }

  // Our copies of the write ends must go, or the pipes never reach EOF.
  out_write.reset();
  err_write.reset();
  report_write.reset();
  stdin_fd.reset();

  // EOF without data means execve succeeded (the CLOEXEC write end closed),
  // which also guarantees the child already is in its own process group.
  ChildReport report;
  size_t got = 0;
  while (got < sizeof report) {
    ssize_t n =
        ::read(report_read.get(), reinterpret_cast<char*>(&report) + got, sizeof report - got);
    if (n > 0) {
      got += static_cast<size_t>(n);
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  if (got != 0) {
    reap_blocking(pid);
    if (got != sizeof report) report = ChildReport{Step::setup, EIO, 0};
    switch (report.step) {
      case Step::exec:
        failure = fail_with(report.err, "cannot execute '" + options.argv[0] + "'");
        break;
      case Step::chdir:
        failure = fail_with(report.err, "cannot change directory to '" + options.cwd + "'");
        break;
      case Step::rlimit:
        failure = fail_with(report.err, std::string("cannot set ") + rlimit_name(report.resource));
        break;
      case Step::setup:
        failure = fail_with(report.err, "cannot set up the child process");
        break;
    }
    return false;
  }

  child.pid = pid;
  child.out_pipe = std::move(out_read);
  child.err_pipe = std::move(err_read);
  child.out_file = std::move(out_file);
  child.err_file = std::move(err_file);
  child.exit_fd = open_exit_fd(pid);
  for (UniqueFd* fd : {&child.out_pipe, &child.err_pipe}) {
    if (!fd->valid()) continue;
    int flags = ::fcntl(fd->get(), F_GETFL);
    ::fcntl(fd->get(), F_SETFL, flags | O_NONBLOCK);
  }
  return true;
}

bool is_transient(int err) {
  return err == EAGAIN || err == ENOMEM || err == EMFILE || err == ENFILE;
}

}  // namespace

namespace {

// strerror_r is the XSI one (int) or the GNU one (char*) depending on the C
// library and feature macros; these overloads take whichever it is.
[[maybe_unused]] const char* strerror_text(int result, const char* buffer) {
  return result == 0 ? buffer : "unknown error";
}
[[maybe_unused]] const char* strerror_text(const char* result, const char*) { return result; }

}  // namespace

std::string describe_errno(int err) {
  char buf[256] = "";
  std::string text = strerror_text(::strerror_r(err, buf, sizeof buf), buf);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
  const char* symbol = ::strerrorname_np(err);
  return text + " (" + (symbol != nullptr ? symbol : "errno " + std::to_string(err)) + ")";
#else
  return text + " (errno " + std::to_string(err) + ")";
#endif
}

bool spawn_child(const SpawnOptions& options, SpawnedChild& child, ProcessResult& result) {
  ChildPlan plan;
  std::string problem;
  if (!prepare_plan(options, plan, problem)) {
    result.spawn_errno = EINVAL;
    result.spawn_error = problem;
    return false;
  }
  int attempts = options.spawn_attempts < 1 ? 1 : options.spawn_attempts;
  long backoff_ns = 10'000'000;
  for (int attempt = 1;; ++attempt) {
    Failure failure;
    if (spawn_once(options, plan, child, failure)) return true;
    if (attempt >= attempts || !is_transient(failure.err)) {
      result.spawn_errno = failure.err;
      result.spawn_error = failure.message;
      return false;
    }
    // Out of processes, memory or descriptors is usually momentary on a busy
    // CI machine; back off exponentially instead of failing the test.
    struct timespec delay = {backoff_ns / 1'000'000'000, backoff_ns % 1'000'000'000};
    while (::nanosleep(&delay, &delay) != 0 && errno == EINTR) {
    }
    backoff_ns *= 2;
  }
}

}  // namespace wyn::detail

extern char** environ;

namespace wyn {

namespace {

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (const std::string& s : strings) pointers.push_back(const_cast<char*>(s.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

ChildExit run_and_wait(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const std::string& stderr_path) {
  ChildExit result;
  if (argv.empty()) {
    result.spawn_errno = EINVAL;
    return result;
  }
  std::vector<char*> args = c_strings(argv), envp = c_strings(env);
  // posix_spawn, not the vfork of run_process: nothing to set up in the
  // child but its stderr, and glibc's posix_spawn is a clone(CLONE_VFORK).
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  const int error = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    result.spawn_errno = error;
    return result;
  }
  result.started = true;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return result;
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.signal = WTERMSIG(status);
  return result;
}

void exec_program(const std::vector<std::string>& argv) {
  if (argv.empty()) {
    errno = EINVAL;
    return;
  }
  std::vector<char*> args = c_strings(argv);
  ::execve(args[0], args.data(), environ);
}

}  // namespace wyn
