#pragma once
// Helpers of the Windows tests: a scratch directory, the helper child, and
// whether a process is gone.

#include <windows.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace wyn_test {

/// The helper child (tests/windows/helpers/win_child.c).
inline std::string child_path() { return WYN_WIN_CHILD; }

/// A fresh directory under the system's temporary one, removed at the end.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    m_path = std::filesystem::temp_directory_path() /
             ("wyn-win-test-" + std::to_string(::GetCurrentProcessId()) + "-" +
              std::to_string(counter++));
    std::filesystem::remove_all(m_path);
    std::filesystem::create_directories(m_path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string path() const { return m_path.u8string(); }
  std::string path(const std::string& name) const { return (m_path / name).u8string(); }

 private:
  std::filesystem::path m_path;
};

inline std::string read_text(const std::string& path) {
  std::ifstream in(std::filesystem::u8path(path), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The process id a helper wrote to `path` (line `index`), 0 if none.
inline unsigned long read_pid(const std::string& path, int index = 0) {
  unsigned long pid = 0;
  std::ifstream in(std::filesystem::u8path(path));
  for (int i = 0; i <= index; ++i) {
    pid = 0;
    in >> pid;
  }
  return pid;
}

/// Running under Wine rather than Windows.
inline bool under_wine() {
  HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

/// True once process `pid` has ended (waiting up to `seconds` for it). A
/// survivor is killed, so that the test fails instead of leaving it
/// running (under Wine it would hold CTest's pipe until the timeout).
inline bool is_gone(unsigned long pid, double seconds = 5) {
  HANDLE process = ::OpenProcess(SYNCHRONIZE | PROCESS_TERMINATE, FALSE, static_cast<DWORD>(pid));
  if (process == nullptr) return true;
  bool gone = ::WaitForSingleObject(process, static_cast<DWORD>(seconds * 1000)) == WAIT_OBJECT_0;
  if (!gone) ::TerminateProcess(process, 1);
  ::CloseHandle(process);
  return gone;
}

}  // namespace wyn_test
