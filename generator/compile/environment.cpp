#include "compile/environment.hpp"

#include <algorithm>
#include <string_view>

#include "process/subprocess.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

/// The value `name` has for the child: the first entry wins, as for getenv()
/// (whatever the case of the name on Windows, whose PATH is often "Path").
const std::string* env_value(const std::vector<std::string>& env, const std::string& name) {
  for (const std::string& entry : env)
    if (is_variable_entry(entry, name)) return &entry;
  return nullptr;
}

/// True when `entry` sets one of kCompilerEnvironment.
bool read_by_compiler(const std::string& entry) {
  return std::any_of(std::begin(kCompilerEnvironment), std::end(kCompilerEnvironment),
                     [&](const char* n) { return is_variable_entry(entry, n); });
}

}  // namespace

nlohmann::json compiler_environment(const std::vector<std::string>& env) {
  nlohmann::json values = nlohmann::json::object();
  for (const char* name : kCompilerEnvironment) {
    const std::string* entry = env_value(env, name);
    values[name] =
        entry ? nlohmann::json(entry->substr(std::string_view(name).size() + 1)) : nlohmann::json();
  }
  return values;
}

std::vector<std::string> captured_environment(const std::string& suite_dir) {
  const std::string path = suite_dir + "/compile.env";
  nlohmann::json captured;
  try {
    captured = read_json_file(path);
  } catch (const std::exception& e) {
    throw Error(std::string(e.what()) + " (re-run cmake to record the compiler's environment)");
  }
  std::vector<std::string> env;
  for (const std::string& entry : current_environment())
    if (!read_by_compiler(entry)) env.push_back(entry);
  for (const char* name : kCompilerEnvironment) {
    const auto value = captured.find(name);
    if (value != captured.end() && value->is_string())
      env.push_back(std::string(name) + "=" + value->get<std::string>());
  }
  return env;
}

int capture_environment(const std::string& suite_dir) {
  write_file_if_changed(suite_dir + "/compile.env",
                        dump_json(compiler_environment(current_environment())));
  return 0;
}

void erase_environment(std::vector<std::string>& env, const std::string& prefix) {
  env.erase(std::remove_if(env.begin(), env.end(),
                           [&](const std::string& e) { return e.rfind(prefix, 0) == 0; }),
            env.end());
}

}  // namespace wyn
