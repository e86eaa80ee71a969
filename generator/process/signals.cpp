// Signals the harness itself receives (InterruptGuard) and signal names.
//
// The handler only records the signal and writes its number to a self-pipe:
// run_process polls the read end, so the forwarding to the child's group and
// the escalation happen in ordinary code, not in the handler.

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

#include "process/subprocess_detail.hpp"

namespace wyn {
namespace {

constexpr int k_guarded[] = {SIGINT, SIGTERM, SIGHUP};
constexpr int k_guarded_count = sizeof k_guarded / sizeof k_guarded[0];

// Lock-free atomics are async-signal-safe, unlike anything needing a lock.
static_assert(std::atomic<int>::is_always_lock_free);
static_assert(std::atomic<bool>::is_always_lock_free);
std::atomic<int> g_first_signal{0};
std::atomic<int> g_write_fd{-1};
std::atomic<int> g_read_fd{-1};
std::atomic<bool> g_guard_exists{false};
struct sigaction g_previous[k_guarded_count];
bool g_installed[k_guarded_count];

extern "C" void on_interrupt(int sig) {
  int saved_errno = errno;
  int none = 0;
  g_first_signal.compare_exchange_strong(none, sig);
  int fd = g_write_fd.load();
  if (fd >= 0) {
    // Non-blocking: with the pipe full, the signal is already queued there.
    unsigned char byte = static_cast<unsigned char>(sig);
    ssize_t ignored = ::write(fd, &byte, 1);
    (void)ignored;
  }
  errno = saved_errno;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  bool expected = false;
  if (!g_guard_exists.compare_exchange_strong(expected, true)) {
    throw std::logic_error("wyn::InterruptGuard: another guard is alive");
  }
  int fds[2];
  if (detail::open_pipe(fds, true) != 0) {
    int err = errno;
    g_guard_exists = false;
    throw std::system_error(err, std::generic_category(), "wyn::InterruptGuard: pipe");
  }
  g_first_signal = 0;
  g_read_fd = fds[0];
  g_write_fd = fds[1];

  struct sigaction action = {};
  action.sa_handler = on_interrupt;
  // The other guarded signals are blocked while the handler runs, so two of
  // them cannot interleave in one thread.
  sigemptyset(&action.sa_mask);
  for (int sig : k_guarded) sigaddset(&action.sa_mask, sig);
  // SA_RESTART spares the rest of the program EINTR; poll is never restarted,
  // and run_process wakes up on the self-pipe anyway.
  action.sa_flags = SA_RESTART;
  for (int i = 0; i < k_guarded_count; ++i) {
    g_installed[i] = false;
    if (::sigaction(k_guarded[i], nullptr, &g_previous[i]) != 0) continue;
    // A signal ignored when we started (nohup, a parent's choice) stays ignored,
    // as shells do.
    if (!(g_previous[i].sa_flags & SA_SIGINFO) && g_previous[i].sa_handler == SIG_IGN) continue;
    g_installed[i] = ::sigaction(k_guarded[i], &action, nullptr) == 0;
  }
}

InterruptGuard::~InterruptGuard() {
  for (int i = 0; i < k_guarded_count; ++i) {
    if (g_installed[i]) ::sigaction(k_guarded[i], &g_previous[i], nullptr);
  }
  // Unpublish before closing, so a late handler cannot write into an fd
  // number that is reused by then.
  int write_fd = g_write_fd.exchange(-1);
  int read_fd = g_read_fd.exchange(-1);
  ::close(write_fd);
  ::close(read_fd);
  g_guard_exists = false;
}

int InterruptGuard::received() { return g_first_signal.load(); }

namespace detail {

int interrupt_fd() { return g_read_fd.load(); }

int take_interrupt() {
  int fd = g_read_fd.load();
  if (fd < 0) return 0;
  unsigned char byte;
  ssize_t n;
  do {
    n = ::read(fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  return n == 1 ? byte : 0;
}

}  // namespace detail

std::string signal_name(int signal) {
  // A switch over the macros, not a table, because the numbers differ
  // between architectures (SIGBUS is 7 on x86, 10 on MIPS and SPARC).
  switch (signal) {
    // clang-format off
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGQUIT: return "SIGQUIT";
    case SIGILL: return "SIGILL";
    case SIGTRAP: return "SIGTRAP";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGUSR1: return "SIGUSR1";
    case SIGSEGV: return "SIGSEGV";
    case SIGUSR2: return "SIGUSR2";
    case SIGPIPE: return "SIGPIPE";
    case SIGALRM: return "SIGALRM";
    case SIGTERM: return "SIGTERM";
#ifdef SIGSTKFLT
    case SIGSTKFLT: return "SIGSTKFLT";
#endif
    case SIGCHLD: return "SIGCHLD";
    case SIGCONT: return "SIGCONT";
    case SIGSTOP: return "SIGSTOP";
    case SIGTSTP: return "SIGTSTP";
    case SIGTTIN: return "SIGTTIN";
    case SIGTTOU: return "SIGTTOU";
    case SIGURG: return "SIGURG";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    case SIGVTALRM: return "SIGVTALRM";
    case SIGPROF: return "SIGPROF";
    case SIGWINCH: return "SIGWINCH";
    case SIGIO: return "SIGIO";
#ifdef SIGPWR
    case SIGPWR: return "SIGPWR";
#endif
    case SIGSYS: return "SIGSYS";
      // clang-format on
  }
#ifdef SIGRTMIN  // not on macOS
  // SIGRTMIN is not a constant: glibc reserves the first few for itself.
  if (signal >= SIGRTMIN && signal <= SIGRTMAX) {
    return signal == SIGRTMIN ? "SIGRTMIN" : "SIGRTMIN+" + std::to_string(signal - SIGRTMIN);
  }
#endif
  return "signal " + std::to_string(signal);
}

bool is_crash_signal(int signal) {
  switch (signal) {
    case SIGSEGV:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGILL:
    case SIGTRAP:
      return true;
    default:
      return false;
  }
}

const char* timeout_target() { return "the process group"; }

}  // namespace wyn
