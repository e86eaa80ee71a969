/* Child program for test_subprocess.cpp, for what /bin/sh cannot do exactly:
 *   fds              print the open descriptors of this process, e.g. "0 1 2"
 *   alloc MIB        allocate and touch MIB MiB; print "ok" or "failed"
 *   daemon PIDFILE   leave a setsid'd grandchild with stdio on /dev/null that
 *                    sleeps; write its pid to PIDFILE, then exit 0
 *   daemon-holding PIDFILE
 *                    the same, but the grandchild keeps stdout and stderr
 *                    (and sleeps 30 s at most)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
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

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "fds") == 0) return list_fds();
  if (argc == 3 && strcmp(argv[1], "alloc") == 0) return allocate(atol(argv[2]));
  if (argc == 3 && strcmp(argv[1], "daemon") == 0) return daemonize(argv[2], 0);
  if (argc == 3 && strcmp(argv[1], "daemon-holding") == 0) return daemonize(argv[2], 1);
  fprintf(stderr, "usage: subprocess_helper fds | alloc MIB | daemon[-holding] PIDFILE\n");
  return 2;
}
