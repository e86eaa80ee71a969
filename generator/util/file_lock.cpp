#include "util/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

namespace wyn {

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

FileLock::~FileLock() {
  if (m_fd >= 0) ::close(m_fd);  // closing releases the lock
}

}  // namespace wyn
