/* Time, signals, processes and memory: the misbehaviours a test harness must
 * survive, produced on demand and for real. */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wyn_rt.h"

static void sleep_for(int64_t ms) {
  struct timespec left = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
  while (nanosleep(&left, &left) != 0 && errno == EINTR) {
  }
}

static double cpu_ms(void) {
  struct timespec now;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return (double)now.tv_sec * 1e3 + (double)now.tv_nsec / 1e6;
}

/* A deliberate crash must not leave a core file in the test's directory. */
static void no_core_file(void) {
  struct rlimit none = {0, 0};
  setrlimit(RLIMIT_CORE, &none);
}

static void die_by(int sig) {
  no_core_file();
  signal(sig, SIG_DFL);
  raise(sig);
  _exit(128 + sig); /* unreachable unless the signal is blocked */
}

void wyn_rt_sleep_ms(int64_t ms) { sleep_for(ms); }

void wyn_rt_burn_ms(int64_t ms) {
  const double end = cpu_ms() + (double)ms;
  volatile uint64_t spin = 0;
  while (cpu_ms() < end) {
    for (int i = 0; i < 10000; ++i) spin = spin + 1;
  }
}

void wyn_rt_crash(void) {
  no_core_file();
  signal(SIGSEGV, SIG_DFL);
  /* Through a volatile pointer, so the compiler cannot see the null and turn
   * the store into a trap instruction (SIGILL) or drop it. */
  int* volatile pointer = NULL;
  *pointer = 42;
  die_by(SIGSEGV);
}

void wyn_rt_abort(void) {
  no_core_file();
  abort();
}

void wyn_rt_fpe(void) {
  no_core_file();
  signal(SIGFPE, SIG_DFL);
  volatile int zero = 0;
  volatile int one = 1;
  volatile int quotient = one / zero; /* traps on x86; arm64 yields 0 */
  (void)quotient;
  die_by(SIGFPE);
}

void wyn_rt_hang(void) {
  volatile uint64_t spin = 0;
  for (;;) spin = spin + 1;
}

void wyn_rt_hang_ignoring_term(void) {
  signal(SIGTERM, SIG_IGN);
  wyn_rt_hang();
}

void wyn_rt_spawn_orphan(int64_t ms) {
  /* Double fork: the grandchild is re-parented away from the test, keeps the
   * inherited stdout/stderr open, and stays in the test's process group. */
  pid_t child = fork();
  if (child < 0) wyn_rt_fail("spawn_orphan: fork");
  if (child == 0) {
    pid_t grandchild = fork();
    if (grandchild == 0) {
      sleep_for(ms);
      _exit(0);
    }
    _exit(grandchild < 0 ? 1 : 0);
  }
  int status;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
}

void wyn_rt_print_pid(void) {
  char line[32];
  int len = snprintf(line, sizeof line, "%ld\n", (long)getpid());
  wyn_rt_write_all(1, line, (size_t)len);
}

void wyn_rt_alloc_mb(int64_t mib) {
  if (mib > (int64_t)(SIZE_MAX >> 21)) {
    errno = ENOMEM;
    wyn_rt_fail("alloc_mb");
  }
  size_t bytes = (size_t)mib << 20;
  char* block = malloc(bytes ? bytes : 1);
  if (!block) wyn_rt_fail("alloc_mb");
  /* Touch every page so the memory is really resident, not just reserved. */
  for (size_t i = 0; i < bytes; i += 4096) block[i] = 1;
  char message[64];
  int len = snprintf(message, sizeof message, "allocated %lld MiB\n", (long long)mib);
  wyn_rt_write_all(1, message, (size_t)len);
  /* Deliberately kept until exit: the test is about holding the memory. */
}
