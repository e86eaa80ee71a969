#include "compile/compile.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <vector>

#include "cache/compile/compile_key.hpp"
#include "cache/compile/step_cache.hpp"
#include "compile/depfile.hpp"
#include "compile/environment.hpp"
#include "compile/outcome.hpp"
#include "compile/staging.hpp"
#include "records/record.hpp"
#include "suite/test_spec.hpp"
#include "toolchain/setup.hpp"
#include "util/fs.hpp"
#include "util/hash.hpp"
#include "util/json_io.hpp"
#include "util/sha256.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

constexpr size_t kDiagnosticsLimit = 64 * 1024;

std::string stem_of(const std::string& file_name) {
  return file_name.size() > 4 ? file_name.substr(0, file_name.size() - 4) : file_name;
}

/// Writes the program so that it is never visible half-written or without its x bit.
void write_executable(const std::string& path, const std::string& bytes) {
  const std::string temp = path + ".restore";
  write_file_atomic(temp, bytes);
  if (::chmod(temp.c_str(), 0755) != 0 || !rename_file(temp, path)) {
    const int err = errno;
    ::unlink(temp.c_str());
    throw Error("cannot write '" + path + "': " + std::strerror(err));
  }
}

/// How the compiler is to run on the stage, and what it reads.
struct Invocation {
  std::string stage;      ///< TEST_DIR/stage
  std::string file_name;  ///< the source's name in the stage
  std::vector<StagedFile> staged_files;
  std::vector<std::string> runtime;  ///< legacy: the runtime sources
  SpawnOptions options;
  /// The command without the launcher, which must not change the result, and
  /// without this build directory's paths, so that build directories share entries.
  std::vector<std::string> command_shape;
  std::string produced;  ///< where the compiler writes the program
  /// The code the compiler generates on the way, where it leaves it in the
  /// stage (NAME.wyn.c, legacy NAME.ll), and its kind ("c", "ll").
  std::string generated;
  std::string codegen;
};

/// The compile of one test, step by step: read and classify the source,
/// stage it, key it, run the compiler or replay the cache, judge the result.
class CompileStep {
 public:
  /// `run`: the step itself. `plan`: only works out the cache key, leaving
  /// the test's directory as it is (for the remote tier's batch).
  enum class Mode { run, plan };
  CompileStep(std::chrono::steady_clock::time_point started, const std::string& test_dir,
              TestSpec spec, std::string suite_dir, SuiteConfig suite, Mode mode = Mode::run);
  int run();
  /// The key the step would look up; "" when it would not use the cache.
  std::string planned_key();

 private:
  /// Writes the depfile, the cache account and the record; returns `exit_code`.
  int finish(int exit_code);
  /// Fills in what the source says; false when it cannot be read.
  bool read_source(std::string& text, ParsedSource& parsed);
  int fail_on_directive_errors(const ParsedSource& parsed);
  Invocation prepare(const std::string& text, const ParsedSource& parsed);
  void set_cache_key(const Invocation& inv);
  void put_toolchain_wrapper_first(Invocation& inv);
  /// Replays the cached outcome, or stages the files and runs the compiler.
  CompilerOutcome run_or_replay(const Invocation& inv, bool& hit, CacheEntry& entry);
  /// Keeps the compiler's program and stores the outcome; true when there is a program.
  bool keep_result(const Invocation& inv, const CompilerOutcome& outcome, bool ok);
  /// Keeps the generated code beside the record and records its hash (the
  /// program's when the compiler left no code), for the codegen impact report.
  void keep_codegen(const std::string& codegen, const std::string& text,
                    const std::string& program);
  int judge(const Invocation& inv, const ProcessResult& result, bool ok, bool compiled);

  std::chrono::steady_clock::time_point m_started;
  Mode m_mode;
  std::string m_test_dir;
  TestSpec m_spec;
  std::string m_suite_dir;
  SuiteConfig m_suite;
  std::string m_record_path;
  std::string m_executable;
  CompileRecord m_record;
  DepLinks m_deps;
  StepCache m_cache;
};

CompileStep::CompileStep(std::chrono::steady_clock::time_point started, const std::string& test_dir,
                         TestSpec spec, std::string suite_dir, SuiteConfig suite, Mode mode)
    : m_started(started),
      m_mode(mode),
      m_test_dir(test_dir),
      m_spec(std::move(spec)),
      m_suite_dir(std::move(suite_dir)),
      m_suite(std::move(suite)),
      m_record_path(test_dir + "/compile.json"),
      m_executable(test_dir + "/bin/program"),
      m_deps(mode == Mode::run ? test_dir + "/deps" : ""),
      m_cache(m_suite, m_suite_dir, test_dir) {
  m_record.name = m_spec.name;
  m_record.source = m_spec.source;
  m_deps.add("compiler", m_suite.compiler);
  m_deps.add("source", m_spec.source);
  if (mode == Mode::plan) return;
  // Whatever happens next, no older executable survives to be run.
  ::unlink(m_executable.c_str());
  make_directories(test_dir + "/bin");
}

int CompileStep::finish(int exit_code) {
  write_file_atomic(m_test_dir + "/compile.d", m_deps.depfile(m_record_path));
  m_cache.write();
  write_json_file(m_record_path, m_record);
  return exit_code;
}

bool CompileStep::read_source(std::string& text, ParsedSource& parsed) {
  if (!try_read_file(m_spec.source, text)) {
    m_record.kind = "test";
    m_record.status = "harness_error";
    m_record.reason = "cannot read the source " + m_spec.source;
    return false;
  }
  m_record.source_hash = fnv1a64_hex(text);
  parsed = parse_source(text, m_spec.source);
  m_record.directives = parsed.directives;
  m_record.kind = std::string(file_kind(parsed, true, m_suite.no_expect));
  return true;
}

int CompileStep::fail_on_directive_errors(const ParsedSource& parsed) {
  // The test's own fault, not the build's: it fails as a harness_error
  // naming file:line, and every other test of the suite builds and runs.
  for (const Diagnostic& e : parsed.errors) m_record.directive_errors.push_back(e.str());
  m_record.status = "harness_error";
  m_record.reason = "invalid directives: " + m_record.directive_errors.front();
  if (m_record.directive_errors.size() > 1)
    m_record.reason += " (and " + std::to_string(m_record.directive_errors.size() - 1) + " more)";
  return finish(m_suite.strict_build ? 1 : 0);
}

Invocation CompileStep::prepare(const std::string& text, const ParsedSource& parsed) {
  Invocation inv;
  // The stage: a fresh directory holding the source under its own name and
  // its modules, written only when the compiler is to run.
  inv.stage = m_test_dir + "/stage";
  if (m_mode == Mode::run) remove_tree(inv.stage);
  inv.file_name = base_name(m_spec.source);
  inv.staged_files = {{inv.file_name, text}};
  std::set<std::string> staged;
  const std::string source_dir = parent_path(m_spec.source);
  if (!collect_modules(source_dir, m_suite.root, parsed.imports, inv.staged_files, staged, m_deps,
                       m_record)) {
    // Creating the missing module must recompile: depend on the directory too.
    m_deps.add("source-dir", source_dir);
  }
  const bool legacy = m_suite.compiler_style == "legacy";
  if (legacy) inv.runtime = add_runtime_deps(m_suite.wyn_root, m_deps);

  SpawnOptions& options = inv.options;
  options.argv = m_suite.compiler_launcher;
  options.argv.push_back(m_suite.compiler);
  // A file named "-j8.wyn" must not read as an option.
  const std::string file_arg = inv.file_name[0] == '-' ? "./" + inv.file_name : inv.file_name;
  if (legacy) {
    // The legacy CLI writes NAME.ll, NAME.o and NAME.out beside its input.
    options.argv.push_back(file_arg);
    inv.command_shape = {file_arg};
    inv.produced = inv.stage + "/" + stem_of(inv.file_name) + ".out";
    inv.generated = inv.stage + "/" + stem_of(inv.file_name) + ".ll";
    inv.codegen = "ll";
  } else {
    inv.produced = m_test_dir + "/bin/program.new";
    inv.generated = inv.stage + "/" + inv.file_name + ".c";
    inv.codegen = "c";
    options.argv.insert(options.argv.end(), {"build", file_arg});
    inv.command_shape = {"build", file_arg};
  }
  // COMPILE_ARGS follow the file, as in `wyn build NAME.wyn --debug`; being
  // in the command shape, they are part of the cache key.
  const std::vector<std::string>& args = m_suite.compile_args;
  options.argv.insert(options.argv.end(), args.begin(), args.end());
  inv.command_shape.insert(inv.command_shape.end(), args.begin(), args.end());
  if (!legacy) {
    options.argv.insert(options.argv.end(), {"-o", inv.produced});
    inv.command_shape.insert(inv.command_shape.end(), {"-o", "<output>"});
  }
  // The code the compiler leaves beside the file it compiled is copied out
  // of the stage (GENERATED_C snapshot suites judge it); none survives a
  // failed compile.
  if (m_mode == Mode::run) {
    ::unlink((m_test_dir + "/generated.c").c_str());
    ::unlink((m_test_dir + "/generated.ll").c_str());
  }
  options.cwd = inv.stage;
  options.env = captured_environment(m_suite_dir);
  // The remote cache's settings (its header may hold a secret) are ours, not the compiler's.
  erase_environment(options.env, "WYN_REMOTE_CACHE");
  if (legacy) {
    // Ours must be the only WYN_ROOT: with two, the child would see the first.
    erase_environment(options.env, "WYN_ROOT=");
    options.env.push_back("WYN_ROOT=" + m_suite.wyn_root);
  }
  options.stdout_path = m_test_dir + "/compile.log";
  options.timeout_seconds = m_suite.compile_timeout_seconds;
  options.grace_seconds = m_suite.grace_seconds;
  m_record.command = options.argv;
  return inv;
}

void CompileStep::set_cache_key(const Invocation& inv) {
  if (m_suite.compile_cache_dir.empty()) return;
  // What the compiler reads, by content where it can be hashed, wherever the
  // trees lie (docs/caching.md, also for what the key does not see).
  const FileHashMemo memo(m_suite_dir + "/file-hashes");
  CompileKeyInputs in;
  std::string unusable;
  in.style = m_suite.compiler_style;
  in.compiler = m_suite.compiler;
  if (!memo.hash(m_suite.compiler, in.compiler_sha256))
    unusable = "cannot read the compiler " + m_suite.compiler;
  in.command = inv.command_shape;
  for (const StagedFile& f : inv.staged_files) in.stage.emplace_back(f.name, sha256_hex(f.text));
  for (const std::string& path : inv.runtime) {
    std::string hex;
    if (!memo.hash(path, hex)) unusable = "cannot read the runtime source " + path;
    in.runtime.emplace_back(base_name(path), hex);
  }
  const nlohmann::json environment = compiler_environment(inv.options.env);
  for (const auto& [name, value] : environment.items()) {
    if (value.is_null())
      in.unset.push_back(name);
    else
      in.environment.emplace_back(name, value.get<std::string>());
  }
  const char* home = std::getenv("HOME");
  in.where = {m_suite.source_tree, m_suite.build_tree, home && *home ? home : ""};
  // Snapshot suites run the compiler each time: they judge the C it writes now.
  if (m_suite.snapshot == "generated_c")
    unusable = "GENERATED_C snapshots need the compiler to run";
  m_cache.set_key(compile_cache_key(in), unusable);
}

void CompileStep::put_toolchain_wrapper_first(Invocation& inv) {
  if (m_suite.toolchain_cache_dir.empty()) return;
  // After the key: the wrapper's directory on PATH is this build
  // directory's, and must not keep build directories from sharing entries.
  ensure_wrapper_links(toolchain_bin_dir(m_suite_dir), m_suite.cc_wrapper);
  inv.options.env = toolchain_environment(m_suite, m_suite_dir, std::move(inv.options.env));
  if (const RemoteSettings* remote = m_cache.usable_remote())
    inv.options.env.push_back("WYN_CTEST_CC_REMOTE=" + ccache_remote_storage(*remote));
}

CompilerOutcome CompileStep::run_or_replay(const Invocation& inv, bool& hit, CacheEntry& entry) {
  CompilerOutcome outcome;
  hit = m_cache.lookup_local(entry);
  if (!hit && m_cache.enabled() && m_cache.usable_remote()) {
    // Only now, after a local miss, is the remote worth loading libcurl for.
    hand_to_remote_twin_if_needed(m_test_dir);
    hit = m_cache.lookup_remote(entry, [this] { return suite_cache_keys(m_suite_dir, m_suite); });
  }
  if (hit) {
    outcome.process.started = true;
    outcome.process.exit_code = entry.exit_code;
    outcome.process.signal = entry.signal;
    outcome.log = entry.log;
    write_file_atomic(inv.options.stdout_path, entry.log);
    if (entry.status == "compiled") {
      write_executable(m_executable, entry.executable);
      keep_codegen(entry.codegen, entry.generated, entry.executable);
    }
  } else {
    write_stage(inv.stage, inv.staged_files);
    ::unlink(inv.produced.c_str());
    outcome.process = run_process(inv.options);
    try_read_file(inv.options.stdout_path, outcome.log);
  }
  return outcome;
}

bool CompileStep::keep_result(const Invocation& inv, const CompilerOutcome& outcome, bool ok) {
  const ProcessResult& result = outcome.process;
  if (!ok) {
    const std::string why_not = why_not_cacheable(result, outcome.log);
    if (why_not.empty())
      m_cache.store({"failed", result.exit_code, result.signal, result.wall_seconds, outcome.log,
                     "", "", ""});
    else
      m_cache.not_stored(why_not);
    return false;
  }
  std::string program;
  FileStat st;
  if (!stat_file(inv.produced, st) || !st.regular || !try_read_file(inv.produced, program)) {
    m_cache.not_stored("no executable");
    return false;
  }
  if (!rename_file(inv.produced, m_executable))
    throw Error("cannot move '" + inv.produced + "' to '" + m_executable + "'");
  std::string generated;
  const std::string codegen = try_read_file(inv.generated, generated) ? inv.codegen : "";
  keep_codegen(codegen, generated, program);
  m_cache.store({"compiled", 0, 0, result.wall_seconds, outcome.log, program, codegen, generated});
  return true;
}

void CompileStep::keep_codegen(const std::string& codegen, const std::string& text,
                               const std::string& program) {
  if (codegen.empty()) {
    m_record.codegen = "executable";
    m_record.codegen_hash = sha256_hex(program);
    return;
  }
  // generated.c is also what GENERATED_C snapshot suites compare.
  m_record.codegen_file = m_test_dir + "/generated." + codegen;
  write_file_atomic(m_record.codegen_file, text);
  m_record.codegen = codegen;
  m_record.codegen_hash = sha256_hex(text);
}

int CompileStep::judge(const Invocation& inv, const ProcessResult& result, bool ok, bool compiled) {
  m_record.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - m_started).count();
  if (compiled) {
    m_record.status = "compiled";
    m_record.executable = m_executable;
    return finish(0);
  }
  if (!result.started) {
    // Not the test's fault: the machine could not start the compiler (the
    // spawn was retried on EAGAIN, ENOMEM and EMFILE before giving up).
    m_record.status = "harness_error";
    m_record.reason = compile_failure_reason(result, m_suite.compile_timeout_seconds);
    return finish(0);
  }
  m_record.status = "failed";
  m_record.reason =
      ok ? "the compiler reported success but wrote no executable (" + inv.produced + ")"
         : compile_failure_reason(result, m_suite.compile_timeout_seconds);
  if (m_suite.strict_build && !m_record.directives.has_expect_error) {
    std::fprintf(stderr, "wyn-compile: error: %s: %s\n%s", m_spec.source.c_str(),
                 m_record.reason.c_str(), m_record.diagnostics.c_str());
    return finish(1);
  }
  return finish(0);
}

std::string CompileStep::planned_key() {
  std::string text;
  ParsedSource parsed;
  if (!read_source(text, parsed) || !parsed.errors.empty() || m_record.kind != "test" ||
      parsed.directives.skip)
    return "";
  set_cache_key(prepare(text, parsed));
  return m_cache.key();
}

int CompileStep::run() {
  std::string text;
  ParsedSource parsed;
  if (!read_source(text, parsed)) return finish(0);
  if (!parsed.errors.empty()) return fail_on_directive_errors(parsed);
  if (m_record.kind != "test" || parsed.directives.skip) {
    m_record.status = "not_compiled";
    return finish(0);
  }

  Invocation inv = prepare(text, parsed);
  set_cache_key(inv);
  put_toolchain_wrapper_first(inv);

  bool hit = false;
  CacheEntry entry;
  const CompilerOutcome outcome = run_or_replay(inv, hit, entry);
  const ProcessResult& result = outcome.process;
  m_record.exit_code = result.signal ? -1 : result.exit_code;
  m_record.signal = result.signal ? signal_name(result.signal) : "";
  m_record.timed_out = result.timed_out;
  m_record.diagnostics = excerpt(strip_ansi(outcome.log), kDiagnosticsLimit);

  const bool ok =
      result.started && !result.timed_out && result.signal == 0 && result.exit_code == 0;
  const bool compiled = hit ? entry.status == "compiled" : keep_result(inv, outcome, ok);
  return judge(inv, result, ok, compiled);
}

}  // namespace

int compile(const std::string& test_dir) {
  const auto started = std::chrono::steady_clock::now();
  TestSpec spec = load_test_spec(test_dir);
  std::string suite_dir = suite_dir_of(test_dir);
  SuiteConfig suite = load_suite_config(suite_dir);
  CompileStep step(started, test_dir, std::move(spec), std::move(suite_dir), std::move(suite));
  return step.run();
}

std::vector<std::string> suite_cache_keys(const std::string& suite_dir, const SuiteConfig& suite) {
  std::vector<std::string> keys;
  std::vector<TestSpec> specs;
  try {
    specs = read_json_as<std::vector<TestSpec>>(suite_dir + "/manifest.json");
  } catch (const std::exception&) {
    return keys;
  }
  const auto now = std::chrono::steady_clock::now();
  for (TestSpec& spec : specs) {
    try {
      const std::string test_dir = spec.test_dir;
      CompileStep step(now, test_dir, std::move(spec), suite_dir, suite, CompileStep::Mode::plan);
      std::string key = step.planned_key();
      if (!key.empty()) keys.push_back(std::move(key));
    } catch (const std::exception&) {
      // That test's own step meets the fault and reports it.
    }
  }
  return keys;
}

}  // namespace wyn
