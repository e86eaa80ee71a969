/* host_run: runs a program of the Linux host for a Windows program under Wine.
 *
 *   host_run.exe PROGRAM [ARG...]
 *
 * Wine starts a Linux (ELF) program when a Windows program asks it to, but
 * hands back no process handle: the caller cannot wait for it, never learns
 * its exit status, and its output does not reach the caller's pipes. There
 * is no Windows-hosted C compiler on a Linux machine, so the Windows tools
 * and the stand-in compiler, cross-built and tested under Wine, get their C
 * compiler through this program: WYN_CC="host_run.exe
 * /usr/bin/x86_64-w64-mingw32-gcc -static". On real Windows it is not used.
 *
 * It writes a shell script that runs PROGRAM with the arguments, its stdout
 * and stderr into files and its exit status into a third, starts /bin/sh on
 * it, waits for the status file to appear, then copies the two outputs to
 * its own stdout and stderr (stdout first: their interleaving is lost) and
 * exits with PROGRAM's status (128+N when signal N killed it, as a shell
 * says). Arguments that are Windows absolute paths, alone or after a
 * one-letter option (-IZ:\x, -oZ:\x), are passed as the Linux path Wine maps
 * them to; the working directory is the caller's; stdin is /dev/null.
 */
#include <windows.h>
/* After windows.h, which it needs. */
#include <shellapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef char* (*CDECL unix_name_fn)(LPCWSTR);
typedef WCHAR* (*CDECL dos_name_fn)(const char*);

static unix_name_fn to_unix;
static dos_name_fn to_dos;

static void die(const char* what) {
  fprintf(stderr, "host_run: error: %s\n", what);
  exit(127);
}

/* A growing byte string. */
struct text {
  char* data;
  size_t size;
  size_t capacity;
};

static void append(struct text* t, const char* s, size_t n) {
  if (t->size + n + 1 > t->capacity) {
    t->capacity = (t->size + n + 1) * 2;
    t->data = realloc(t->data, t->capacity);
    if (!t->data) die("out of memory");
  }
  memcpy(t->data + t->size, s, n);
  t->size += n;
  t->data[t->size] = '\0';
}

static void append_str(struct text* t, const char* s) { append(t, s, strlen(s)); }

/* S in single quotes for sh, a quote inside written '\''. */
static void append_quoted(struct text* t, const char* s) {
  append_str(t, "'");
  for (; *s; ++s) {
    if (*s == '\'') {
      append_str(t, "'\\''");
    } else {
      append(t, s, 1);
    }
  }
  append_str(t, "'");
}

static char* utf8(const wchar_t* w) {
  int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
  char* s = malloc(n > 0 ? n : 1);
  if (!s) die("out of memory");
  if (n <= 0) {
    s[0] = '\0';
  } else {
    WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
  }
  return s;
}

static int is_windows_absolute(const wchar_t* w) {
  return ((w[0] >= L'A' && w[0] <= L'Z') || (w[0] >= L'a' && w[0] <= L'z')) && w[1] == L':' &&
         (w[2] == L'\\' || w[2] == L'/');
}

/* The Linux path of a Windows one; dies when Wine maps it to none. */
static char* unix_path(const wchar_t* w) {
  char* name = to_unix(w);
  if (!name) {
    char* s = utf8(w);
    fprintf(stderr, "host_run: error: '%s' is no path of the Linux host\n", s);
    exit(127);
  }
  return name;
}

/* An argument for the Linux program: a Windows absolute path, alone or
   after a one-letter option, becomes the Linux path. */
static char* host_argument(const wchar_t* w) {
  if (is_windows_absolute(w)) return unix_path(w);
  if (w[0] == L'-' && w[1] && is_windows_absolute(w + 2)) {
    char* path = unix_path(w + 2);
    char* s = malloc(strlen(path) + 3);
    if (!s) die("out of memory");
    s[0] = '-';
    s[1] = (char)w[1];
    strcpy(s + 2, path);
    return s;
  }
  return utf8(w);
}

static void write_file(const wchar_t* path, const char* data, size_t size) {
  HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  DWORD n = 0;
  if (h == INVALID_HANDLE_VALUE || !WriteFile(h, data, (DWORD)size, &n, NULL) || n != size)
    die("cannot write its script");
  CloseHandle(h);
}

/* Copies the file to the handle, and removes it. */
static void pass_on(const wchar_t* path, HANDLE to) {
  HANDLE h = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
  if (h != INVALID_HANDLE_VALUE) {
    char buffer[65536];
    DWORD n = 0;
    while (ReadFile(h, buffer, sizeof buffer, &n, NULL) && n > 0) {
      DWORD written = 0;
      for (DWORD done = 0; done < n; done += written) {
        if (!WriteFile(to, buffer + done, n - done, &written, NULL)) break;
      }
    }
    CloseHandle(h);
  }
  DeleteFileW(path);
}

int main(void) {
  int argc = 0;
  wchar_t** argv = CommandLineToArgvW(GetCommandLineW(), &argc);
  if (!argv || argc < 2) die("usage: host_run.exe PROGRAM [ARG...]");
  HMODULE kernel32 = GetModuleHandleW(L"kernel32.dll");
  to_unix = (unix_name_fn)(void*)GetProcAddress(kernel32, "wine_get_unix_file_name");
  to_dos = (dos_name_fn)(void*)GetProcAddress(kernel32, "wine_get_dos_file_name");
  if (!to_unix || !to_dos) die("runs programs of the Linux host under Wine, and this is no Wine");

  /* The files, in a directory of this run's own under the Windows TEMP. */
  wchar_t temp[MAX_PATH];
  wchar_t dir[MAX_PATH + 64];
  if (!GetTempPathW(MAX_PATH, temp)) die("no TEMP directory");
  unsigned attempt = 0;
  for (;; ++attempt) {
    swprintf(dir, sizeof dir / sizeof *dir, L"%lshost_run.%lu.%u", temp, GetCurrentProcessId(),
             attempt);
    if (CreateDirectoryW(dir, NULL)) break;
    if (GetLastError() != ERROR_ALREADY_EXISTS || attempt > 100)
      die("cannot make its directory under TEMP");
  }
  wchar_t script[MAX_PATH + 96], out[MAX_PATH + 96], err[MAX_PATH + 96], status[MAX_PATH + 96];
  swprintf(script, sizeof script / sizeof *script, L"%ls\\run.sh", dir);
  swprintf(out, sizeof out / sizeof *out, L"%ls\\out", dir);
  swprintf(err, sizeof err / sizeof *err, L"%ls\\err", dir);
  swprintf(status, sizeof status / sizeof *status, L"%ls\\status", dir);
  wchar_t cwd[32768];
  if (!GetCurrentDirectoryW(sizeof cwd / sizeof *cwd, cwd)) die("no working directory");

  struct text s = {0};
  /* The Windows environment's PATH and TMPDIR mean nothing to the host. */
  append_str(&s, "PATH=/usr/local/bin:/usr/bin:/bin TMPDIR=/tmp\nexport PATH TMPDIR\n(cd ");
  append_quoted(&s, unix_path(cwd));
  append_str(&s, " && exec");
  for (int i = 1; i < argc; ++i) {
    append_str(&s, " ");
    append_quoted(&s, i == 1 ? utf8(argv[1]) : host_argument(argv[i]));
  }
  append_str(&s, ") >");
  append_quoted(&s, unix_path(out));
  append_str(&s, " 2>");
  append_quoted(&s, unix_path(err));
  append_str(&s, " </dev/null\ncode=$?\n");
  /* Written aside and renamed: the status file is whole once it exists. */
  append_str(&s, "echo $code >");
  append_quoted(&s, unix_path(status));
  append_str(&s, ".new && mv ");
  append_quoted(&s, unix_path(status));
  append_str(&s, ".new ");
  append_quoted(&s, unix_path(status));
  append_str(&s, "\n");
  write_file(script, s.data, s.size);

  struct text command = {0};
  WCHAR* shell = to_dos("/bin/sh");
  if (!shell) die("no /bin/sh");
  append_str(&command, "\"");
  append_str(&command, utf8(shell));
  append_str(&command, "\" \"");
  append_str(&command, unix_path(script));
  append_str(&command, "\"");
  STARTUPINFOA startup;
  ZeroMemory(&startup, sizeof startup);
  startup.cb = sizeof startup;
  PROCESS_INFORMATION process;
  if (!CreateProcessA(NULL, command.data, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &process))
    die("cannot start /bin/sh");
  if (process.hProcess) CloseHandle(process.hProcess);
  if (process.hThread) CloseHandle(process.hThread);

  /* Nothing to wait on but the file: poll, quickly at first. */
  DWORD pause = 1;
  while (GetFileAttributesW(status) == INVALID_FILE_ATTRIBUTES) {
    Sleep(pause);
    if (pause < 20) pause *= 2;
  }
  char code_text[32] = {0};
  HANDLE h = CreateFileW(status, GENERIC_READ, FILE_SHARE_READ, NULL, OPEN_EXISTING, 0, NULL);
  DWORD n = 0;
  if (h == INVALID_HANDLE_VALUE || !ReadFile(h, code_text, sizeof code_text - 1, &n, NULL))
    die("cannot read the exit status");
  CloseHandle(h);
  pass_on(out, GetStdHandle(STD_OUTPUT_HANDLE));
  pass_on(err, GetStdHandle(STD_ERROR_HANDLE));
  DeleteFileW(status);
  DeleteFileW(script);
  RemoveDirectoryW(dir);
  return atoi(code_text);
}
