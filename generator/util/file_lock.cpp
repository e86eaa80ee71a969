#include "util/file_lock.hpp"

#include <fcntl.h>
#include <unistd.h>
#ifdef _WIN32
#include <io.h>
#include <windows.h>

#include <filesystem>
#else
#include <sys/file.h>
#endif

#include <cerrno>

namespace wyn {

#ifdef _WIN32
// LockFileEx on the descriptor's handle: a lock of the open file, like
// flock, released when it is closed.
FileLock::FileLock(const std::string& path, Mode mode) {
  const std::wstring name = std::filesystem::u8path(path).wstring();
  m_fd = mode == Mode::shared
             ? ::_wopen(name.c_str(), O_RDONLY | O_BINARY | O_NOINHERIT)
             : ::_wopen(name.c_str(), O_RDWR | O_CREAT | O_BINARY | O_NOINHERIT, 0644);
  if (m_fd < 0) return;
  OVERLAPPED whole = {};
  const DWORD flags = mode == Mode::shared ? 0 : LOCKFILE_EXCLUSIVE_LOCK;
  if (!::LockFileEx(reinterpret_cast<HANDLE>(::_get_osfhandle(m_fd)), flags, 0, MAXDWORD, MAXDWORD,
                    &whole)) {
    ::close(m_fd);
    m_fd = -1;
  }
}
#else

FileLock::FileLock(const std::string& path, Mode mode) {
  // A reader creates nothing and needs no write access (a read-only cache).
  m_fd = mode == Mode::shared ? ::open(path.c_str(), O_RDONLY | O_CLOEXEC)
                              : ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0) return;
  while (::flock(m_fd, mode == Mode::shared ? LOCK_SH : LOCK_EX) != 0) {
    if (errno != EINTR) {
      ::close(m_fd);
      m_fd = -1;
      return;
    }
  }
}
#endif

FileLock::~FileLock() {
  if (m_fd >= 0) ::close(m_fd);  // closing releases the lock
}

}  // namespace wyn
