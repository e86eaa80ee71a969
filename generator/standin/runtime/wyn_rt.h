#pragma once
/* The stand-in Wyn runtime: what a translated program calls. Part of the
 * wyn-ctest stand-in compiler, a test double (see ../README.md). Strings come
 * with explicit lengths because Wyn strings may contain NUL bytes. */

#include <stddef.h>
#include <stdint.h>

/* The translated `fn main`; wyn_wrapper.c owns the real main(). */
int wyn_main(void);

/* The process arguments, saved by main() for print_args(). */
extern int wyn_rt_argc;
extern char** wyn_rt_argv;

/* wyn_io.c: output, files, environment. */
void wyn_rt_print(const char* text, size_t len);
void wyn_rt_println(const char* text, size_t len);
void wyn_rt_eprintln(const char* text, size_t len);
void wyn_rt_flood(int64_t bytes);
void wyn_rt_flood_stderr(int64_t bytes);
void wyn_rt_write_file(const char* path, size_t path_len, const char* text, size_t len);
void wyn_rt_write_tmp(const char* name, size_t name_len, const char* text, size_t len);
void wyn_rt_fail_times(const char* path, size_t path_len, int64_t times);
void wyn_rt_count_file(const char* path, size_t path_len);
void wyn_rt_count_tmp(const char* name, size_t name_len);
void wyn_rt_print_file(const char* path, size_t path_len);
void wyn_rt_print_tmp(const char* name, size_t name_len);
void wyn_rt_print_env(const char* name, size_t name_len);
void wyn_rt_print_args(void);
void wyn_rt_read_stdin(void);
/* Exit with `status` unless `path` is a regular file / a directory. */
void wyn_rt_require_file(const char* path, size_t path_len, int64_t status);
void wyn_rt_require_dir(const char* path, size_t path_len, int64_t status);

/* wyn_proc.c: time, signals, processes, memory. */
void wyn_rt_sleep_ms(int64_t ms);
void wyn_rt_burn_ms(int64_t ms);
void wyn_rt_crash(void);
void wyn_rt_abort(void);
void wyn_rt_fpe(void);
void wyn_rt_hang(void);
void wyn_rt_hang_ignoring_term(void);
void wyn_rt_spawn_orphan(int64_t ms);
void wyn_rt_print_pid(void);
void wyn_rt_alloc_mb(int64_t mib);
#ifdef _WIN32
/* Whether this process is the orphan spawn_orphan() started (it has then
 * lived its time): main() returns at once. */
int wyn_rt_orphan(void);
#endif

/* Shared helpers. */
void wyn_rt_write_all(int fd, const char* data, size_t len);
/* Prints "<what>: <strerror(errno)>" on stderr and exits with status 1. */
void wyn_rt_fail(const char* what);
