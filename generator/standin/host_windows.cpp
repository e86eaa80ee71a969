// The stand-in's contact with Windows (see host.hpp). The C compiler runs
// from an argv vector quoted for CommandLineToArgvW (the rules of
// process/windows/spawn.cpp, written again here: the stand-in links
// nothing of the harness it is a test double for), with stdin from NUL.

#include "standin/host_windows.hpp"

#include <sys/stat.h>
#include <windows.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "standin/host.hpp"
#include "standin/toolchain.hpp"

namespace wyn::standin {

std::wstring widen(const std::string& text) {
  if (text.empty()) return std::wstring();
  const int size =
      MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
  std::wstring wide(static_cast<size_t>(size), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), wide.data(), size);
  return wide;
}

std::string narrow(const std::wstring& text) {
  if (text.empty()) return std::string();
  const int size = WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()),
                                       nullptr, 0, nullptr, nullptr);
  std::string utf8(static_cast<size_t>(size), '\0');
  WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), utf8.data(), size,
                      nullptr, nullptr);
  return utf8;
}

namespace {

/// `arg` as CommandLineToArgvW (and the C runtime's argv) reads it back.
std::wstring quote(const std::wstring& arg) {
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring::npos) return arg;
  // Backslashes are literal except before a quote, where 2n stand for n.
  std::wstring quoted = L"\"";
  size_t backslashes = 0;
  for (const wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    quoted.append(c == L'"' ? backslashes * 2 + 1 : backslashes, L'\\');
    backslashes = 0;
    quoted.push_back(c);
  }
  quoted.append(backslashes * 2, L'\\');
  quoted.push_back(L'"');
  return quoted;
}

}  // namespace

std::string describe_error(unsigned long code) {
  wchar_t* text = nullptr;
  const DWORD n = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string message = n > 0 ? narrow(std::wstring(text, n)) : "error " + std::to_string(code);
  if (text) LocalFree(text);
  while (!message.empty() && std::strchr("\r\n .", message.back())) message.pop_back();
  return message;
}

namespace {

double filetime_ms(const FILETIME& time) {
  ULARGE_INTEGER value;
  value.LowPart = time.dwLowDateTime;
  value.HighPart = time.dwHighDateTime;
  return static_cast<double>(value.QuadPart) / 1e4;  // 100 ns units
}

}  // namespace

void quiet_crashes() {
  SetErrorMode(GetErrorMode() | SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX |
               SEM_NOOPENFILEERRORBOX);
}

double cpu_ms() {
  FILETIME created, exited, kernel, user;
  if (!GetProcessTimes(GetCurrentProcess(), &created, &exited, &kernel, &user)) return 0;
  return filetime_ms(kernel) + filetime_ms(user);
}

void sleep_ms(int64_t ms) {
  while (ms > 0) {
    const DWORD step = ms > 86'400'000 ? 86'400'000 : static_cast<DWORD>(ms);
    Sleep(step);
    ms -= step;
  }
}

[[noreturn]] void die_by(int sig) {
  std::fflush(nullptr);
  quiet_crashes();
  // A crashing compiler on Windows ends with the exception's NTSTATUS;
  // abort() exits with status 3.
  if (sig == SIGABRT) std::abort();
  if (sig == SIGSEGV) {
    // Through a volatile pointer, so that the store is neither dropped nor a trap.
    volatile int* volatile pointer = nullptr;
    *pointer = 42;
  }
  RaiseException(EXCEPTION_ILLEGAL_INSTRUCTION, EXCEPTION_NONCONTINUABLE, 0, nullptr);
  ExitProcess(128 + sig);
}

std::string own_executable() {
  std::wstring buffer(MAX_PATH, L'\0');
  while (true) {
    const DWORD n = GetModuleFileNameW(nullptr, buffer.data(), static_cast<DWORD>(buffer.size()));
    if (n == 0) return "";
    if (n < buffer.size()) return narrow(buffer.substr(0, n));
    buffer.resize(buffer.size() * 2);  // truncated
  }
}

bool has_program(const std::string& directory, const std::string& name) {
  const std::string candidate = join_path(directory, name + std::string(k_executable_suffix));
  struct _stat64 st;
  return _wstat64(widen(candidate).c_str(), &st) == 0 && (st.st_mode & _S_IFREG) != 0;
}

std::string temp_directory() {
  const char* tmpdir = std::getenv("TMPDIR");
  if (tmpdir && *tmpdir) return tmpdir;
  wchar_t buffer[MAX_PATH + 1];
  const DWORD n = GetTempPathW(MAX_PATH + 1, buffer);
  if (n == 0 || n > MAX_PATH) return ".";
  std::string path = narrow(std::wstring(buffer, n));
  if (path.size() > 3 && (path.back() == '\\' || path.back() == '/')) path.pop_back();
  return path;
}

std::string make_unique_directory(const std::string& prefix, std::string& error) {
  static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  unsigned long long seed =
      GetTickCount64() ^ (static_cast<unsigned long long>(GetCurrentProcessId()) << 20);
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string directory = prefix;
    for (int i = 0; i < 6; ++i) {
      seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
      directory += letters[(seed >> 33) % (sizeof letters - 1)];
    }
    if (CreateDirectoryW(widen(directory).c_str(), nullptr)) return directory;
    if (GetLastError() != ERROR_ALREADY_EXISTS) {
      error = describe_error(GetLastError());
      return "";
    }
  }
  error = "no unused name";
  return "";
}

std::wstring command_line(const std::vector<std::string>& argv) {
  std::wstring line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line.push_back(L' ');
    line += quote(widen(arg));
  }
  return line;
}

std::string run_command(const std::vector<std::string>& argv) {
  SECURITY_ATTRIBUTES inherit = {sizeof inherit, nullptr, TRUE};
  HANDLE null_input = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                  &inherit, OPEN_EXISTING, 0, nullptr);
  STARTUPINFOW startup = {};
  startup.cb = sizeof startup;
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = null_input;
  startup.hStdOutput = GetStdHandle(STD_OUTPUT_HANDLE);
  startup.hStdError = GetStdHandle(STD_ERROR_HANDLE);
  // Whatever this process wrote must come out before the child's output.
  std::fflush(nullptr);
  std::wstring line = command_line(argv);
  PROCESS_INFORMATION process = {};
  // No application name: CreateProcessW looks argv[0] up as a shell would
  // (the directory of this program, the current one, the system's, PATH,
  // `.exe` appended to a name without an extension). In this process's
  // job, if any, so that a harness that ends the compiler's job ends it too.
  const BOOL started = CreateProcessW(nullptr, line.data(), nullptr, nullptr, TRUE, 0, nullptr,
                                      nullptr, &startup, &process);
  const DWORD start_error = GetLastError();
  if (null_input != INVALID_HANDLE_VALUE) CloseHandle(null_input);
  if (!started) return "cannot run '" + argv[0] + "': " + describe_error(start_error);
  if (process.hProcess == nullptr) {
    // What Wine gives for a program that is not a Windows one: it may run,
    // but cannot be waited for.
    if (process.hThread) CloseHandle(process.hThread);
    return "cannot wait for '" + argv[0] + "': no process handle (not a Windows program?)";
  }
  CloseHandle(process.hThread);
  WaitForSingleObject(process.hProcess, INFINITE);
  DWORD code = 1;
  GetExitCodeProcess(process.hProcess, &code);
  CloseHandle(process.hProcess);
  if (code == 0) return "";
  if (code >= 0xC0000000u) {
    char hex[16];
    std::snprintf(hex, sizeof hex, "0x%08lX", static_cast<unsigned long>(code));
    return "'" + argv[0] + "' crashed with exception " + hex;
  }
  return "'" + argv[0] + "' failed with exit status " + std::to_string(code);
}

}  // namespace wyn::standin
