/* Time, signals, processes and memory: the misbehaviours a test harness must
 * survive, produced on demand and for real.
 *
 * Windows: a crash ends the program with the exception's NTSTATUS
 * (0xC0000005 an access violation, 0xC0000094 an integer division by zero),
 * abort() with status 3; no error box and no debugger for a deliberate one
 * (SetErrorMode), as no core file is left on POSIX. */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <sys/resource.h>
#include <sys/wait.h>
#endif

#include "wyn_rt.h"

#ifdef _WIN32

static void sleep_for(int64_t ms) {
  while (ms > 0) {
    const DWORD step = ms > 86400000 ? 86400000 : (DWORD)ms;
    Sleep(step);
    ms -= step;
  }
}

static double filetime_ms(FILETIME time) {
  ULARGE_INTEGER value;
  value.LowPart = time.dwLowDateTime;
  value.HighPart = time.dwHighDateTime;
  return (double)value.QuadPart / 1e4; /* 100 ns units */
}

static double cpu_ms(void) {
  FILETIME created, exited, kernel, user;
  if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user)) return 0;
  return filetime_ms(kernel) + filetime_ms(user);
}

/* A deliberate crash must open no error box and start no debugger. */
static void no_core_file(void) {
  SetErrorMode(GetErrorMode() | SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX |
               SEM_NOOPENFILEERRORBOX);
}

#define current_process_id() ((long)GetCurrentProcessId())

#else

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

#define current_process_id() ((long)getpid())

#endif

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
   * the store into a trap instruction (SIGILL), to a volatile int, so that it
   * cannot drop the store (on Windows, raise() below would exit with 3). */
  volatile int* volatile pointer = NULL;
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
#ifdef _WIN32
  /* Windows' nearest thing: Ctrl-C and Ctrl-Break ignored. Nothing can
   * ignore TerminateProcess or the end of a job. */
  SetConsoleCtrlHandler(NULL, TRUE);
#endif
  wyn_rt_hang();
}

#ifdef _WIN32

/* The orphan of spawn_orphan(): this program started again with the marker
 * in its environment (removed at once, so that it goes no further). */
static const char orphan_marker[] = "WYN_RT_ORPHAN_MS";

int wyn_rt_orphan(void) {
  char value[32];
  const DWORD n = GetEnvironmentVariableA(orphan_marker, value, sizeof value);
  if (n == 0 || n >= sizeof value) return 0;
  SetEnvironmentVariableA(orphan_marker, NULL);
  sleep_for(_strtoi64(value, NULL, 10));
  return 1;
}

void wyn_rt_spawn_orphan(int64_t ms) {
  /* A process that outlives this one with its stdout and stderr: this
   * program again, marked, started with them and not waited for. It is in
   * whatever job this program is in, as the POSIX grandchild stays in the
   * test's process group. */
  wchar_t self[32768];
  const DWORD self_len = GetModuleFileNameW(NULL, self, 32768);
  if (self_len == 0 || self_len >= 32768) wyn_rt_fail("spawn_orphan: GetModuleFileNameW");
  wchar_t command[32768 + 2];
  _snwprintf(command, 32768 + 2, L"\"%ls\"", self);
  char value[32];
  snprintf(value, sizeof value, "%lld", (long long)ms);
  STARTUPINFOW startup;
  memset(&startup, 0, sizeof startup);
  startup.cb = sizeof startup;
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  startup.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  const HANDLE handles[] = {startup.hStdInput, startup.hStdOutput, startup.hStdError};
  for (int i = 0; i < 3; ++i) {
    if (handles[i] && handles[i] != INVALID_HANDLE_VALUE)
      SetHandleInformation(handles[i], HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  }
  SetEnvironmentVariableA(orphan_marker, value);
  PROCESS_INFORMATION process;
  const BOOL started =
      CreateProcessW(self, command, NULL, NULL, TRUE, 0, NULL, NULL, &startup, &process);
  const DWORD error = GetLastError();
  SetEnvironmentVariableA(orphan_marker, NULL);
  if (!started) {
    errno = error == ERROR_NOT_ENOUGH_MEMORY ? ENOMEM : EAGAIN;
    wyn_rt_fail("spawn_orphan: CreateProcessW");
  }
  CloseHandle(process.hThread);
  CloseHandle(process.hProcess);
}

#else

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

#endif

void wyn_rt_print_pid(void) {
  char line[32];
  int len = snprintf(line, sizeof line, "%ld\n", current_process_id());
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
