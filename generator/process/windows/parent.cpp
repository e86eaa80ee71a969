// The Windows backend's interrupts: Ctrl+C, Ctrl+Break and the closing of
// the console reach a console program as control events, not signals. An
// InterruptGuard catches them (SetConsoleCtrlHandler) and sets an event that
// run_process waits on; they are reported as SIGINT, SIGINT and SIGHUP. The
// death of the parent (ctest) is noticed by a thread waiting on its process
// handle, and delivered the same way.

#include <windows.h>
// After windows.h, which it needs.
#include <tlhelp32.h>

#include <atomic>
#include <csignal>
#include <stdexcept>
#include <thread>

#include "process/subprocess_detail.hpp"

namespace wyn {
namespace {

std::atomic<bool> g_guard_exists{false};
std::atomic<int> g_first_signal{0};
/// The last signal not yet taken by run_process; 0 when none.
std::atomic<int> g_pending{0};
std::atomic<HANDLE> g_event{nullptr};

void deliver(int signal) {
  int expected = 0;
  g_first_signal.compare_exchange_strong(expected, signal);
  g_pending = signal;
  if (HANDLE event = g_event.load()) ::SetEvent(event);
}

BOOL WINAPI on_console_event(DWORD type) {
  switch (type) {
    case CTRL_C_EVENT:
    case CTRL_BREAK_EVENT:
      deliver(SIGINT);
      return TRUE;
    case CTRL_CLOSE_EVENT:
      deliver(SIGHUP);
      // The process ends when this returns: give run_process a moment to
      // terminate the job and record the interruption.
      ::Sleep(2000);
      return TRUE;
  }
  return FALSE;
}

/// The parent's process id, from a snapshot of the process list.
DWORD parent_pid() {
  HANDLE snapshot = ::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
  if (snapshot == INVALID_HANDLE_VALUE) return 0;
  PROCESSENTRY32W entry = {};
  entry.dwSize = sizeof entry;
  DWORD self = ::GetCurrentProcessId();
  DWORD parent = 0;
  for (BOOL ok = ::Process32FirstW(snapshot, &entry); ok; ok = ::Process32NextW(snapshot, &entry)) {
    if (entry.th32ProcessID == self) {
      parent = entry.th32ParentProcessID;
      break;
    }
  }
  ::CloseHandle(snapshot);
  return parent;
}

}  // namespace

InterruptGuard::InterruptGuard() {
  bool expected = false;
  if (!g_guard_exists.compare_exchange_strong(expected, true))
    throw std::logic_error("wyn::InterruptGuard: another guard is alive");
  g_first_signal = 0;
  g_pending = 0;
  g_event = ::CreateEventW(nullptr, FALSE, FALSE, nullptr);
  ::SetConsoleCtrlHandler(on_console_event, TRUE);
}

InterruptGuard::~InterruptGuard() {
  ::SetConsoleCtrlHandler(on_console_event, FALSE);
  HANDLE event = g_event.exchange(nullptr);
  if (event != nullptr) ::CloseHandle(event);
  g_guard_exists = false;
}

int InterruptGuard::received() { return g_first_signal.load(); }

namespace detail {

void* interrupt_event() { return g_event.load(); }

int take_interrupt() { return g_pending.exchange(0); }

}  // namespace detail

// Every process a test starts is in its job already: nothing to adopt.
bool become_subreaper() { return false; }

void signal_on_parent_death(int signal) {
  // A parent that is gone already, or is no Windows process (a program
  // Wine started from Linux has none), cannot be watched: its death goes
  // unnoticed, as docs/guarantees.md says.
  DWORD parent = parent_pid();
  HANDLE process = parent == 0 ? nullptr : ::OpenProcess(SYNCHRONIZE, FALSE, parent);
  if (process == nullptr) return;
  std::thread([process, signal] {
    ::WaitForSingleObject(process, INFINITE);
    ::CloseHandle(process);
    deliver(signal);
  }).detach();
}

ParentCommand parent_command() {
  // Another process's command line is not readable without the native API.
  return {};
}

const char* process_backend() { return "windows"; }

}  // namespace wyn
