/* A C compiler for the Windows tests of wyn-cc: it compiles nothing, but
 * reads and writes the files a real one would, so that the toolchain
 * cache's memo sees the same traffic.
 *
 *   fake_cc [FLAGS] -c SOURCE -o OBJECT [-MD -MF DEPFILE]
 *       OBJECT holds "object of SOURCE:" and the source's text; DEPFILE
 *       names SOURCE as OBJECT's only prerequisite.
 *   fake_cc [FLAGS] INPUTS... -o PROGRAM
 *       PROGRAM holds "program:" and each input's text.
 *   fake_cc build NAME.wyn -o PROGRAM
 *       as a Wyn compiler of the build style does: writes NAME.wyn.c
 *       (the source's text) in the working directory and runs
 *       `%WYN_CC% -o PROGRAM NAME.wyn.c`, with that compiler's status.
 *   fake_cc --exit=N ...
 *       exits with N at once.
 *
 * It first prints its arguments on stdout ("fake_cc: ARG ARG..."). A
 * source holding "#error" is not compiled: "SOURCE:1: error: #error" on
 * stderr, exit status 3; one holding "#warning" is, with
 * "SOURCE:1: warning: #warning" on stderr. When FAKE_CC_LOG is set, each
 * run appends its arguments to that file as a line.
 */
#include <windows.h>
/* After windows.h. */
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char* slurp(const char* path) {
  FILE* f = fopen(path, "rb");
  if (!f) return NULL;
  size_t size = 0, cap = 4096;
  char* text = malloc(cap);
  size_t n;
  while ((n = fread(text + size, 1, cap - size - 1, f)) > 0) {
    size += n;
    if (cap - size < 2) text = realloc(text, cap *= 2);
  }
  fclose(f);
  text[size] = '\0';
  return text;
}

static int ends_with(const char* s, const char* suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Runs `cc -o output source` and returns its exit status. */
static int run_cc(const char* cc, const char* output, const char* source) {
  char line[32768];
  snprintf(line, sizeof line, "\"%s\" -o \"%s\" \"%s\"", cc, output, source);
  STARTUPINFOA si;
  PROCESS_INFORMATION pi;
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  /* Its output is ours: the handles we were given are inheritable. */
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
  si.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  fflush(stdout);
  fflush(stderr);
  if (!CreateProcessA(NULL, line, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
    fprintf(stderr, "fake_cc: error: cannot run %s\n", cc);
    return 5;
  }
  DWORD code = 1;
  WaitForSingleObject(pi.hProcess, INFINITE);
  GetExitCodeProcess(pi.hProcess, &code);
  CloseHandle(pi.hThread);
  CloseHandle(pi.hProcess);
  return (int)code;
}

int main(int argc, char** argv) {
  const char* output = NULL;
  const char* depfile = NULL;
  int compile_only = 0;
  /* What it prints is compared byte for byte: no "\r\n". */
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
  printf("fake_cc:");
  for (int i = 1; i < argc; ++i) printf(" %s", argv[i]);
  printf("\n");
  fflush(stdout);
  const char* log = getenv("FAKE_CC_LOG");
  if (log && *log) {
    FILE* f = fopen(log, "ab");
    if (f) {
      for (int i = 1; i < argc; ++i) fprintf(f, i > 1 ? " %s" : "%s", argv[i]);
      fputc('\n', f);
      fclose(f);
    }
  }
  for (int i = 1; i < argc; ++i) {
    if (strncmp(argv[i], "--exit=", 7) == 0) return atoi(argv[i] + 7);
    if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
      output = argv[++i];
    else if (strcmp(argv[i], "-MF") == 0 && i + 1 < argc)
      depfile = argv[++i];
    else if (strcmp(argv[i], "-c") == 0)
      compile_only = 1;
  }
  if (!output) {
    fprintf(stderr, "fake_cc: error: no -o\n");
    return 2;
  }
  FILE* out = NULL;
  for (int i = 1; i < argc; ++i) {
    const char* arg = argv[i];
    if (strcmp(arg, "-o") == 0 || strcmp(arg, "-MF") == 0) {
      ++i;
      continue;
    }
    if (arg[0] == '-' || !(ends_with(arg, ".c") || ends_with(arg, ".o") || ends_with(arg, ".wyn")))
      continue;
    char* text = slurp(arg);
    if (!text) {
      fprintf(stderr, "fake_cc: error: cannot read %s\n", arg);
      return 4;
    }
    if (ends_with(arg, ".wyn")) {
      const char* cc = getenv("WYN_CC");
      char c_name[4096];
      snprintf(c_name, sizeof c_name, "%s.c", arg);
      FILE* c = fopen(c_name, "wb");
      if (!c || !cc) {
        fprintf(stderr, "fake_cc: error: cannot write %s, or no WYN_CC\n", c_name);
        return 4;
      }
      fputs(text, c);
      fclose(c);
      free(text);
      return run_cc(cc, output, c_name);
    }
    if (ends_with(arg, ".c") && strstr(text, "#error")) {
      fprintf(stderr, "%s:1: error: #error\n", arg);
      return 3;
    }
    if (ends_with(arg, ".c") && strstr(text, "#warning"))
      fprintf(stderr, "%s:1: warning: #warning\n", arg);
    if (!out) {
      out = fopen(output, "wb");
      if (!out) {
        fprintf(stderr, "fake_cc: error: cannot write %s\n", output);
        return 4;
      }
      fputs(compile_only ? "object of " : "program:\n", out);
      if (compile_only) fprintf(out, "%s:\n", arg);
    }
    fputs(text, out);
    free(text);
    if (compile_only && depfile) {
      FILE* d = fopen(depfile, "wb");
      if (d) {
        fprintf(d, "%s: %s\n", output, arg);
        fclose(d);
      }
    }
  }
  if (!out) {
    fprintf(stderr, "fake_cc: error: no input files\n");
    return 2;
  }
  fclose(out);
  return 0;
}
