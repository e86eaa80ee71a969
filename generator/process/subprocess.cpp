// run_process: supervising a started child until it and everything it started
// are gone, capturing its output on the way. Spawning is in spawn.cpp, the
// clean-up of leftover processes and the reaping of adopted orphans in
// <backend>/reaper.cpp, InterruptGuard in signals.cpp.

#include "process/subprocess.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <vector>

#include "process/subprocess_detail.hpp"
#include "util/hash.hpp"

extern char** environ;

namespace wyn {

namespace {

using detail::UniqueFd;

/// A fixed read buffer keeps the harness's memory flat however much a test prints.
constexpr size_t k_buffer_size = 64 * 1024;
/// Per wakeup and stream, so a flood on one pipe cannot starve the other
/// pipe, the exit notification or the timeout check.
constexpr size_t k_read_budget = 16 * k_buffer_size;
/// After a leak was killed: what may still sit in the pipes, with a bound in
/// case a writer we could not find keeps writing.
constexpr size_t k_final_drain_budget = 4 << 20;
/// Without an exit descriptor (pidfd) the exit is noticed by polling wait4, at intervals growing
/// from 1 ms to this.
constexpr double k_max_poll_interval = 0.02;
/// How long to wait for the child after SIGKILL before giving up on it
/// (uninterruptible sleep), so that nothing a test does hangs the harness.
constexpr double k_kill_wait_seconds = 10;

double monotonic_seconds() {
  struct timespec now;
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

double non_negative(double seconds) { return std::isfinite(seconds) && seconds > 0 ? seconds : 0; }

/// One captured stream: read from the pipe, stored up to the limit, counted
/// and hashed in full.
class Stream {
 public:
  Stream(UniqueFd pipe, UniqueFd file, uint64_t limit, uint64_t stop_after, StreamCapture& capture)
      : m_pipe(std::move(pipe)),
        m_file(std::move(file)),
        m_limit(limit),
        m_stop_after(stop_after),
        m_capture(capture) {}

  bool is_open() const { return m_pipe.valid(); }
  int fd() const { return m_pipe.get(); }
  /// More than the output limit (SpawnOptions::output_limit_bytes) went through.
  bool over_limit() const { return m_stop_after != 0 && m_capture.bytes_total > m_stop_after; }

  /// Reads what the pipe holds now, up to `budget` bytes; closes it at EOF.
  void read_available(char* buffer, size_t budget) {
    size_t consumed = 0;
    while (m_pipe.valid() && consumed < budget) {
      ssize_t n = ::read(m_pipe.get(), buffer, k_buffer_size);
      if (n > 0) {
        consume(buffer, static_cast<size_t>(n));
        consumed += static_cast<size_t>(n);
      } else if (n == 0) {
        m_pipe.reset();
      } else if (errno == EAGAIN) {
        break;
      } else if (errno != EINTR) {
        m_pipe.reset();  // cannot happen on a pipe; do not spin on it
      }
    }
  }

  void finish() {
    m_capture.fnv1a64 = m_hash.hex();
    m_pipe.reset();
    m_file.reset();
  }

 private:
  void consume(const char* data, size_t size) {
    m_capture.bytes_total += size;
    m_hash.update(std::string_view(data, size));
    if (!m_file.valid() || m_capture.bytes_stored >= m_limit) return;
    size_t room = static_cast<size_t>(std::min<uint64_t>(size, m_limit - m_capture.bytes_stored));
    while (room > 0) {
      ssize_t n = ::write(m_file.get(), data, room);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        // Disk full or the like: keep counting and hashing, stop storing.
        m_file.reset();
        return;
      }
      m_capture.bytes_stored += static_cast<uint64_t>(n);
      data += n;
      room -= static_cast<size_t>(n);
    }
  }

  UniqueFd m_pipe;
  UniqueFd m_file;
  uint64_t m_limit;
  uint64_t m_stop_after;
  StreamCapture& m_capture;
  Fnv1a64 m_hash;
};

/// Watches one started child: output, exit, timeout, interrupts, clean-up.
class Supervisor {
 public:
  Supervisor(const SpawnOptions& options, detail::SpawnedChild& child, ProcessResult& result,
             double start, uint64_t spawn_tick)
      : m_options(options),
        m_child(child),
        m_result(result),
        m_start(start),
        m_spawn_tick(spawn_tick),
        m_out(std::move(child.out_pipe), std::move(child.out_file), options.capture_limit_bytes,
              options.output_limit_bytes, result.out),
        m_err(std::move(child.err_pipe), std::move(child.err_file), options.capture_limit_bytes,
              options.output_limit_bytes, result.err),
        m_buffer(k_buffer_size) {
    double timeout = non_negative(options.timeout_seconds);
    m_timeout_at = timeout > 0 ? start + timeout : HUGE_VAL;
  }

  void run() {
    watch();
    detail::unregister_child(m_child.pid);
    double now = monotonic_seconds();
    m_result.wall_seconds = (m_exited ? m_exit_time : now) - m_start;
    if (!m_exited) m_result.leaked = true;  // gave up on an unkillable child

    bool pipes_held = m_out.is_open() || m_err.is_open();
    if (pipes_held) m_result.leaked = true;
    if (m_exited && !pipes_held && m_signalled) settle_group(now);
    if (pipes_held || detail::may_have_leftovers(m_child.pid)) {
      int killed = detail::kill_leftovers(m_child.pid, m_spawn_tick);
      if (killed != 0) m_result.leaked = true;
      if (killed > 0) m_result.leaked_processes += killed;
    }
    if (pipes_held) {
      m_out.read_available(m_buffer.data(), k_final_drain_budget);
      m_err.read_available(m_buffer.data(), k_final_drain_budget);
    }
    m_out.finish();
    if (m_options.capture == CaptureMode::split) m_err.finish();
  }

 private:
  /// The poll loop: returns once the main child was reaped and the pipes
  /// reached EOF, the drain time ran out, or the child cannot be killed.
  void watch() {
    double poll_interval = 0.001;
    while (true) {
      bool pipes_open = m_out.is_open() || m_err.is_open();
      if (m_exited && !pipes_open) return;
      double now = monotonic_seconds();
      if (!m_exited) {
        if (now >= m_timeout_at && !m_result.timed_out) {
          m_result.timed_out = true;
          terminate(SIGTERM, now);
        }
        if (now >= m_kill_at && !m_result.sent_sigkill) {
          signal_group(SIGKILL);
          m_result.sent_sigkill = true;
          m_give_up_at = now + k_kill_wait_seconds;
        }
        if (now >= m_give_up_at) return;
      } else if (now >= m_drain_until) {
        return;
      }

      double wait = next_deadline() - now;
      bool polling_exit = !m_exited && !m_child.exit_fd.valid();
      if (polling_exit) {
        wait = std::min(wait, poll_interval);
        poll_interval = std::min(poll_interval * 2, k_max_poll_interval);
      }
      struct pollfd fds[5];
      nfds_t count = 0;
      int out_index = -1, err_index = -1, pid_index = -1, intr_index = -1, orphan_index = -1;
      auto add = [&](int fd, int& index) {
        index = static_cast<int>(count);
        fds[count++] = pollfd{fd, POLLIN, 0};
      };
      if (m_out.is_open()) add(m_out.fd(), out_index);
      if (m_err.is_open()) add(m_err.fd(), err_index);
      if (!m_exited && m_child.exit_fd.valid()) add(m_child.exit_fd.get(), pid_index);
      if (detail::interrupt_fd() >= 0) add(detail::interrupt_fd(), intr_index);
      // Before and after the main process exits: an orphan may die any time.
      if (detail::orphan_exit_fd() >= 0) add(detail::orphan_exit_fd(), orphan_index);

      // poll, not ppoll (which macOS lacks): rounded up to whole milliseconds,
      // so a deadline is never polled for too early and then spun on.
      int timeout_ms = -1;
      if (std::isfinite(wait)) {
        double ms = std::ceil(std::max(wait, 0.0) * 1000);
        timeout_ms = ms > 86'400'000 ? 86'400'000 : static_cast<int>(ms);
      }
      int ready = ::poll(fds, count, timeout_ms);
      if (ready < 0) {
        if (errno != EINTR) {
          // ENOMEM: transient; wait a little rather than spin.
          struct timespec pause = {0, 1'000'000};
          ::nanosleep(&pause, nullptr);
        }
        continue;
      }
      now = monotonic_seconds();
      if (intr_index >= 0 && fds[intr_index].revents != 0) {
        while (int sig = detail::take_interrupt()) on_interrupt(sig, now);
      }
      if (out_index >= 0 && fds[out_index].revents != 0) {
        m_out.read_available(m_buffer.data(), k_read_budget);
        // EOF usually means the child is exiting right now: look again soon.
        if (!m_out.is_open()) poll_interval = 0.001;
      }
      if (err_index >= 0 && fds[err_index].revents != 0) {
        m_err.read_available(m_buffer.data(), k_read_budget);
        if (!m_err.is_open()) poll_interval = 0.001;
      }
      if (!m_result.output_limit_exceeded && (m_out.over_limit() || m_err.over_limit()))
        on_output_limit(now);
      if (polling_exit || (pid_index >= 0 && fds[pid_index].revents != 0)) try_reap(now);
      if (orphan_index >= 0 && fds[orphan_index].revents != 0) {
        // The SIGCHLD may be the main process's: reaped here, its status and
        // rusage are kept, and it is out of the way of the orphans' reaping.
        try_reap(now);
        detail::reap_dead_orphans();
      }
    }
  }

  /// After a timeout or interrupt signalled the whole group, its other
  /// members may still be dying when the main process is reaped; give them
  /// until the drain time ends rather than count them as leaked.
  void settle_group(double now) {
    double until = now + non_negative(m_options.drain_seconds);
    double pause = 0.0005;
    while (true) {
      // Members re-parented to us (subreaper) stay as zombies until reaped.
      while (::waitpid(-m_child.pid, nullptr, WNOHANG) > 0) {
      }
      if (::kill(-m_child.pid, 0) != 0 && errno == ESRCH) return;
      if (monotonic_seconds() >= until) return;
      struct timespec delay = {0, static_cast<long>(pause * 1e9)};
      ::nanosleep(&delay, nullptr);
      pause = std::min(pause * 2, k_max_poll_interval);
    }
  }

  double next_deadline() const {
    if (m_exited) return m_drain_until;
    double next = m_give_up_at;
    if (!m_result.timed_out) next = std::min(next, m_timeout_at);
    if (!m_result.sent_sigkill) next = std::min(next, m_kill_at);
    return next;
  }

  void signal_group(int sig) {
    ::kill(-m_child.pid, sig);
    m_signalled = true;
  }

  /// Sends `sig` to the group and schedules SIGKILL after the grace period.
  void terminate(int sig, double now) {
    signal_group(sig);
    // A stopped process only acts on the signal once continued.
    signal_group(SIGCONT);
    if (sig == SIGTERM) m_result.sent_sigterm = true;
    m_kill_at = std::min(m_kill_at, now + non_negative(m_options.grace_seconds));
  }

  /// Endless output: stopped like a timeout, without waiting for it.
  void on_output_limit(double now) {
    m_result.output_limit_exceeded = true;
    if (m_exited) {
      m_drain_until = now;  // a descendant is writing; the clean-up kills it
    } else if (!m_result.timed_out && !m_result.interrupted) {
      terminate(SIGTERM, now);
    }
  }

  void on_interrupt(int sig, double now) {
    if (m_result.interrupted) {
      // A second interrupt means "stop now": no more grace.
      if (!m_exited) m_kill_at = now;
      return;
    }
    m_result.interrupted = true;
    m_result.interrupt_signal = sig;
    if (m_exited) {
      m_drain_until = now;  // do not wait for descendants; the clean-up kills them
    } else {
      terminate(sig, now);
    }
  }

  void try_reap(double now) {
    if (m_exited) return;
    int status = 0;
    struct rusage usage = {};
    pid_t r;
    do {
      r = ::wait4(m_child.pid, &status, WNOHANG, &usage);
    } while (r < 0 && errno == EINTR);
    if (r == 0) return;
    m_exited = true;
    m_exit_time = now;
    m_drain_until = m_result.interrupted ? now : now + non_negative(m_options.drain_seconds);
    // r < 0 (ECHILD) means the status is lost: the caller ignores SIGCHLD or
    // reaps with wait(-1) elsewhere. The child is gone all the same.
    if (r != m_child.pid) return;
    if (WIFEXITED(status)) {
      m_result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
      m_result.signal = WTERMSIG(status);
    }
    m_result.user_seconds = static_cast<double>(usage.ru_utime.tv_sec) +
                            static_cast<double>(usage.ru_utime.tv_usec) * 1e-6;
    m_result.system_seconds = static_cast<double>(usage.ru_stime.tv_sec) +
                              static_cast<double>(usage.ru_stime.tv_usec) * 1e-6;
#ifdef __APPLE__
    m_result.max_rss_kib = usage.ru_maxrss / 1024;  // bytes there, KiB elsewhere
#else
    m_result.max_rss_kib = usage.ru_maxrss;
#endif
  }

  const SpawnOptions& m_options;
  detail::SpawnedChild& m_child;
  ProcessResult& m_result;
  double m_start;
  uint64_t m_spawn_tick;
  Stream m_out;
  Stream m_err;
  std::vector<char> m_buffer;

  double m_timeout_at = HUGE_VAL;
  double m_kill_at = HUGE_VAL;     ///< when SIGKILL goes to the group
  double m_give_up_at = HUGE_VAL;  ///< when to stop waiting after SIGKILL
  double m_drain_until = HUGE_VAL;
  bool m_exited = false;
  double m_exit_time = 0;
  bool m_signalled = false;  ///< the group was sent a signal (timeout, interrupt)
};

}  // namespace

ProcessResult run_process(const SpawnOptions& options) {
  ProcessResult result;
  // The tick is taken before fork so every process the test starts has a
  // start time at or after it (see kill_leftovers).
  uint64_t spawn_tick = detail::spawn_mark();
  double start = monotonic_seconds();
  detail::SpawnedChild child;
  if (!detail::spawn_child(options, child, result)) return result;
  result.started = true;
  detail::register_child(child.pid, spawn_tick);
  Supervisor(options, child, result, start, spawn_tick).run();
  return result;
}

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  for (char** var = environ; var != nullptr && *var != nullptr; ++var) env.emplace_back(*var);
  return env;
}

}  // namespace wyn
