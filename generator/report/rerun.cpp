#include "report/rerun.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "process/subprocess.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

#ifdef __linux__

/// The argv of process `pid`, from /proc.
std::vector<std::string> command_line(pid_t pid) {
  std::string raw;
  std::vector<std::string> args;
  if (!try_read_file("/proc/" + std::to_string(pid) + "/cmdline", raw)) return args;
  size_t start = 0;
  for (size_t nul; (nul = raw.find('\0', start)) != std::string::npos; start = nul + 1)
    args.push_back(raw.substr(start, nul - start));
  return args;
}

std::string executable_of(pid_t pid, const std::vector<std::string>&) {
  char buffer[4096];
  const ssize_t n =
      ::readlink(("/proc/" + std::to_string(pid) + "/exe").c_str(), buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, n) : std::string();
}

#else

/// The argv of process `pid` as ps(1) shows it (macOS and the BSDs have no
/// /proc; ps is part of their base system). Arguments are split at blanks,
/// which is enough to see `--rerun-failed`.
std::vector<std::string> command_line(pid_t pid) {
  std::vector<std::string> args;
  char scratch[] = "/tmp/wyn-report-ps-XXXXXX";
  const int fd = ::mkstemp(scratch);
  if (fd < 0) return args;
  ::close(fd);
  SpawnOptions options;
  options.argv = {"ps", "-o", "args=", "-p", std::to_string(pid)};
  options.env = current_environment();
  options.stdout_path = scratch;
  options.timeout_seconds = 30;
  const ProcessResult result = run_process(options);
  std::string raw;
  if (result.started && result.exit_code == 0 && try_read_file(scratch, raw)) {
    size_t start = 0;
    while ((start = raw.find_first_not_of(" \t\n", start)) != std::string::npos) {
      const size_t end = raw.find_first_of(" \t\n", start);
      args.push_back(raw.substr(start, end - start));
      start = end;
    }
  }
  ::unlink(scratch);
  return args;
}

/// ctest's argv[0]: a bare name is searched in PATH by run_process, a
/// relative path is relative to the directory ctest runs this hook in.
std::string executable_of(pid_t, const std::vector<std::string>& args) {
  return args.empty() ? std::string() : args[0];
}

#endif

/// The most recently written LastTestsFailed*.log (the one CTest reads), or "".
std::string newest_failed_log(const std::string& dir) {
  std::string newest;
  double newest_time = -1;
  DIR* handle = ::opendir(dir.c_str());
  if (!handle) return newest;
  while (const dirent* entry = ::readdir(handle)) {
    const std::string name = entry->d_name;
    if (name.rfind("LastTestsFailed", 0) != 0) continue;
    const double t = mtime_of(dir + "/" + name);
    if (t < 0) continue;
    if (t > newest_time) newest_time = t, newest = dir + "/" + name;
  }
  ::closedir(handle);
  return newest;
}

}  // namespace

std::string renumber_failed_log(std::string_view log, const std::map<std::string, int>& index_of) {
  std::string out;
  for (const std::string& line : split_lines(log)) {
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    const auto it = index_of.find(line.substr(colon + 1));
    if (it != index_of.end()) out += std::to_string(it->second) + ":" + it->first + "\n";
  }
  return out.empty() ? "0:-\n" : out;
}

std::map<std::string, int> test_numbers(const nlohmann::json& listing) {
  std::map<std::string, int> numbers;
  int number = 0;
  for (const nlohmann::json& test : listing.value("tests", nlohmann::json::array()))
    numbers.emplace(test.value("name", ""), ++number);
  return numbers;
}

void renumber_rerun_failed(const std::string& build_dir, const std::string& scratch_dir,
                           const std::string& nested_env) {
#ifdef _WIN32
  // ctest's command line is not readable there without the native API:
  // the failed tests keep the numbers of the earlier run.
  (void)build_dir;
  (void)scratch_dir;
  (void)nested_env;
  return;
#else
  const pid_t ctest = ::getppid();
  const std::vector<std::string> ctest_args = command_line(ctest);
  bool rerun = false;
  for (const std::string& arg : ctest_args) rerun = rerun || arg == "--rerun-failed";
  const std::string log_path = newest_failed_log(build_dir + "/Testing/Temporary");
  if (!rerun || log_path.empty()) return;

  SpawnOptions options;
  options.argv = {executable_of(ctest, ctest_args), "--test-dir", build_dir, "--show-only=json-v1"};
  options.env = current_environment();
  options.env.push_back(nested_env);
  options.capture = CaptureMode::split;
  options.stdout_path = scratch_dir + "/.listing.json";
  options.stderr_path = scratch_dir + "/.listing.err";
  options.timeout_seconds = 300;
  const ProcessResult result = run_process(options);
  if (!result.started || result.exit_code != 0)
    throw Error("listing the tests for --rerun-failed failed: " +
                (result.started ? "ctest exited with " + std::to_string(result.exit_code)
                                : result.spawn_error));
  const auto numbers = test_numbers(read_json_file(options.stdout_path));
  ::unlink(options.stdout_path.c_str());
  ::unlink(options.stderr_path.c_str());
  write_file_atomic(log_path, renumber_failed_log(read_file(log_path), numbers));
#endif
}

}  // namespace wyn
