/* A child for the Windows process tests: one behaviour per command line.
 *
 *   win_child args             each argument on a line of its own (UTF-8)
 *   win_child exit N           exits with N
 *   win_child print TEXT       TEXT and a newline on stdout
 *   win_child stderr TEXT      TEXT and a newline on stderr
 *   win_child env NAME         the variable's value, or "(unset)"
 *   win_child cwd              the working directory
 *   win_child cat              stdin to stdout
 *   win_child flood BYTES      that many bytes of 'x' on stdout
 *   win_child crash | divzero | illegal | stackoverflow | abort
 *   win_child hang             sleeps forever
 *   win_child spawn PIDFILE MODE
 *       starts `win_child hang`, writes its process id and then its own
 *       to PIDFILE, then
 *       MODE: hang (sleeps forever) or exit (exits 0 at once, leaving it)
 *   win_child alloc MIB        allocates and touches that much memory
 */
#include <windows.h>
/* After windows.h, which it needs. */
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deliberate: the stack overflow test needs it. */
#pragma GCC diagnostic ignored "-Winfinite-recursion"
static int recurse(volatile char* p) {
  volatile char buffer[4096];
  buffer[0] = p ? p[0] : 0;
  return recurse(buffer) + buffer[1];
}

static void write_all(HANDLE h, const char* data, DWORD size) {
  while (size > 0) {
    DWORD n = 0;
    if (!WriteFile(h, data, size, &n, NULL)) ExitProcess(99);
    data += n;
    size -= n;
  }
}

static void line(HANDLE h, const char* text) {
  write_all(h, text, (DWORD)strlen(text));
  write_all(h, "\n", 1);
}

int main(void) {
  int argc = 0;
  wchar_t** argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  char text[32768];
  if (argc < 2) return 2;
  if (wcscmp(argv[1], L"args") == 0) {
    for (int i = 2; i < argc; ++i) {
      int n = WideCharToMultiByte(CP_UTF8, 0, argv[i], -1, text, sizeof text, NULL, NULL);
      if (n <= 0) return 3;
      line(out, text);
    }
    return 0;
  }
  if (wcscmp(argv[1], L"exit") == 0 && argc > 2) return _wtoi(argv[2]);
  if ((wcscmp(argv[1], L"print") == 0 || wcscmp(argv[1], L"stderr") == 0) && argc > 2) {
    WideCharToMultiByte(CP_UTF8, 0, argv[2], -1, text, sizeof text, NULL, NULL);
    line(wcscmp(argv[1], L"print") == 0 ? out : GetStdHandle(STD_ERROR_HANDLE), text);
    return 0;
  }
  if (wcscmp(argv[1], L"env") == 0 && argc > 2) {
    wchar_t value[8192];
    DWORD n = GetEnvironmentVariableW(argv[2], value, 8192);
    if (n == 0 || n >= 8192) {
      line(out, "(unset)");
    } else {
      WideCharToMultiByte(CP_UTF8, 0, value, -1, text, sizeof text, NULL, NULL);
      line(out, text);
    }
    return 0;
  }
  if (wcscmp(argv[1], L"cwd") == 0) {
    wchar_t dir[4096];
    GetCurrentDirectoryW(4096, dir);
    WideCharToMultiByte(CP_UTF8, 0, dir, -1, text, sizeof text, NULL, NULL);
    line(out, text);
    return 0;
  }
  if (wcscmp(argv[1], L"cat") == 0) {
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    DWORD n;
    while (ReadFile(in, text, sizeof text, &n, NULL) && n > 0) write_all(out, text, n);
    return 0;
  }
  if (wcscmp(argv[1], L"flood") == 0 && argc > 2) {
    long long left = _wtoi64(argv[2]);
    memset(text, 'x', sizeof text);
    while (left > 0) {
      DWORD n = left < (long long)sizeof text ? (DWORD)left : (DWORD)sizeof text;
      write_all(out, text, n);
      left -= n;
    }
    return 0;
  }
  if (wcscmp(argv[1], L"crash") == 0) {
    volatile int* p = (volatile int*)(uintptr_t)8;
    *p = 1;
  }
  if (wcscmp(argv[1], L"divzero") == 0) {
    volatile int zero = 0;
    return 10 / zero;
  }
  if (wcscmp(argv[1], L"illegal") == 0) __builtin_trap();
  if (wcscmp(argv[1], L"stackoverflow") == 0) return recurse(NULL);
  if (wcscmp(argv[1], L"abort") == 0) abort();
  if (wcscmp(argv[1], L"hang") == 0) {
    for (;;) Sleep(1000);
  }
  if (wcscmp(argv[1], L"spawn") == 0 && argc > 3) {
    wchar_t self[MAX_PATH];
    GetModuleFileNameW(NULL, self, MAX_PATH);
    wchar_t command[MAX_PATH + 16];
    swprintf(command, MAX_PATH + 16, L"\"%ls\" hang", self);
    STARTUPINFOW si;
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    PROCESS_INFORMATION pi;
    if (!CreateProcessW(self, command, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) return 4;
    FILE* f = _wfopen(argv[2], L"w");
    if (f == NULL) return 5;
    fprintf(f, "%lu\n%lu\n", (unsigned long)pi.dwProcessId, (unsigned long)GetCurrentProcessId());
    fclose(f);
    line(out, "spawned");
    if (wcscmp(argv[3], L"exit") == 0) return 0;
    for (;;) Sleep(1000);
  }
  if (wcscmp(argv[1], L"alloc") == 0 && argc > 2) {
    size_t size = (size_t)_wtoi(argv[2]) << 20;
    char* p = malloc(size);
    if (p == NULL) {
      line(out, "out of memory");
      return 1;
    }
    for (size_t i = 0; i < size; i += 4096) p[i] = 1;
    return 0;
  }
  return 2;
}
