// `wyn run`'s second half on Windows (see run.hpp): the program runs in a
// Job Object of `wyn run`'s own, with KILL_ON_JOB_CLOSE, in place of the
// POSIX supervisor and process group. However `wyn run` ends (Ctrl-C,
// TerminateProcess, the end of a harness's job), the system closes its
// handle to the job and kills the program and all it started: the program
// never outlives `wyn run` by more than a moment. The program is created in
// a new process group, so that a Ctrl-C at the console ends `wyn run`, not
// the program, which is then killed with the job, as on POSIX.

#include <windows.h>

#include <cstdio>

#include "standin/host_windows.hpp"
#include "standin/run.hpp"
#include "standin/toolchain.hpp"

namespace wyn::standin {

namespace {

/// An inheritable copy of standard handle `which`, for the program; null if there is none.
HANDLE inheritable_std_handle(DWORD which) {
  HANDLE handle = GetStdHandle(which);
  HANDLE copy = nullptr;
  if (handle == nullptr || handle == INVALID_HANDLE_VALUE ||
      !DuplicateHandle(GetCurrentProcess(), handle, GetCurrentProcess(), &copy, 0, TRUE,
                       DUPLICATE_SAME_ACCESS))
    return nullptr;
  return copy;
}

/// Removes `files` from `directory`, then `directory`, trying each file
/// `attempts` times: the image of a program that has just ended can stay
/// locked a moment.
void remove_directory(const std::string& directory, const std::vector<std::string>& files,
                      int attempts = 20) {
  for (const std::string& file : files) {
    const std::wstring path = widen(join_path(directory, file));
    for (int attempt = 0; attempt < attempts; ++attempt) {
      if (DeleteFileW(path.c_str()) || GetLastError() == ERROR_FILE_NOT_FOUND) break;
      Sleep(10);
    }
  }
  RemoveDirectoryW(widen(directory).c_str());
}

/// Whether a process of `job` still runs.
bool job_has_processes(HANDLE job) {
  JOBOBJECT_BASIC_ACCOUNTING_INFORMATION accounting = {};
  return QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &accounting,
                                   sizeof accounting, nullptr) &&
         accounting.ActiveProcesses > 0;
}

/// Sets the job's KILL_ON_JOB_CLOSE, or clears it.
bool set_kill_on_close(HANDLE job, bool on) {
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits = {};
  limits.BasicLimitInformation.LimitFlags = on ? JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE : 0;
  return SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
}

}  // namespace

int run_supervised(const std::vector<std::string>& argv, const std::string& cleanup,
                   const std::vector<std::string>& files) {
  HANDLE job = CreateJobObjectW(nullptr, nullptr);
  if (job == nullptr || !set_kill_on_close(job, true)) {
    std::fprintf(stderr, "Error: cannot run '%s': %s\n", argv[0].c_str(),
                 describe_error(GetLastError()).c_str());
    if (job) CloseHandle(job);
    remove_directory(cleanup, files);
    return 1;
  }
  STARTUPINFOW startup = {};
  startup.cb = sizeof startup;
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = inheritable_std_handle(STD_INPUT_HANDLE);
  startup.hStdOutput = inheritable_std_handle(STD_OUTPUT_HANDLE);
  startup.hStdError = inheritable_std_handle(STD_ERROR_HANDLE);
  std::fflush(nullptr);
  const std::wstring application = widen(argv[0]);
  std::wstring line = command_line(argv);
  PROCESS_INFORMATION process = {};
  // Suspended until it is in the job, so that nothing it starts escapes it.
  const BOOL started = CreateProcessW(application.c_str(), line.data(), nullptr, nullptr, TRUE,
                                      CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP, nullptr, nullptr,
                                      &startup, &process);
  const DWORD error = GetLastError();
  for (HANDLE handle : {startup.hStdInput, startup.hStdOutput, startup.hStdError}) {
    if (handle) CloseHandle(handle);
  }
  if (!started) {
    std::fprintf(stderr, "Error: cannot run '%s': %s\n", argv[0].c_str(),
                 describe_error(error).c_str());
    CloseHandle(job);
    remove_directory(cleanup, files);
    return 1;
  }
  if (!AssignProcessToJobObject(job, process.hProcess)) {
    // Without the job the program would outlive a killed `wyn run`.
    std::fprintf(stderr, "Error: cannot run '%s' in a job: %s\n", argv[0].c_str(),
                 describe_error(GetLastError()).c_str());
    TerminateProcess(process.hProcess, 1);
    WaitForSingleObject(process.hProcess, INFINITE);
    CloseHandle(process.hThread);
    CloseHandle(process.hProcess);
    CloseHandle(job);
    remove_directory(cleanup, files);
    return 1;
  }
  ResumeThread(process.hThread);
  CloseHandle(process.hThread);
  WaitForSingleObject(process.hProcess, INFINITE);
  DWORD code = 1;
  GetExitCodeProcess(process.hProcess, &code);
  CloseHandle(process.hProcess);
  // The program ended by itself: what it left running is left alone, as
  // the POSIX supervisor leaves the program's group once the program is gone.
  // Windows cannot delete the image of a running program, and what is left
  // may be the program's own image again (spawn_orphan): the executable
  // and its directory stay then, in the temporary directory.
  const bool left_running = job_has_processes(job);
  set_kill_on_close(job, false);
  CloseHandle(job);
  remove_directory(cleanup, files, left_running ? 1 : 20);
  // An exception's NTSTATUS (0xC0000005...) passes through as the exit status.
  return static_cast<int>(code);
}

}  // namespace wyn::standin
