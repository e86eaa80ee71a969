/* Output and files. Everything is written with write(2), unbuffered, so that
 * stdout and stderr lines keep their order when both go to one pipe.
 *
 * Windows: stdin, stdout and stderr stay in the C runtime's text mode, as
 * printf's and fgets' are in a real compiled program: a "\n" goes out as
 * "\r\n", a "\r\n" read comes in as "\n". flood() alone writes raw bytes
 * (exactly n). Files are written and read as bytes, unchanged. */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef _WIN32
#include <direct.h>
#include <io.h>
#include <windows.h>
/* Files as bytes, and not inherited by the programs this one starts. */
#define WYN_RT_OPEN_FLAGS (O_BINARY | O_NOINHERIT)
#define WYN_RT_SEPARATORS "/\\"
#define make_directory(path) _mkdir(path)
#else
#define WYN_RT_OPEN_FLAGS O_CLOEXEC
#define WYN_RT_SEPARATORS "/"
#define make_directory(path) mkdir(path, 0777)
#endif

#include "wyn_rt.h"

void wyn_rt_write_all(int fd, const char* data, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, data, len);
    if (n < 0 && errno == EINTR) continue;
    /* The reader is gone (SIGPIPE ignored) or the disk is full: nothing
     * sensible is left to report it to. */
    if (n < 0) _exit(1);
    data += n;
    len -= (size_t)n;
  }
}

void wyn_rt_fail(const char* what) {
  const char* reason = strerror(errno);
  wyn_rt_write_all(2, what, strlen(what));
  wyn_rt_write_all(2, ": ", 2);
  wyn_rt_write_all(2, reason, strlen(reason));
  wyn_rt_write_all(2, "\n", 1);
  exit(1);
}

/* A NUL-terminated copy of a Wyn string (a path ends at its first NUL). */
static char* c_string(const char* text, size_t len) {
  char* out = malloc(len + 1);
  if (!out) wyn_rt_fail("out of memory");
  memcpy(out, text, len);
  out[len] = '\0';
  return out;
}

static void write_line(int fd, const char* text, size_t len) {
  /* One write per line, so concurrent writers cannot split it. */
  char* line = malloc(len + 1);
  if (!line) wyn_rt_fail("out of memory");
  memcpy(line, text, len);
  line[len] = '\n';
  wyn_rt_write_all(fd, line, len + 1);
  free(line);
}

void wyn_rt_print(const char* text, size_t len) { wyn_rt_write_all(1, text, len); }
void wyn_rt_println(const char* text, size_t len) { write_line(1, text, len); }
void wyn_rt_eprintln(const char* text, size_t len) { write_line(2, text, len); }

static void flood(int fd, int64_t bytes) {
  static const char pattern[] = "wyn flood: the quick brown fox jumps over the lazy dog 01234567\n";
  enum { line_len = sizeof pattern - 1, chunk_len = line_len * 16384 }; /* 1 MiB */
  char* chunk = malloc(chunk_len);
  if (!chunk) wyn_rt_fail("out of memory");
  for (size_t i = 0; i < chunk_len; i += line_len) memcpy(chunk + i, pattern, line_len);
#ifdef _WIN32
  /* n bytes, at full speed: no "\r" inserted line by line. */
  const int mode = _setmode(fd, _O_BINARY);
#endif
  while (bytes > 0) {
    size_t n = bytes < chunk_len ? (size_t)bytes : (size_t)chunk_len;
    wyn_rt_write_all(fd, chunk, n);
    bytes -= (int64_t)n;
  }
#ifdef _WIN32
  if (mode != -1) _setmode(fd, mode);
#endif
  free(chunk);
}

void wyn_rt_flood(int64_t bytes) { flood(1, bytes); }
void wyn_rt_flood_stderr(int64_t bytes) { flood(2, bytes); }

static int is_directory_path(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Creates every missing parent directory of `path`, like `mkdir -p $(dirname path)`. */
static void make_parents(char* path) {
  for (char* slash = path + 1; (slash = strpbrk(slash, WYN_RT_SEPARATORS)) != NULL; ++slash) {
    const char separator = *slash;
    *slash = '\0';
    /* "C:" of "C:\x" is no directory to create, but is one. */
    if (make_directory(path) != 0 && errno != EEXIST && !is_directory_path(path)) wyn_rt_fail(path);
    *slash = separator;
  }
}

static void write_to(char* path, const char* text, size_t len) {
  make_parents(path);
  int fd;
  do {
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | WYN_RT_OPEN_FLAGS, 0666);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) wyn_rt_fail(path);
  wyn_rt_write_all(fd, text, len);
  if (close(fd) != 0) wyn_rt_fail(path);
}

static void print_from(const char* path) {
  int fd;
  do {
    fd = open(path, O_RDONLY | WYN_RT_OPEN_FLAGS);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) wyn_rt_fail(path);
  char buffer[65536];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) wyn_rt_fail(path);
    if (n == 0) break;
    wyn_rt_write_all(1, buffer, (size_t)n);
  }
  close(fd);
}

/* "$TMPDIR/name", or "/tmp/name" when TMPDIR is unset or empty (Windows:
 * the system's temporary directory, from TMP or TEMP). */
static char* tmp_path(const char* name, size_t name_len) {
  const char* dir = getenv("TMPDIR");
#ifdef _WIN32
  char system_dir[MAX_PATH + 1];
  if (!dir || !*dir) {
    const DWORD n = GetTempPathA(sizeof system_dir, system_dir);
    if (n > 0 && n < sizeof system_dir) {
      if (n > 3) system_dir[n - 1] = '\0'; /* the separator it ends with, unless a root */
      dir = system_dir;
    }
  }
#endif
  if (!dir || !*dir) dir = "/tmp";
  char* base = c_string(name, name_len);
  char* path = malloc(strlen(dir) + strlen(base) + 2);
  if (!path) wyn_rt_fail("out of memory");
  sprintf(path, "%s/%s", dir, base);
  free(base);
  return path;
}

void wyn_rt_write_file(const char* path, size_t path_len, const char* text, size_t len) {
  char* p = c_string(path, path_len);
  write_to(p, text, len);
  free(p);
}

/* Adds one to the number in the file at `path` (0 when there is none),
 * writes it back and returns it. */
static long long bump(char* path) {
  long long count = 0;
  FILE* in = fopen(path, "r");
  if (in) {
    if (fscanf(in, "%lld", &count) != 1) count = 0;
    fclose(in);
  }
  ++count;
  char text[32];
  int len = snprintf(text, sizeof text, "%lld\n", count);
  write_to(path, text, (size_t)len);
  return count;
}

static void print_count(long long count) {
  char text[32];
  int len = snprintf(text, sizeof text, "%lld\n", count);
  wyn_rt_write_all(1, text, (size_t)len);
}

void wyn_rt_count_file(const char* path, size_t path_len) {
  char* p = c_string(path, path_len);
  print_count(bump(p));
  free(p);
}

void wyn_rt_count_tmp(const char* name, size_t name_len) {
  char* p = tmp_path(name, name_len);
  print_count(bump(p));
  free(p);
}

/* A program that fails its first `times` runs and passes afterwards: the
 * runs are counted in the file at `path`, which must outlive one run. */
void wyn_rt_fail_times(const char* path, size_t path_len, int64_t times) {
  char* p = c_string(path, path_len);
  const long long count = bump(p);
  free(p);
  if (count <= times) {
    char message[96];
    const int len =
        snprintf(message, sizeof message, "fail_times: run %lld of the %lld that fail\n", count,
                 (long long)times);
    wyn_rt_write_all(2, message, (size_t)len);
    exit(1);
  }
}

void wyn_rt_write_tmp(const char* name, size_t name_len, const char* text, size_t len) {
  char* p = tmp_path(name, name_len);
  write_to(p, text, len);
  free(p);
}

void wyn_rt_print_file(const char* path, size_t path_len) {
  char* p = c_string(path, path_len);
  print_from(p);
  free(p);
}

void wyn_rt_print_tmp(const char* name, size_t name_len) {
  char* p = tmp_path(name, name_len);
  print_from(p);
  free(p);
}

void wyn_rt_print_env(const char* name, size_t name_len) {
  char* n = c_string(name, name_len);
  const char* value = getenv(n);
  free(n);
  if (!value) value = "<unset>";
  write_line(1, value, strlen(value));
}

void wyn_rt_print_args(void) {
  for (int i = 1; i < wyn_rt_argc; ++i) write_line(1, wyn_rt_argv[i], strlen(wyn_rt_argv[i]));
}

void wyn_rt_read_stdin(void) {
  char buffer[65536];
  for (;;) {
    ssize_t n = read(0, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) wyn_rt_fail("read_stdin");
    if (n == 0) return;
    wyn_rt_write_all(1, buffer, (size_t)n);
  }
}

/* Exits with `status` unless `path` is of the kind `is_kind` accepts,
 * saying on stderr what was missing where: the check a program makes of
 * the directory it was started in (a relative path). */
static void require(const char* what, const char* path, size_t path_len, int (*is_kind)(mode_t),
                    const char* kind, int64_t status) {
  char* p = c_string(path, path_len);
  struct stat st;
  if (stat(p, &st) == 0 && is_kind(st.st_mode)) {
    free(p);
    return;
  }
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) strcpy(cwd, "?");
  char message[4096 + 512];
  const int len =
      snprintf(message, sizeof message, "%s: '%s' is not a %s in %s\n", what, p, kind, cwd);
  if (len > 0)
    wyn_rt_write_all(2, message, len < (int)sizeof message ? (size_t)len : sizeof message - 1);
  free(p);
  exit((int)status);
}

static int is_regular(mode_t mode) { return S_ISREG(mode); }
static int is_directory(mode_t mode) { return S_ISDIR(mode); }

void wyn_rt_require_file(const char* path, size_t path_len, int64_t status) {
  require("require_file", path, path_len, is_regular, "file", status);
}

void wyn_rt_require_dir(const char* path, size_t path_len, int64_t status) {
  require("require_dir", path, path_len, is_directory, "directory", status);
}
