// The Windows backend's clean-up and exit statuses. Everything a test
// starts is in its job (the child was put there before it ran), so what it
// left behind is the job's processes still alive after it exited: listed
// with the job's accounting, killed with TerminateJobObject. A console
// program's console host (conhost.exe, which Windows and Wine attach to the
// job as well) is not the test's doing and is not counted.

#include <windows.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <vector>

#include "process/subprocess_detail.hpp"

namespace wyn {

namespace detail {

namespace {

/// The processes of the job, or false when it cannot be queried.
bool job_process_ids(HANDLE job, std::vector<ULONG_PTR>& ids) {
  // The list is variable-length: grow until it fits.
  for (DWORD capacity = 64; capacity <= 65536; capacity *= 4) {
    std::vector<char> buffer(sizeof(JOBOBJECT_BASIC_PROCESS_ID_LIST) +
                             capacity * sizeof(ULONG_PTR));
    auto* list = reinterpret_cast<JOBOBJECT_BASIC_PROCESS_ID_LIST*>(buffer.data());
    list->NumberOfAssignedProcesses = capacity;
    if (::QueryInformationJobObject(job, JobObjectBasicProcessIdList, list,
                                    static_cast<DWORD>(buffer.size()), nullptr) ||
        ::GetLastError() == ERROR_MORE_DATA) {
      if (list->NumberOfAssignedProcesses > list->NumberOfProcessIdsInList) continue;
      ids.assign(list->ProcessIdList, list->ProcessIdList + list->NumberOfProcessIdsInList);
      return true;
    }
    return false;
  }
  return false;
}

bool ends_with_icase(const std::wstring& text, const wchar_t* suffix) {
  size_t n = wcslen(suffix);
  return text.size() >= n && _wcsicmp(text.c_str() + text.size() - n, suffix) == 0;
}

/// Alive and not a console host.
bool counts_as_live(ULONG_PTR pid) {
  HANDLE process = ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE, FALSE,
                                 static_cast<DWORD>(pid));
  if (process == nullptr) return false;  // gone meanwhile
  bool live = ::WaitForSingleObject(process, 0) == WAIT_TIMEOUT;
  if (live) {
    wchar_t name[MAX_PATH * 2];
    DWORD size = sizeof name / sizeof name[0];
    if (::QueryFullProcessImageNameW(process, 0, name, &size) &&
        ends_with_icase(std::wstring(name, size), L"\\conhost.exe"))
      live = false;
  }
  ::CloseHandle(process);
  return live;
}

}  // namespace

int live_job_processes(void* job) {
  std::vector<ULONG_PTR> ids;
  if (!job_process_ids(static_cast<HANDLE>(job), ids)) return -1;
  int live = 0;
  for (ULONG_PTR pid : ids) live += counts_as_live(pid) ? 1 : 0;
  return live;
}

int kill_job(void* job, double wait_seconds) {
  HANDLE handle = static_cast<HANDLE>(job);
  int live = live_job_processes(job);
  ::TerminateJobObject(handle, 1);
  // TerminateJobObject returns before the processes are gone; wait until
  // the job is empty so that what they held (files, the pipes) is released.
  using clock = std::chrono::steady_clock;
  const auto until = clock::now() + std::chrono::duration<double>(wait_seconds);
  DWORD pause = 1;
  while (clock::now() < until) {
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info = {};
    if (!::QueryInformationJobObject(handle, JobObjectBasicAccountingInformation, &info,
                                     sizeof info, nullptr) ||
        info.ActiveProcesses == 0)
      break;
    ::Sleep(pause);
    pause = pause < 25 ? pause * 2 : 25;
  }
  return live < 0 ? 0 : live;
}

bool is_crash_status(unsigned long status) {
  // Severity "error" (0xC...): the NTSTATUS of an exception nobody handled,
  // and the fail-fast codes. Ordinary exit codes never get there.
  return (status & 0xF0000000ul) == 0xC0000000ul || status == 0x80000003ul /* breakpoint */;
}

std::string ntstatus_name(unsigned long status) {
  const char* name = nullptr;
  switch (status) {
    // clang-format off
    case 0xC0000005ul: name = "access violation"; break;
    case 0xC0000006ul: name = "in-page error"; break;
    case 0xC000001Dul: name = "illegal instruction"; break;
    case 0xC0000025ul: name = "noncontinuable exception"; break;
    case 0xC000008Cul: name = "array bounds exceeded"; break;
    case 0xC000008Dul: name = "floating-point denormal operand"; break;
    case 0xC000008Eul: name = "floating-point division by zero"; break;
    case 0xC000008Ful: name = "floating-point inexact result"; break;
    case 0xC0000090ul: name = "floating-point invalid operation"; break;
    case 0xC0000091ul: name = "floating-point overflow"; break;
    case 0xC0000092ul: name = "floating-point stack check"; break;
    case 0xC0000093ul: name = "floating-point underflow"; break;
    case 0xC0000094ul: name = "integer divide by zero"; break;
    case 0xC0000095ul: name = "integer overflow"; break;
    case 0xC0000096ul: name = "privileged instruction"; break;
    case 0xC00000FDul: name = "stack overflow"; break;
    case 0xC0000135ul: name = "DLL not found"; break;
    case 0xC0000138ul: name = "ordinal not found"; break;
    case 0xC0000139ul: name = "entry point not found"; break;
    case 0xC000013Aul: name = "terminated by Ctrl+C"; break;
    case 0xC0000142ul: name = "DLL initialization failed"; break;
    case 0xC0000374ul: name = "heap corruption"; break;
    case 0xC0000409ul: name = "stack buffer overrun (fail fast)"; break;
    case 0xC0000417ul: name = "invalid C runtime parameter"; break;
    case 0x80000003ul: name = "breakpoint"; break;
      // clang-format on
  }
  if (name == nullptr && !is_crash_status(status)) return "";
  char code[16];
  std::snprintf(code, sizeof code, "0x%08lX", status);
  return name == nullptr ? std::string(code) + " exception" : std::string(code) + " " + name;
}

// Nothing of the POSIX interface is used on Windows; describe_errno is in spawn.cpp.

}  // namespace detail

std::string signal_name(int signal) {
  std::string crash =
      detail::ntstatus_name(static_cast<unsigned long>(static_cast<unsigned>(signal)));
  if (!crash.empty()) return crash;
  switch (signal) {
    // clang-format off
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGILL: return "SIGILL";
    case SIGABRT: return "SIGABRT";
    case SIGFPE: return "SIGFPE";
    case SIGKILL: return "SIGKILL";
    case SIGSEGV: return "SIGSEGV";
    case SIGTERM: return "SIGTERM";
    case SIGBREAK: return "SIGBREAK";
    case SIGXCPU: return "SIGXCPU";
      // clang-format on
  }
  return "signal " + std::to_string(signal);
}

bool is_crash_signal(int signal) {
  // A crash is reported as its NTSTATUS code; the terminations the harness
  // causes have their POSIX numbers.
  return signal != 0 && signal != SIGKILL && signal != SIGXCPU;
}

const char* timeout_target() { return "its job (the program and all it started)"; }

}  // namespace wyn
