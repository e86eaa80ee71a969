#pragma once

#include <string>

namespace wyn {

/// A flock() on a file, released by the destructor. An exclusive lock
/// creates the file when it is missing; a shared one only opens it to read.
/// Locks belong to the open file, so two of them in one process exclude each
/// other like two processes do.
class FileLock {
 public:
  enum class Mode { shared, exclusive };
  explicit FileLock(const std::string& path, Mode mode = Mode::exclusive);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  bool held() const { return m_fd >= 0; }
  /// The locked file's descriptor, for reading and writing it in place; -1 unless held.
  int fd() const { return m_fd; }

 private:
  int m_fd = -1;
};

}  // namespace wyn
