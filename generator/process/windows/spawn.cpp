// The Windows backend's spawning and supervision: CreateProcessW from an argv
// vector quoted for CommandLineToArgvW, the child created suspended and put
// in a Job Object of its own before it runs a single instruction, so that
// everything it starts is in the job too: the timeout, the output limit and
// an interrupt terminate the job (the whole tree at once), and the job's
// KILL_ON_JOB_CLOSE kills the tree when the harness dies, however it dies.
// Anonymous pipes have no overlapped I/O, so each captured stream is read by
// a thread of its own and the supervising thread waits on the process, the
// interrupt event and the output-limit event.

#include <windows.h>
// After windows.h, which it needs.
#include <psapi.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cwctype>
#include <mutex>
#include <vector>

#include "process/subprocess_detail.hpp"
#include "util/hash.hpp"

namespace wyn {

namespace detail {

std::wstring widen(std::string_view text) {
  if (text.empty()) return std::wstring();
  int size =
      ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr, 0);
  std::wstring wide(static_cast<size_t>(size), L'\0');
  ::MultiByteToWideChar(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), wide.data(), size);
  return wide;
}

std::string narrow(std::wstring_view text) {
  if (text.empty()) return std::string();
  int size = ::WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), nullptr,
                                   0, nullptr, nullptr);
  std::string utf8(static_cast<size_t>(size), '\0');
  ::WideCharToMultiByte(CP_UTF8, 0, text.data(), static_cast<int>(text.size()), utf8.data(), size,
                        nullptr, nullptr);
  return utf8;
}

std::wstring quote_argument(std::wstring_view arg) {
  // Quotes only when needed: a program that reads its command line itself
  // (cmd.exe) sees the same text a POSIX shell user would have typed.
  if (!arg.empty() && arg.find_first_of(L" \t\n\v\"") == std::wstring_view::npos)
    return std::wstring(arg);
  // Backslashes are literal except before a quote, where 2n of them stand
  // for n; so those before an inner quote, and those before the closing
  // one, are doubled.
  std::wstring quoted = L"\"";
  size_t backslashes = 0;
  for (wchar_t c : arg) {
    if (c == L'\\') {
      ++backslashes;
      continue;
    }
    if (c == L'"') {
      quoted.append(backslashes * 2 + 1, L'\\');
    } else {
      quoted.append(backslashes, L'\\');
    }
    backslashes = 0;
    quoted.push_back(c);
  }
  quoted.append(backslashes * 2, L'\\');
  quoted.push_back(L'"');
  return quoted;
}

std::wstring command_line(const std::vector<std::string>& argv) {
  std::wstring line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line.push_back(L' ');
    line += quote_argument(widen(arg));
  }
  return line;
}

std::string describe_win32_error(unsigned long code) {
  wchar_t* text = nullptr;
  DWORD n = ::FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<wchar_t*>(&text), 0, nullptr);
  std::string message = n > 0 ? narrow(std::wstring_view(text, n)) : "unknown error";
  if (text != nullptr) ::LocalFree(text);
  while (!message.empty() && (message.back() == '\n' || message.back() == '\r' ||
                              message.back() == ' ' || message.back() == '.'))
    message.pop_back();
  return message + " (Win32 error " + std::to_string(code) + ")";
}

std::string describe_errno(int err) {
  return std::string(std::strerror(err)) + " (errno " + std::to_string(err) + ")";
}

// The POSIX hooks of the shared interface have nothing to do here.
void set_pidfd_disabled(bool) {}

namespace {

/// Owns one HANDLE; INVALID_HANDLE_VALUE and nullptr both mean none.
class UniqueHandle {
 public:
  UniqueHandle() = default;
  explicit UniqueHandle(HANDLE handle) : m_handle(handle) {}
  UniqueHandle(UniqueHandle&& other) noexcept : m_handle(other.release()) {}
  UniqueHandle& operator=(UniqueHandle&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueHandle(const UniqueHandle&) = delete;
  UniqueHandle& operator=(const UniqueHandle&) = delete;
  ~UniqueHandle() { reset(); }

  HANDLE get() const { return m_handle; }
  bool valid() const { return m_handle != nullptr && m_handle != INVALID_HANDLE_VALUE; }
  HANDLE release() {
    HANDLE h = m_handle;
    m_handle = nullptr;
    return h;
  }
  void reset(HANDLE handle = nullptr) {
    if (valid()) ::CloseHandle(m_handle);
    m_handle = handle;
  }

 private:
  HANDLE m_handle = nullptr;
};

double monotonic_seconds() {
  using clock = std::chrono::steady_clock;
  return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}

double non_negative(double seconds) { return std::isfinite(seconds) && seconds > 0 ? seconds : 0; }

DWORD wait_ms(double seconds) {
  if (!std::isfinite(seconds)) return INFINITE;
  double ms = std::ceil(std::max(seconds, 0.0) * 1000);
  return ms > 86'400'000 ? 86'400'000 : static_cast<DWORD>(ms);
}

/// errno for the Win32 errors a spawn step reports, for spawn_errno.
int errno_of(DWORD code) {
  switch (code) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE:
      return ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_SHARING_VIOLATION:
      return EACCES;
    case ERROR_BAD_EXE_FORMAT:
    case ERROR_EXE_MACHINE_TYPE_MISMATCH:
      return ENOEXEC;
    case ERROR_DIRECTORY:
      return ENOTDIR;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY:
    case ERROR_COMMITMENT_LIMIT:
      return ENOMEM;
    case ERROR_NO_SYSTEM_RESOURCES:
    case ERROR_TOO_MANY_OPEN_FILES:
      return EAGAIN;
  }
  return EINVAL;
}

bool has_separator(const std::string& path) {
  return path.find_first_of("/\\") != std::string::npos || (path.size() >= 2 && path[1] == ':');
}

bool is_file(const std::wstring& path) {
  DWORD attributes = ::GetFileAttributesW(path.c_str());
  return attributes != INVALID_FILE_ATTRIBUTES && !(attributes & FILE_ATTRIBUTE_DIRECTORY);
}

/// `path` made absolute against the working directory (GetFullPathNameW);
/// as it is when that fails.
std::wstring full_path(const std::wstring& path) {
  DWORD size = ::GetFullPathNameW(path.c_str(), 0, nullptr, nullptr);
  if (size == 0) return path;
  std::wstring full(size, L'\0');
  size = ::GetFullPathNameW(path.c_str(), size, full.data(), nullptr);
  full.resize(size);
  return full;
}

/// `path` itself if it is a file, else with .exe or .com appended, as
/// CreateProcess and cmd.exe find programs; "" if none exists.
std::wstring with_extension(const std::wstring& path) {
  if (is_file(path)) return path;
  for (const wchar_t* ext : {L".exe", L".com"}) {
    if (is_file(path + ext)) return path + ext;
  }
  return std::wstring();
}

/// The program file for argv[0]: a path (relative to the caller's working
/// directory, like every path in SpawnOptions), or a name searched in the
/// PATH of the child's environment. "" when nothing was found.
std::wstring find_program(const SpawnOptions& options) {
  const std::string& program = options.argv[0];
  if (has_separator(program)) {
    return with_extension(full_path(widen(program)));
  }
  std::string search;
  for (const std::string& entry : options.env) {
    if (entry.size() > 5 && _strnicmp(entry.c_str(), "PATH=", 5) == 0) search = entry.substr(5);
  }
  size_t begin = 0;
  while (begin <= search.size()) {
    size_t end = search.find(';', begin);
    if (end == std::string::npos) end = search.size();
    std::string dir = search.substr(begin, end - begin);
    if (!dir.empty()) {
      std::wstring found = with_extension(widen(dir + "\\" + program));
      if (!found.empty()) return found;
    }
    begin = end + 1;
  }
  return std::wstring();
}

/// The environment block: "NAME=value" entries, sorted by name without
/// regard to case as Windows expects, each ended by a NUL, and one more.
std::wstring environment_block(const std::vector<std::string>& env) {
  std::vector<std::wstring> entries;
  for (const std::string& entry : env) entries.push_back(widen(entry));
  auto name_of = [](const std::wstring& entry) {
    // "=C:=C:\dir" entries (the working directory per drive) start with '='.
    size_t eq = entry.find(L'=', 1);
    return entry.substr(0, eq);
  };
  std::stable_sort(entries.begin(), entries.end(),
                   [&](const std::wstring& a, const std::wstring& b) {
                     return _wcsicmp(name_of(a).c_str(), name_of(b).c_str()) < 0;
                   });
  std::wstring block;
  for (const std::wstring& entry : entries) {
    block += entry;
    block.push_back(L'\0');
  }
  block.push_back(L'\0');
  if (entries.empty()) block.push_back(L'\0');
  return block;
}

struct Failure {
  DWORD code = 0;
  std::string message;
};

Failure fail_with(DWORD code, const std::string& what) {
  return Failure{code == 0 ? ERROR_GEN_FAILURE : code, what + ": " + describe_win32_error(code)};
}

UniqueHandle open_inheritable(const std::wstring& path, DWORD access, DWORD disposition) {
  SECURITY_ATTRIBUTES sa = {sizeof sa, nullptr, TRUE};
  return UniqueHandle(::CreateFileW(path.c_str(), access,
                                    FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa,
                                    disposition, FILE_ATTRIBUTE_NORMAL, nullptr));
}

UniqueHandle open_capture(const std::string& path, Failure& failure) {
  if (path.empty()) return UniqueHandle();
  UniqueHandle file(::CreateFileW(widen(path).c_str(), GENERIC_WRITE,
                                  FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr, CREATE_ALWAYS,
                                  FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file.valid())
    failure = fail_with(::GetLastError(), "cannot open output file '" + path + "'");
  return file;
}

/// A pipe whose write end the child inherits and whose read end it does not.
bool make_pipe(UniqueHandle& read_end, UniqueHandle& write_end, Failure& failure) {
  HANDLE r = nullptr, w = nullptr;
  if (!::CreatePipe(&r, &w, nullptr, 64 * 1024)) {
    failure = fail_with(::GetLastError(), "cannot create pipe");
    return false;
  }
  read_end.reset(r);
  write_end.reset(w);
  ::SetHandleInformation(w, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
  return true;
}

/// The job's limits: the tree dies with the last handle to the job (the
/// harness's), an unhandled exception ends the process instead of opening
/// an error-reporting dialog, and the memory and CPU limits asked for.
bool configure_job(HANDLE job, const ResourceLimits& limits, Failure& failure) {
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION info = {};
  DWORD flags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
  if (limits.address_space_bytes != 0) {
    flags |= JOB_OBJECT_LIMIT_PROCESS_MEMORY;
    info.ProcessMemoryLimit = static_cast<SIZE_T>(limits.address_space_bytes);
  }
  if (limits.cpu_seconds != 0) {
    flags |= JOB_OBJECT_LIMIT_PROCESS_TIME;
    // In units of 100 ns.
    info.BasicLimitInformation.PerProcessUserTimeLimit.QuadPart =
        static_cast<LONGLONG>(limits.cpu_seconds) * 10'000'000;
  }
  info.BasicLimitInformation.LimitFlags = flags;
  if (!::SetInformationJobObject(job, JobObjectExtendedLimitInformation, &info, sizeof info)) {
    failure = fail_with(::GetLastError(), "cannot set the limits of the job object");
    return false;
  }
  return true;
}

/// A started child: process, job and the parent's ends of the pipes.
struct Child {
  UniqueHandle process;
  UniqueHandle job;
  UniqueHandle out_pipe;
  UniqueHandle err_pipe;
  UniqueHandle out_file;
  UniqueHandle err_file;
};

/// CreateProcessW of `program` with `argv` as its quoted command line, the
/// standard handles `in`, `out` and `err` (each inheritable or null) and no
/// other handle inherited, not whatever else the harness holds inheritable
/// at the moment (another thread's pipes); `env` null: this process's
/// environment; `cwd` empty: this process's directory. `flags` are added to
/// those this needs. False with the Windows error in `error`; true with `pi`
/// filled, whose process handle is null for a Linux program under Wine.
bool create_process(const std::wstring& program, const std::vector<std::string>& argv,
                    const std::wstring* env, const std::wstring& cwd, HANDLE in, HANDLE out,
                    HANDLE err, DWORD flags, PROCESS_INFORMATION& pi, DWORD& error) {
  std::vector<HANDLE> inherited;
  for (HANDLE h : {in, out, err})
    if (h != nullptr && std::find(inherited.begin(), inherited.end(), h) == inherited.end())
      inherited.push_back(h);
  SIZE_T attr_size = 0;
  ::InitializeProcThreadAttributeList(nullptr, 1, 0, &attr_size);
  std::vector<char> attr_buffer(attr_size);
  auto attrs = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(attr_buffer.data());
  const bool have_list =
      !inherited.empty() && ::InitializeProcThreadAttributeList(attrs, 1, 0, &attr_size) &&
      ::UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited.data(),
                                  inherited.size() * sizeof(HANDLE), nullptr, nullptr);
  STARTUPINFOEXW si = {};
  si.StartupInfo.cb = sizeof si;
  si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  si.StartupInfo.hStdInput = in;
  si.StartupInfo.hStdOutput = out;
  si.StartupInfo.hStdError = err;
  flags |= CREATE_UNICODE_ENVIRONMENT;
  if (have_list) {
    si.lpAttributeList = attrs;
    flags |= EXTENDED_STARTUPINFO_PRESENT;
  }
  std::wstring line = command_line(argv);
  // CreateProcessW only reads the block.
  void* block = env ? const_cast<wchar_t*>(env->data()) : nullptr;
  pi = {};
  const BOOL created =
      ::CreateProcessW(program.c_str(), line.data(), nullptr, nullptr, !inherited.empty(), flags,
                       block, cwd.empty() ? nullptr : cwd.c_str(), &si.StartupInfo, &pi);
  error = ::GetLastError();
  if (have_list) ::DeleteProcThreadAttributeList(attrs);
  return created != 0;
}

bool spawn_once(const SpawnOptions& options, const std::wstring& program, Child& child,
                Failure& failure) {
  bool merged = options.capture == CaptureMode::merged;
  std::wstring stdin_name = options.stdin_path.empty() ? L"NUL" : widen(options.stdin_path);
  UniqueHandle stdin_handle = open_inheritable(stdin_name, GENERIC_READ, OPEN_EXISTING);
  if (!stdin_handle.valid()) {
    failure =
        fail_with(::GetLastError(),
                  "cannot open stdin file '" +
                      (options.stdin_path.empty() ? std::string("NUL") : options.stdin_path) + "'");
    return false;
  }
  UniqueHandle out_file = open_capture(options.stdout_path, failure);
  if (failure.code != 0) return false;
  UniqueHandle err_file = merged ? UniqueHandle() : open_capture(options.stderr_path, failure);
  if (failure.code != 0) return false;

  UniqueHandle out_read, out_write, err_read, err_write;
  if (!make_pipe(out_read, out_write, failure)) return false;
  if (!merged && !make_pipe(err_read, err_write, failure)) return false;

  UniqueHandle job(::CreateJobObjectW(nullptr, nullptr));
  if (!job.valid()) {
    failure = fail_with(::GetLastError(), "cannot create a job object");
    return false;
  }
  if (!configure_job(job.get(), options.limits, failure)) return false;

  const std::wstring env = environment_block(options.env);
  const std::wstring cwd = widen(options.cwd);
  PROCESS_INFORMATION pi = {};
  DWORD create_error = 0;
  const bool created = create_process(program, options.argv, &env, cwd, stdin_handle.get(),
                                      out_write.get(), merged ? out_write.get() : err_write.get(),
                                      CREATE_SUSPENDED | CREATE_NO_WINDOW, pi, create_error);
  if (!created) {
    if (!cwd.empty() && (create_error == ERROR_DIRECTORY ||
                         ::GetFileAttributesW(cwd.c_str()) == INVALID_FILE_ATTRIBUTES))
      failure = fail_with(create_error == ERROR_DIRECTORY ? ERROR_PATH_NOT_FOUND : create_error,
                          "cannot change directory to '" + options.cwd + "'");
    else
      failure = fail_with(create_error, "cannot execute '" + options.argv[0] + "'");
    return false;
  }
  if (!pi.hProcess) {
    // Wine starts a Linux program asked for this way, but outside the job
    // and with no handle: nothing could wait for it, limit it or learn how
    // it ended, so no verdict could rest on it.
    failure = fail_with(ERROR_BAD_EXE_FORMAT, "cannot execute '" + options.argv[0] +
                                                  "': not a Windows program (Wine started it "
                                                  "unsupervised, with no process handle)");
    return false;
  }
  UniqueHandle process(pi.hProcess);
  UniqueHandle thread(pi.hThread);
  // Suspended until it is in the job: nothing it starts can escape.
  if (!::AssignProcessToJobObject(job.get(), process.get())) {
    DWORD err = ::GetLastError();
    ::TerminateProcess(process.get(), 1);
    ::WaitForSingleObject(process.get(), INFINITE);
    failure = fail_with(err, "cannot put the child into its job object");
    return false;
  }
  if (::ResumeThread(thread.get()) == static_cast<DWORD>(-1)) {
    DWORD err = ::GetLastError();
    ::TerminateJobObject(job.get(), 1);
    failure = fail_with(err, "cannot start the child's thread");
    return false;
  }
  child.process = std::move(process);
  child.job = std::move(job);
  child.out_pipe = std::move(out_read);
  child.err_pipe = std::move(err_read);
  child.out_file = std::move(out_file);
  child.err_file = std::move(err_file);
  // Our copies of the write ends close here: the pipes reach EOF once every
  // process holding them has exited.
  return true;
}

bool is_transient(DWORD code) {
  return code == ERROR_NOT_ENOUGH_MEMORY || code == ERROR_OUTOFMEMORY ||
         code == ERROR_NO_SYSTEM_RESOURCES || code == ERROR_TOO_MANY_OPEN_FILES ||
         code == ERROR_COMMITMENT_LIMIT;
}

bool start_child(const SpawnOptions& options, Child& child, ProcessResult& result) {
  auto refuse = [&](int err, const std::string& message) {
    result.spawn_errno = err;
    result.spawn_error = message;
    return false;
  };
  if (options.argv.empty() || options.argv[0].empty())
    return refuse(EINVAL, "cannot execute: empty argv");
  for (const std::vector<std::string>* strings : {&options.argv, &options.env}) {
    for (const std::string& s : *strings) {
      if (s.find('\0') != std::string::npos)
        return refuse(EINVAL,
                      "cannot execute '" + options.argv[0] + "': an argument contains a NUL byte");
    }
  }
  std::wstring program = find_program(options);
  if (program.empty()) {
    return refuse(ENOENT, "cannot execute '" + options.argv[0] +
                              "': " + describe_win32_error(ERROR_FILE_NOT_FOUND));
  }
  // A crash ends the child; no dialog waits for a click that never comes.
  // The error mode is inherited by the children.
  ::SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX | SEM_NOOPENFILEERRORBOX);
  int attempts = options.spawn_attempts < 1 ? 1 : options.spawn_attempts;
  DWORD backoff_ms = 10;
  for (int attempt = 1;; ++attempt) {
    Failure failure;
    if (spawn_once(options, program, child, failure)) return true;
    if (attempt >= attempts || !is_transient(failure.code))
      return refuse(errno_of(failure.code), failure.message);
    ::Sleep(backoff_ms);
    backoff_ms *= 2;
  }
}

/// One captured stream, read by a thread of its own until EOF: stored up
/// to the capture limit, counted and hashed in full.
class Stream {
 public:
  Stream(UniqueHandle pipe, UniqueHandle file, uint64_t limit, uint64_t stop_after,
         StreamCapture& capture, HANDLE over_limit_event)
      : m_pipe(std::move(pipe)),
        m_file(std::move(file)),
        m_limit(limit),
        m_stop_after(stop_after),
        m_capture(capture),
        m_over_limit_event(over_limit_event),
        m_done(::CreateEventW(nullptr, TRUE, FALSE, nullptr)) {}

  ~Stream() { join(); }

  void start() {
    if (m_pipe.valid())
      m_thread.reset(::CreateThread(nullptr, 64 * 1024, &Stream::thread_main, this, 0, nullptr));
    if (!m_thread.valid()) {
      m_pipe.reset();
      ::SetEvent(m_done.get());
    }
  }

  /// Set once the pipe reached EOF (or was given up).
  HANDLE done_event() const { return m_done.get(); }
  bool done() const { return ::WaitForSingleObject(m_done.get(), 0) == WAIT_OBJECT_0; }
  bool over_limit() const { return m_over_limit.load(); }

  /// Stops a read that a process outside the job keeps blocked.
  void cancel() {
    if (m_thread.valid() && !done()) {
      m_cancelled = true;
      ::CancelSynchronousIo(m_thread.get());
    }
  }

  void join() {
    if (m_thread.valid()) ::WaitForSingleObject(m_thread.get(), INFINITE);
    m_thread.reset();
  }

  void finish() {
    join();
    m_capture.fnv1a64 = m_hash.hex();
    m_pipe.reset();
    m_file.reset();
  }

 private:
  static DWORD WINAPI thread_main(void* self) {
    static_cast<Stream*>(self)->read_all();
    return 0;
  }

  void read_all() {
    std::vector<char> buffer(64 * 1024);
    while (!m_cancelled) {
      DWORD n = 0;
      if (!::ReadFile(m_pipe.get(), buffer.data(), static_cast<DWORD>(buffer.size()), &n,
                      nullptr)) {
        // ERROR_BROKEN_PIPE is EOF; anything else ends the stream as well.
        break;
      }
      if (n == 0) continue;
      consume(buffer.data(), n);
    }
    ::SetEvent(m_done.get());
  }

  void consume(const char* data, size_t size) {
    m_capture.bytes_total += size;
    m_hash.update(std::string_view(data, size));
    if (m_stop_after != 0 && m_capture.bytes_total > m_stop_after && !m_over_limit.exchange(true))
      ::SetEvent(m_over_limit_event);
    if (!m_file.valid() || m_capture.bytes_stored >= m_limit) return;
    size_t room = static_cast<size_t>(std::min<uint64_t>(size, m_limit - m_capture.bytes_stored));
    while (room > 0) {
      DWORD written = 0;
      if (!::WriteFile(m_file.get(), data, static_cast<DWORD>(room), &written, nullptr) ||
          written == 0) {
        m_file.reset();  // disk full or the like: keep counting and hashing
        return;
      }
      m_capture.bytes_stored += written;
      data += written;
      room -= written;
    }
  }

  UniqueHandle m_pipe;
  UniqueHandle m_file;
  uint64_t m_limit;
  uint64_t m_stop_after;
  StreamCapture& m_capture;
  HANDLE m_over_limit_event;
  UniqueHandle m_done;
  std::atomic<bool> m_over_limit{false};
  std::atomic<bool> m_cancelled{false};
  Fnv1a64 m_hash;
  UniqueHandle m_thread;
};

double filetime_seconds(const FILETIME& t) {
  ULARGE_INTEGER v;
  v.LowPart = t.dwLowDateTime;
  v.HighPart = t.dwHighDateTime;
  return static_cast<double>(v.QuadPart) * 1e-7;
}

/// Exit code the job is terminated with, so that the main process's status
/// tells our termination from anything the test did.
constexpr UINT k_terminated_code = 0x5759'4E4B;  // "WYNK"
/// How long to wait for the job to empty after TerminateJobObject before
/// giving up on it, so that nothing a test does hangs the harness.
constexpr double k_kill_wait_seconds = 10;

class Supervisor {
 public:
  Supervisor(const SpawnOptions& options, Child& child, ProcessResult& result, double start)
      : m_options(options),
        m_child(child),
        m_result(result),
        m_start(start),
        m_over_limit(::CreateEventW(nullptr, TRUE, FALSE, nullptr)),
        m_out(std::move(child.out_pipe), std::move(child.out_file), options.capture_limit_bytes,
              options.output_limit_bytes, result.out, m_over_limit.get()),
        m_err(std::move(child.err_pipe), std::move(child.err_file), options.capture_limit_bytes,
              options.output_limit_bytes, result.err, m_over_limit.get()) {}

  void run() {
    m_out.start();
    m_err.start();
    watch();
    double now = monotonic_seconds();
    m_result.wall_seconds = (m_exited ? m_exit_time : now) - m_start;
    if (!m_exited) m_result.leaked = true;  // gave up on an unkillable child

    if (m_exited) drain(m_terminated ? now + non_negative(m_options.drain_seconds) : m_drain_until);
    bool pipes_held = !m_out.done() || !m_err.done();
    int live = live_job_processes(m_child.job.get());
    if (pipes_held || live != 0) {
      int killed = kill_job(m_child.job.get(), k_kill_wait_seconds);
      // After our own termination the tree is dying, not leaked; what still
      // holds the pipes then is outside the job.
      if (!m_terminated && killed > 0) {
        m_result.leaked = true;
        m_result.leaked_processes += killed;
      }
      if (pipes_held) m_result.leaked = true;
      drain(monotonic_seconds() + 1);
      m_out.cancel();
      m_err.cancel();
    }
    m_out.finish();
    m_err.finish();
    if (m_options.capture == CaptureMode::merged) m_result.err.fnv1a64.clear();
  }

 private:
  void watch() {
    const double timeout = non_negative(m_options.timeout_seconds);
    const double timeout_at = timeout > 0 ? m_start + timeout : HUGE_VAL;
    double give_up_at = HUGE_VAL;
    while (!m_exited) {
      double now = monotonic_seconds();
      if (now >= timeout_at && !m_result.timed_out) {
        m_result.timed_out = true;
        terminate(now, give_up_at);
      }
      if (now >= give_up_at) return;
      HANDLE handles[3];
      DWORD count = 0;
      handles[count++] = m_child.process.get();
      DWORD limit_index = count;
      handles[count++] = m_over_limit.get();
      DWORD interrupt_index = MAXDWORD;
      if (HANDLE event = static_cast<HANDLE>(interrupt_event())) {
        interrupt_index = count;
        handles[count++] = event;
      }
      double next = m_result.timed_out ? give_up_at : std::min(timeout_at, give_up_at);
      DWORD r = ::WaitForMultipleObjects(count, handles, FALSE, wait_ms(next - now));
      now = monotonic_seconds();
      if (r == WAIT_OBJECT_0) {
        on_exit(now);
      } else if (r == WAIT_OBJECT_0 + limit_index) {
        ::ResetEvent(m_over_limit.get());
        if (!m_result.output_limit_exceeded) {
          m_result.output_limit_exceeded = true;
          if (!m_terminated) terminate(now, give_up_at);
        }
      } else if (interrupt_index != MAXDWORD && r == WAIT_OBJECT_0 + interrupt_index) {
        while (int sig = take_interrupt()) {
          if (!m_result.interrupted) {
            m_result.interrupted = true;
            m_result.interrupt_signal = sig;
          }
        }
        if (m_result.interrupted && !m_terminated) terminate(now, give_up_at);
      } else if (r == WAIT_FAILED) {
        ::Sleep(1);
      }
    }
    // Output that passed the limit after the exit, or an interrupt then:
    // the clean-up kills what still writes.
    if (m_result.output_limit_exceeded || m_result.interrupted) m_drain_until = m_exit_time;
  }

  /// The whole tree at once: Windows has no signal a process could handle
  /// first, so there is no grace period.
  void terminate(double now, double& give_up_at) {
    ::TerminateJobObject(m_child.job.get(), k_terminated_code);
    m_terminated = true;
    m_result.sent_sigkill = true;
    give_up_at = now + k_kill_wait_seconds;
  }

  void on_exit(double now) {
    m_exited = true;
    m_exit_time = now;
    m_drain_until = m_result.interrupted ? now : now + non_negative(m_options.drain_seconds);
    DWORD code = 0;
    ::GetExitCodeProcess(m_child.process.get(), &code);
    if (m_terminated && code == k_terminated_code) {
      m_result.signal = SIGKILL;
    } else if (m_options.limits.cpu_seconds != 0 && code == ERROR_NOT_ENOUGH_QUOTA) {
      // How a job ends a process over its CPU time.
      m_result.signal = SIGXCPU;
    } else if (is_crash_status(code)) {
      m_result.signal = static_cast<int>(code);
    } else {
      m_result.exit_code = static_cast<int>(code);
    }
    FILETIME created, exited, kernel, user;
    if (::GetProcessTimes(m_child.process.get(), &created, &exited, &kernel, &user)) {
      m_result.user_seconds = filetime_seconds(user);
      m_result.system_seconds = filetime_seconds(kernel);
    }
    PROCESS_MEMORY_COUNTERS counters = {};
    counters.cb = sizeof counters;
    if (::K32GetProcessMemoryInfo(m_child.process.get(), &counters, sizeof counters))
      m_result.max_rss_kib = static_cast<long>(counters.PeakWorkingSetSize / 1024);
  }

  /// Waits until both streams reached EOF, or `until`.
  void drain(double until) {
    HANDLE events[2] = {m_out.done_event(), m_err.done_event()};
    ::WaitForMultipleObjects(2, events, TRUE, wait_ms(until - monotonic_seconds()));
  }

  const SpawnOptions& m_options;
  Child& m_child;
  ProcessResult& m_result;
  double m_start;
  UniqueHandle m_over_limit;
  Stream m_out;
  Stream m_err;
  bool m_exited = false;
  bool m_terminated = false;
  double m_exit_time = 0;
  double m_drain_until = HUGE_VAL;
};

}  // namespace

}  // namespace detail

ProcessResult run_process(const SpawnOptions& options) {
  ProcessResult result;
  double start = detail::monotonic_seconds();
  detail::Child child;
  if (!detail::start_child(options, child, result)) return result;
  result.started = true;
  detail::Supervisor(options, child, result, start).run();
  return result;
}

namespace {

/// The program file of run_and_wait and exec_program: `path` made absolute,
/// with .exe or .com appended when it names no file as it is.
std::wstring program_file(const std::string& path) {
  const std::wstring wide = detail::full_path(detail::widen(path));
  std::wstring found = detail::with_extension(wide);
  return found.empty() ? wide : found;
}

/// An inheritable duplicate of one of this process's standard handles
/// (which need not be inheritable themselves); none when it has none.
detail::UniqueHandle inheritable_std_handle(DWORD which) {
  HANDLE handle = ::GetStdHandle(which), copy = nullptr;
  if (handle == nullptr || handle == INVALID_HANDLE_VALUE) return detail::UniqueHandle();
  if (!::DuplicateHandle(::GetCurrentProcess(), handle, ::GetCurrentProcess(), &copy, 0, TRUE,
                         DUPLICATE_SAME_ACCESS))
    return detail::UniqueHandle();
  return detail::UniqueHandle(copy);
}

/// Starts `argv` with the given standard handles (each inheritable or
/// null) and waits for it; `env` null: this process's environment.
ChildExit start_and_wait(const std::vector<std::string>& argv, const std::wstring* env, HANDLE in,
                         HANDLE out, HANDLE err) {
  ChildExit result;
  if (argv.empty() || argv[0].empty()) {
    result.spawn_errno = EINVAL;
    return result;
  }
  // Without a console of ours (run_process starts its children so), a
  // console program would get a window of its own.
  const DWORD flags = ::GetConsoleWindow() == nullptr ? CREATE_NO_WINDOW : 0;
  PROCESS_INFORMATION pi = {};
  DWORD create_error = 0;
  if (!detail::create_process(program_file(argv[0]), argv, env, std::wstring(), in, out, err, flags,
                              pi, create_error)) {
    result.spawn_errno = detail::errno_of(create_error);
    return result;
  }
  if (!pi.hProcess) {
    // A Linux program under Wine: see spawn_once.
    result.spawn_errno = detail::errno_of(ERROR_BAD_EXE_FORMAT);
    return result;
  }
  detail::UniqueHandle process(pi.hProcess);
  detail::UniqueHandle thread(pi.hThread);
  result.started = true;
  DWORD code = 0;
  if (::WaitForSingleObject(process.get(), INFINITE) != WAIT_OBJECT_0 ||
      !::GetExitCodeProcess(process.get(), &code))
    return result;
  if (detail::is_crash_status(code))
    result.signal = static_cast<int>(code);
  else
    result.exit_code = static_cast<int>(code);
  return result;
}

}  // namespace

ChildExit run_and_wait(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                       const std::string& stderr_path) {
  SECURITY_ATTRIBUTES sa = {sizeof sa, nullptr, TRUE};
  detail::UniqueHandle err(::CreateFileW(detail::widen(stderr_path).c_str(), GENERIC_WRITE,
                                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                         &sa, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!err.valid()) {
    ChildExit result;
    result.spawn_errno = detail::errno_of(::GetLastError());
    return result;
  }
  const detail::UniqueHandle in = inheritable_std_handle(STD_INPUT_HANDLE);
  const detail::UniqueHandle out = inheritable_std_handle(STD_OUTPUT_HANDLE);
  const std::wstring block = detail::environment_block(env);
  return start_and_wait(argv, &block, in.get(), out.get(), err.get());
}

void exec_program(const std::vector<std::string>& argv) {
  const detail::UniqueHandle in = inheritable_std_handle(STD_INPUT_HANDLE);
  const detail::UniqueHandle out = inheritable_std_handle(STD_OUTPUT_HANDLE);
  const detail::UniqueHandle err = inheritable_std_handle(STD_ERROR_HANDLE);
  std::fflush(nullptr);
  const ChildExit result = start_and_wait(argv, nullptr, in.get(), out.get(), err.get());
  if (!result.started) {
    errno = result.spawn_errno;
    return;
  }
  // The status as the program left it, a crash's NTSTATUS code included.
  std::exit(result.signal != 0 ? result.signal : result.exit_code);
}

std::vector<std::string> current_environment() {
  std::vector<std::string> env;
  wchar_t* block = ::GetEnvironmentStringsW();
  if (block == nullptr) return env;
  for (const wchar_t* p = block; *p != L'\0'; p += wcslen(p) + 1) env.push_back(detail::narrow(p));
  ::FreeEnvironmentStringsW(block);
  return env;
}

}  // namespace wyn
