/* Child program for test_subprocess.cpp, for what /bin/sh cannot do exactly:
 *   fds              print the open descriptors of this process, e.g. "0 1 2"
 *   alloc MIB        allocate and touch MIB MiB; print "ok" or "failed"
 *   daemon PIDFILE   leave a setsid'd grandchild with stdio on /dev/null that
 *                    sleeps; write its pid to PIDFILE, then exit 0
 *   daemon-holding PIDFILE
 *                    the same, but the grandchild keeps stdout and stderr
 *                    (and sleeps 30 s at most)
 *   orphan HOW PIDFILE [live]
 *                    start a child that starts a sleeping grandchild, orphan
 *                    the grandchild and SIGKILL it; HOW: `killed` (its parent
 *                    is SIGKILLed first), `exits` (its parent exits first) or
 *                    `dead-first` (it is killed first, so it is already a
 *                    zombie when orphaned). Writes its pid to PIDFILE, polls
 *                    kill(pid, 0) until that fails, burns 0.1 s of CPU and
 *                    exits 0, or 3 if the grandchild was still there after
 *                    10 s. With `live`, first also orphans a grandchild that
 *                    sleeps on with stdio on /dev/null.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int list_fds(void) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == NULL) return 2;
  int self = dirfd(dir);
  const char* sep = "";
  struct dirent* entry;
  /* readdir returns them in ascending order for /proc/self/fd. */
  while ((entry = readdir(dir)) != NULL) {
    if (entry->d_name[0] == '.') continue;
    if (atoi(entry->d_name) == self) continue;
    printf("%s%s", sep, entry->d_name);
    sep = " ";
  }
  printf("\n");
  closedir(dir);
  return 0;
}

static int allocate(long mib) {
  size_t size = (size_t)mib << 20;
  char* p = malloc(size);
  if (p == NULL) {
    printf("failed\n");
    return 1;
  }
  memset(p, 1, size); /* touch it, so the allocation is real */
  printf("ok\n");
  free(p);
  return 0;
}

static int daemonize(const char* pidfile, int keep_output) {
  pid_t first = fork();
  if (first < 0) return 2;
  if (first == 0) {
    setsid(); /* leave the test's process group and session */
    pid_t second = fork();
    if (second != 0) _exit(second < 0 ? 2 : 0);
    int null_fd = open("/dev/null", O_RDWR);
    dup2(null_fd, 0);
    if (!keep_output) {
      dup2(null_fd, 1);
      dup2(null_fd, 2);
    }
    /* Written under a temporary name and renamed, so a reader never sees it half written. */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", pidfile);
    FILE* f = fopen(tmp, "w");
    if (f == NULL) _exit(2);
    fprintf(f, "%d\n", (int)getpid());
    fclose(f);
    rename(tmp, pidfile);
    if (keep_output) {
      sleep(30);
      _exit(0);
    }
    for (;;) pause();
  }
  int status;
  waitpid(first, &status, 0);
  /* Exit only once the pid is known, so the test can check on the daemon. */
  for (int i = 0; i < 2000 && access(pidfile, F_OK) != 0; ++i) {
    struct timespec delay = {0, 5000000};
    nanosleep(&delay, NULL);
  }
  return access(pidfile, F_OK) == 0 ? 0 : 3;
}

static double seconds_now(int clock) {
  struct timespec now;
  clock_gettime(clock, &now);
  return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

static void write_pid_file(const char* path, pid_t pid) {
  /* Under a temporary name and renamed, so a reader never sees it half written. */
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE* f = fopen(tmp, "w");
  if (f == NULL) return;
  fprintf(f, "%d\n", (int)pid);
  fclose(f);
  rename(tmp, path);
}

enum parent_plan {
  PARENT_PAUSES,      /* it waits to be killed */
  PARENT_EXITS,       /* it exits as soon as the grandchild runs */
  PARENT_KEEPS_ZOMBIE /* it waits until the grandchild died, without reaping it, then pauses */
};

/* A child that starts a grandchild sleeping with stdio on /dev/null and
 * then follows `plan`. Returns the child's pid with *sleeper set to the
 * grandchild's, and *report set to the pipe on which PARENT_KEEPS_ZOMBIE
 * writes one byte once the grandchild is a zombie; -1 on failure. */
static pid_t start_parent_of_sleeper(enum parent_plan plan, pid_t* sleeper, int* report) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    pid_t grandchild = fork();
    if (grandchild == 0) {
      close(fds[1]);
      int null_fd = open("/dev/null", O_RDWR);
      dup2(null_fd, 0);
      dup2(null_fd, 1);
      dup2(null_fd, 2);
      sleep(60);
      _exit(0);
    }
    ssize_t ignored = write(fds[1], &grandchild, sizeof grandchild);
    if (plan == PARENT_EXITS) _exit(0);
    if (plan == PARENT_KEEPS_ZOMBIE) {
      siginfo_t info;
      while (waitid(P_PID, (id_t)grandchild, &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
      }
      char byte = 1;
      ignored = write(fds[1], &byte, 1);
    }
    (void)ignored;
    for (;;) pause();
  }
  close(fds[1]);
  ssize_t got = child < 0 ? -1 : read(fds[0], sleeper, sizeof *sleeper);
  if (got != (ssize_t)sizeof *sleeper || *sleeper <= 0) {
    close(fds[0]);
    return -1;
  }
  *report = fds[0];
  return child;
}

static int orphan(const char* how, const char* pidfile, int leave_live) {
  pid_t sleeper;
  int report;
  if (leave_live) {
    pid_t parent = start_parent_of_sleeper(PARENT_EXITS, &sleeper, &report);
    if (parent < 0) return 2;
    close(report);
    waitpid(parent, NULL, 0);
  }
  enum parent_plan plan = PARENT_PAUSES;
  if (strcmp(how, "exits") == 0) plan = PARENT_EXITS;
  if (strcmp(how, "dead-first") == 0) plan = PARENT_KEEPS_ZOMBIE;
  pid_t parent = start_parent_of_sleeper(plan, &sleeper, &report);
  if (parent < 0) return 2;
  write_pid_file(pidfile, sleeper);
  if (plan == PARENT_KEEPS_ZOMBIE) {
    kill(sleeper, SIGKILL);
    char byte;
    if (read(report, &byte, 1) != 1) return 2;
  }
  close(report);
  if (plan != PARENT_EXITS) kill(parent, SIGKILL);
  waitpid(parent, NULL, 0); /* ours to reap; the sleeper is now an orphan */
  if (plan != PARENT_KEEPS_ZOMBIE) kill(sleeper, SIGKILL);

  /* What a script does to see that a process is gone: kill -0 until it
   * fails. A zombie still answers, so this ends once someone reaped it. */
  double deadline = seconds_now(CLOCK_MONOTONIC) + 10;
  int gone = 0;
  while (!gone && seconds_now(CLOCK_MONOTONIC) < deadline) {
    gone = kill(sleeper, 0) != 0 && errno == ESRCH;
    struct timespec pause = {0, 10000000};
    if (!gone) nanosleep(&pause, NULL);
  }
  /* Some CPU time of our own, so the caller can check the rusage it got. */
  double burn_until = seconds_now(CLOCK_PROCESS_CPUTIME_ID) + 0.1;
  volatile unsigned long spin = 0;
  while (seconds_now(CLOCK_PROCESS_CPUTIME_ID) < burn_until) spin = spin + 1;
  return gone ? 0 : 3;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "fds") == 0) return list_fds();
  if (argc == 3 && strcmp(argv[1], "alloc") == 0) return allocate(atol(argv[2]));
  if (argc == 3 && strcmp(argv[1], "daemon") == 0) return daemonize(argv[2], 0);
  if (argc == 3 && strcmp(argv[1], "daemon-holding") == 0) return daemonize(argv[2], 1);
  if ((argc == 4 || (argc == 5 && strcmp(argv[4], "live") == 0)) && strcmp(argv[1], "orphan") == 0)
    return orphan(argv[2], argv[3], argc == 5);
  fprintf(stderr,
          "usage: subprocess_helper fds | alloc MIB | daemon[-holding] PIDFILE |"
          " orphan killed|exits|dead-first PIDFILE [live]\n");
  return 2;
}
