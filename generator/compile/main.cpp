// wyn-compile: the build step of one test, run by Ninja.
//
//   wyn-compile TEST_DIR
//
// Reads TEST_DIR/test.json, stages the source and the modules it imports into
// TEST_DIR/stage (so the compiler's by-products never land in the source
// tree and no two compiles share a file), runs the compiler there, and writes
// TEST_DIR/compile.json plus a depfile naming everything the result depends
// on. A compile error is an outcome recorded for the launcher, not a build
// failure, unless the suite asked for a strict build. Faults of the harness's
// own inputs (bad directives) do fail the build, like a syntax error would.

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "core/directives.hpp"
#include "core/fs.hpp"
#include "core/hash.hpp"
#include "core/json_io.hpp"
#include "core/record.hpp"
#include "core/subprocess.hpp"
#include "core/test_spec.hpp"
#include "core/text.hpp"

namespace wyn {
namespace {

constexpr size_t kDiagnosticsLimit = 64 * 1024;

/// Dependencies are listed in the depfile through symbolic links with plain
/// names inside TEST_DIR/deps: Ninja stats through a link, and no path from
/// the user's tree has to survive depfile quoting (which CMake's depfile
/// rewriting does not do faithfully for '#' or '$').
class DepLinks {
 public:
  explicit DepLinks(std::string dir) : m_dir(std::move(dir)) {
    remove_tree(m_dir);
    make_directories(m_dir);
  }
  void add(const std::string& name, const std::string& target) {
    replace_symlink(target, m_dir + "/" + name);
    m_paths.push_back(m_dir + "/" + name);
  }
  /// Depfile text for `output`; the paths are made of safe characters only.
  std::string depfile(const std::string& output) const {
    std::string out = output + ":";
    for (const std::string& p : m_paths) out += " \\\n  " + p;
    return out + "\n";
  }

 private:
  std::string m_dir;
  std::vector<std::string> m_paths;
};

std::string stem_of(const std::string& file_name) {
  return file_name.size() > 4 ? file_name.substr(0, file_name.size() - 4) : file_name;
}

/// Copies the test's imports (and theirs) from the test's directory into the
/// stage. Imports name modules beside the importing file, so every module of
/// a test lives in the test's own directory. Returns false when one is missing.
bool stage_modules(const std::string& source_dir, const std::string& suite_root,
                   const std::vector<Import>& imports, const std::string& stage,
                   std::set<std::string>& staged, DepLinks& deps, CompileRecord& record) {
  bool all_found = true;
  for (const Import& import : imports) {
    if (!staged.insert(import.module).second) continue;
    const std::string path = source_dir + "/" + import.module + ".wyn";
    std::string text;
    // A module outside the suite (through a link) is not read: the compiler then reports it missing.
    if (!is_within(path, suite_root) || !try_read_file(path, text)) {
      all_found = false;
      continue;
    }
    write_file_atomic(stage + "/" + import.module + ".wyn", text);
    deps.add("module." + import.module, path);
    record.imports.push_back(path);
    const ParsedSource parsed = parse_source(text, path);
    all_found &= stage_modules(source_dir, suite_root, parsed.imports, stage, staged, deps, record);
  }
  return all_found;
}

void add_runtime_deps(const std::string& wyn_root, DepLinks& deps) {
  const std::string src = wyn_root + "/src";
  deps.add("runtime-dir", src);  // a runtime file added or removed changes the directory
  std::vector<std::string> names;
  if (DIR* handle = ::opendir(src.c_str())) {
    while (const dirent* entry = ::readdir(handle)) {
      const std::string name = entry->d_name;
      const auto dot = name.rfind('.');
      if (dot == std::string::npos) continue;
      const std::string ext = name.substr(dot);
      if (ext == ".c" || ext == ".h") names.push_back(name);
    }
    ::closedir(handle);
  }
  std::sort(names.begin(), names.end());
  for (size_t i = 0; i < names.size(); ++i)
    deps.add("runtime." + std::to_string(i), src + "/" + names[i]);
}

std::string compile_failure_reason(const ProcessResult& result, double timeout) {
  if (!result.started) return "the compiler could not be started: " + result.spawn_error;
  if (result.timed_out)
    return "the compiler did not finish within " + std::to_string(static_cast<int>(timeout)) + " s";
  if (result.signal) return "the compiler crashed with " + signal_name(result.signal);
  return "the compiler exited with status " + std::to_string(result.exit_code);
}

int compile(const std::string& test_dir) {
  const TestSpec spec = load_test_spec(test_dir);
  const SuiteConfig suite = load_suite_config(suite_dir_of(test_dir));
  const std::string record_path = test_dir + "/compile.json";
  const std::string executable = test_dir + "/bin/program";

  CompileRecord record;
  record.name = spec.name;
  record.source = spec.source;

  // Whatever happens next, no older executable survives to be run.
  ::unlink(executable.c_str());
  make_directories(test_dir + "/bin");
  DepLinks deps(test_dir + "/deps");
  deps.add("compiler", suite.compiler);
  deps.add("source", spec.source);

  const auto finish = [&](int exit_code) {
    write_file_atomic(test_dir + "/compile.d", deps.depfile(record_path));
    write_json_file(record_path, record);
    return exit_code;
  };

  std::string text;
  if (!try_read_file(spec.source, text)) {
    record.kind = "test";
    record.status = "harness_error";
    record.reason = "cannot read the source " + spec.source;
    return finish(0);
  }
  record.source_hash = fnv1a64_hex(text);
  const ParsedSource parsed = parse_source(text, spec.source);
  record.directives = parsed.directives;
  const Directives& d = parsed.directives;
  if (d.has_expectations() || (parsed.has_main && suite.no_expect == "run")) {
    record.kind = "test";
  } else {
    record.kind = parsed.has_main ? "ignored" : "module";
  }

  if (!parsed.errors.empty()) {
    for (const Diagnostic& e : parsed.errors) {
      record.directive_errors.push_back(e.str());
      std::fprintf(stderr, "wyn-compile: error: %s\n", e.str().c_str());
    }
    record.status = "harness_error";
    record.reason = "invalid directives: " + record.directive_errors.front();
    return finish(1);
  }
  if (record.kind != "test" || d.skip) {
    record.status = "not_compiled";
    return finish(0);
  }

  // Stage: a fresh directory holding the source under its own name and its modules.
  const std::string stage = test_dir + "/stage";
  remove_tree(stage);
  make_directories(stage);
  const std::string file_name = base_name(spec.source);
  write_file_atomic(stage + "/" + file_name, text);
  std::set<std::string> staged;
  const std::string source_dir = parent_path(spec.source);
  if (!stage_modules(source_dir, suite.root, parsed.imports, stage, staged, deps, record)) {
    // Creating the missing module must recompile: depend on the directory too.
    deps.add("source-dir", source_dir);
  }
  if (suite.compiler_style == "legacy") add_runtime_deps(suite.wyn_root, deps);

  SpawnOptions options;
  options.argv = suite.compiler_launcher;
  options.argv.push_back(suite.compiler);
  std::string produced;
  if (suite.compiler_style == "legacy") {
    // The legacy CLI writes NAME.ll, NAME.o and NAME.out beside its input.
    options.argv.push_back(file_name);
    produced = stage + "/" + stem_of(file_name) + ".out";
  } else {
    produced = test_dir + "/bin/program.new";
    options.argv.insert(options.argv.end(), {"build", file_name, "-o", produced});
  }
  ::unlink(produced.c_str());
  options.cwd = stage;
  options.env = current_environment();
  if (suite.compiler_style == "legacy") options.env.push_back("WYN_ROOT=" + suite.wyn_root);
  options.stdout_path = test_dir + "/compile.log";
  options.timeout_seconds = suite.compile_timeout_seconds;
  options.grace_seconds = suite.grace_seconds;
  record.command = options.argv;

  const ProcessResult result = run_process(options);
  record.seconds = result.wall_seconds;
  record.exit_code = result.signal ? -1 : result.exit_code;
  record.signal = result.signal ? signal_name(result.signal) : "";
  record.timed_out = result.timed_out;
  std::string log;
  try_read_file(options.stdout_path, log);
  record.diagnostics = excerpt(strip_ansi(log), kDiagnosticsLimit);

  const bool ok = result.started && !result.timed_out && result.signal == 0 && result.exit_code == 0;
  struct stat st;
  if (ok && ::stat(produced.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
    if (::rename(produced.c_str(), executable.c_str()) != 0)
      throw Error("cannot move '" + produced + "' to '" + executable + "'");
    record.status = "compiled";
    record.executable = executable;
    return finish(0);
  }
  record.status = "failed";
  record.reason = ok ? "the compiler reported success but wrote no executable (" + produced + ")"
                     : compile_failure_reason(result, suite.compile_timeout_seconds);
  if (suite.strict_build && !d.has_expect_error) {
    std::fprintf(stderr, "wyn-compile: error: %s: %s\n%s", spec.source.c_str(),
                 record.reason.c_str(), record.diagnostics.c_str());
    return finish(1);
  }
  return finish(0);
}

}  // namespace
}  // namespace wyn

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: wyn-compile TEST_DIR\n");
    return 2;
  }
  try {
    return wyn::compile(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wyn-compile: error: %s\n", e.what());
    return 1;
  }
}
