#include "report/rerun.hpp"

#include <unistd.h>

#include <cstdlib>
#include <vector>

#include "process/subprocess.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

/// The most recently written LastTestsFailed*.log (the one CTest reads), or "".
std::string newest_failed_log(const std::string& dir) {
  std::string newest;
  double newest_time = -1;
  std::vector<std::string> names;
  if (!list_directory(dir, names)) return newest;
  for (const std::string& name : names) {
    if (name.rfind("LastTestsFailed", 0) != 0) continue;
    const double t = mtime_of(dir + "/" + name);
    if (t < 0) continue;
    if (t > newest_time) newest_time = t, newest = dir + "/" + name;
  }
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
  // Where the parent's command line cannot be read (Windows), the failed
  // tests keep the numbers of the earlier run.
  const ParentCommand ctest = parent_command();
  bool rerun = false;
  for (const std::string& arg : ctest.argv) rerun = rerun || arg == "--rerun-failed";
  if (!rerun) return;
  const std::string log_path = newest_failed_log(build_dir + "/Testing/Temporary");
  if (log_path.empty()) return;

  SpawnOptions options;
  options.argv = {ctest.program, "--test-dir", build_dir, "--show-only=json-v1"};
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
}

}  // namespace wyn
