// wyn-cc cross-built for Windows, under Wine: the directory of compiler
// names that wyn-compile makes, the environment it gives the Wyn compiler,
// and the wrapper itself in front of a fake C compiler (helpers/fake_cc.c)
// that reads and writes the files a real one would.

#include <gtest/gtest.h>
#include <windows.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <iterator>
#include <string>
#include <vector>

#include "cache/toolchain/counters.hpp"
#include "process/subprocess.hpp"
#include "records/record.hpp"
#include "suite/suite_config.hpp"
#include "suite/test_spec.hpp"
#include "toolchain/setup.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"
#include "util/text.hpp"
#include "windows_test_util.hpp"

namespace wyn {
namespace {

using wyn_test::read_text;
using wyn_test::ScratchDir;

/// The value of `name` in `env`, "(unset)" when it has none.
std::string value_of(const std::vector<std::string>& env, const std::string& name) {
  for (const std::string& entry : env)
    if (is_variable_entry(entry, name)) return entry.substr(name.size() + 1);
  return "(unset)";
}

size_t count_lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

/// A suite build directory with the toolchain cache set up as wyn-compile
/// sets it up, a directory holding the fake compiler as gcc.exe after the
/// links on PATH, and the fake compiler as the user's WYN_CC.
class Toolchain {
 public:
  explicit Toolchain(const ScratchDir& dir)
      : m_suite_dir(dir.path("suite")),
        m_cache_dir(dir.path("cache")),
        m_work(dir.path("work")),
        m_log(dir.path("compiler.log")) {
    const std::string real_dir = dir.path("real");
    make_directories(real_dir);
    make_directories(m_work);
    std::filesystem::copy_file(std::filesystem::u8path(WYN_FAKE_CC),
                               std::filesystem::u8path(real_dir + "\\gcc.exe"));
    m_bin = toolchain_bin_dir(m_suite_dir);
    ensure_wrapper_links(m_bin, WYN_CC);
    SuiteConfig suite;
    suite.compiler_style = "build";
    suite.toolchain_cache_dir = m_cache_dir;
    std::vector<std::string> env;
    std::string path;
    for (const std::string& entry : current_environment()) {
      if (is_variable_entry(entry, "PATH"))
        path = entry.substr(5);
      else
        env.push_back(entry);
    }
    env.push_back("PATH=" + real_dir + ";" + path);
    env.push_back(std::string("WYN_CC=") + WYN_FAKE_CC);
    env.push_back("FAKE_CC_LOG=" + m_log);
    m_env = toolchain_environment(suite, m_suite_dir, env);
  }

  const std::string& bin() const { return m_bin; }
  const std::string& work() const { return m_work; }
  const std::vector<std::string>& env() const { return m_env; }
  /// The commands the fake compiler ran, a line each.
  std::string compiler_log() const { return read_text(m_log); }
  ToolchainCounters counters() const { return read_toolchain_counters(m_cache_dir); }

  /// Runs `program` (a name in the directory of links) with `args` in the work directory.
  ProcessResult run(const std::string& program, const std::vector<std::string>& args) {
    SpawnOptions options;
    options.argv = {m_bin + "\\" + program};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.env = m_env;
    options.cwd = m_work;
    options.capture = CaptureMode::split;
    options.stdout_path = m_work + "\\stdout.txt";
    options.stderr_path = m_work + "\\stderr.txt";
    options.timeout_seconds = 60;
    const ProcessResult result = run_process(options);
    m_stdout = read_text(options.stdout_path);
    m_stderr = read_text(options.stderr_path);
    return result;
  }
  const std::string& out() const { return m_stdout; }
  const std::string& err() const { return m_stderr; }

 private:
  std::string m_suite_dir;
  std::string m_cache_dir;
  std::string m_work;
  std::string m_log;
  std::string m_bin;
  std::vector<std::string> m_env;
  std::string m_stdout;
  std::string m_stderr;
};

TEST(WindowsToolchain, LinksAreTheWrapperNamedExe) {
  ScratchDir dir;
  const std::string bin = dir.path("bin");
  ensure_wrapper_links(bin, WYN_CC);
  FileStat wrapper;
  ASSERT_TRUE(stat_file(WYN_CC, wrapper));
  std::vector<FileStat> before;
  for (const char* name : kWrappedCompilers) {
    FileStat st;
    ASSERT_TRUE(stat_file(bin + "\\" + name + ".exe", st)) << name;
    EXPECT_TRUE(st.regular) << name;
    EXPECT_EQ(st.size, wrapper.size) << name;
    EXPECT_FALSE(path_exists(bin + "\\" + name)) << name;
    before.push_back(st);
  }
  // Current links stay as they are; the wrapper may be named without .exe.
  std::string without_suffix = WYN_CC;
  without_suffix.resize(without_suffix.size() - 4);
  ensure_wrapper_links(bin, without_suffix);
  size_t i = 0;
  for (const char* name : kWrappedCompilers) {
    FileStat st;
    ASSERT_TRUE(stat_file(bin + "\\" + name + ".exe", st)) << name;
    EXPECT_EQ(st.inode, before[i].inode) << name;
    EXPECT_EQ(st.mtime_ns, before[i].mtime_ns) << name;
    ++i;
  }
  // Nothing left aside.
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(std::filesystem::u8path(bin))) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, std::size(kWrappedCompilers));
}

TEST(WindowsToolchain, EnvironmentPutsTheLinksFirst) {
  ScratchDir dir;
  Toolchain tc(dir);
  const std::string path = value_of(tc.env(), "PATH");
  EXPECT_EQ(path.rfind(tc.bin() + ";" + dir.path("real") + ";", 0), 0u) << path;
  EXPECT_EQ(value_of(tc.env(), "WYN_CC"), tc.bin() + "/wyn-cc.exe");
  EXPECT_EQ(value_of(tc.env(), "WYN_CTEST_CC_REAL"), WYN_FAKE_CC);
  size_t paths = 0;
  for (const std::string& entry : tc.env()) paths += is_variable_entry(entry, "PATH") ? 1 : 0;
  EXPECT_EQ(paths, 1u);

  // A script test's: Windows spells PATH as it likes; a compiler named by
  // its path goes through wyn-cc-CC.exe, one the links answer to stays.
  SuiteConfig suite;
  suite.toolchain_cache_dir = dir.path("cache");
  const std::vector<std::string> env = script_toolchain_environment(
      suite, dir.path("s"), {"Path=C:\\w", "CC=C:\\mingw\\bin\\gcc.exe", "WYN_CC=gcc.exe"});
  const std::string bin = toolchain_bin_dir(dir.path("s"));
  EXPECT_EQ(value_of(env, "PATH"), bin + ";C:\\w");
  EXPECT_EQ(value_of(env, "CC"), bin + "/wyn-cc-CC.exe");
  EXPECT_EQ(value_of(env, "WYN_CTEST_CC_REAL_CC"), "C:\\mingw\\bin\\gcc.exe");
  EXPECT_EQ(value_of(env, "WYN_CC"), "gcc.exe");
  paths = 0;
  for (const std::string& entry : env) paths += is_variable_entry(entry, "PATH") ? 1 : 0;
  EXPECT_EQ(paths, 1u);
}

TEST(WindowsToolchain, GccLinkCompilesThroughTheMemo) {
  ScratchDir dir;
  Toolchain tc(dir);
  write_file_atomic(tc.work() + "\\a.c", "int a;\n#warning\n");
  write_file_atomic(tc.work() + "\\b.c", "int main;\n");
  const std::vector<std::string> args = {"-O2", "-o", "prog.exe", "a.c", "b.c"};

  ProcessResult first = tc.run("gcc.exe", args);
  ASSERT_TRUE(first.started) << first.spawn_error;
  EXPECT_EQ(first.exit_code, 0) << tc.err();
  EXPECT_EQ(first.signal, 0);
  // Two compiles and a link by the next gcc.exe on PATH, the warning passed on.
  EXPECT_EQ(count_lines(tc.compiler_log()), 3u) << tc.compiler_log();
  EXPECT_NE(tc.out().find("fake_cc: -O2 -c a.c -o "), std::string::npos) << tc.out();
  EXPECT_NE(tc.err().find("a.c:1: warning: #warning"), std::string::npos) << tc.err();
  const std::string program = read_text(tc.work() + "\\prog.exe");
  EXPECT_EQ(program.rfind("program:\nobject of ", 0), 0u) << program;
  EXPECT_NE(program.find("int main;"), std::string::npos) << program;
  ToolchainCounters c = tc.counters();
  EXPECT_EQ(c.compiles, 2u);
  EXPECT_EQ(c.memo_hits, 0u);
  EXPECT_EQ(c.splits, 1u);
  EXPECT_EQ(c.links, 1u);

  // The same command again: both objects and the program from the memo, the
  // warning replayed, and the compiler not run at all.
  std::filesystem::remove(std::filesystem::u8path(tc.work() + "\\prog.exe"));
  ProcessResult second = tc.run("gcc.exe", args);
  EXPECT_EQ(second.exit_code, 0) << tc.err();
  EXPECT_EQ(count_lines(tc.compiler_log()), 3u) << tc.compiler_log();
  EXPECT_NE(tc.err().find("a.c:1: warning: #warning"), std::string::npos) << tc.err();
  EXPECT_EQ(read_text(tc.work() + "\\prog.exe"), program);
  c = tc.counters();
  EXPECT_EQ(c.compiles, 2u);
  EXPECT_EQ(c.memo_hits, 2u);
  EXPECT_EQ(c.splits, 2u);
  EXPECT_EQ(c.link_hits, 1u);
  EXPECT_EQ(c.links, 1u);

  // A changed source is compiled again, the other one is not.
  write_file_atomic(tc.work() + "\\b.c", "int main = 1;\n");
  ProcessResult third = tc.run("gcc.exe", args);
  EXPECT_EQ(third.exit_code, 0) << tc.err();
  EXPECT_EQ(count_lines(tc.compiler_log()), 5u) << tc.compiler_log();
  EXPECT_NE(read_text(tc.work() + "\\prog.exe").find("int main = 1;"), std::string::npos);
  c = tc.counters();
  EXPECT_EQ(c.compiles, 3u);
  EXPECT_EQ(c.memo_hits, 3u);
}

TEST(WindowsToolchain, FailedCompilePassesStatusAndDiagnostics) {
  ScratchDir dir;
  Toolchain tc(dir);
  write_file_atomic(tc.work() + "\\bad.c", "#error\n");
  ProcessResult result = tc.run("gcc.exe", {"-o", "prog.exe", "bad.c"});
  ASSERT_TRUE(result.started) << result.spawn_error;
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_NE(tc.err().find("bad.c:1: error: #error"), std::string::npos) << tc.err();
  EXPECT_FALSE(path_exists(tc.work() + "\\prog.exe"));
  const ToolchainCounters c = tc.counters();
  EXPECT_EQ(c.compiles, 1u);
  EXPECT_EQ(c.compile_failures, 1u);
  EXPECT_EQ(c.links, 0u);
}

TEST(WindowsToolchain, WynCcRunsTheUsersCompiler) {
  ScratchDir dir;
  Toolchain tc(dir);
  // A command it does not split is the user's WYN_CC's, run as it is: its
  // output, and its exit status as the wrapper's own.
  ProcessResult result = tc.run("wyn-cc.exe", {"--exit=7", "x y"});
  ASSERT_TRUE(result.started) << result.spawn_error;
  EXPECT_EQ(result.exit_code, 7) << tc.err();
  EXPECT_EQ(tc.out(), "fake_cc: --exit=7 x y\n");
  EXPECT_EQ(tc.compiler_log(), "--exit=7 x y\n");
  EXPECT_EQ(tc.counters().pass_throughs, 1u);

  // Split, through the memo, with the same compiler.
  write_file_atomic(tc.work() + "\\c.c", "int c;\n");
  result = tc.run("wyn-cc.exe", {"-o", "c.exe", "c.c"});
  EXPECT_EQ(result.exit_code, 0) << tc.err();
  EXPECT_EQ(read_text(tc.work() + "\\c.exe").rfind("program:\nobject of ", 0), 0u);
  EXPECT_EQ(tc.counters().compiles, 1u);
}

TEST(WindowsToolchain, CompileStepRunsItsCompilerThroughTheWrapper) {
  ScratchDir dir;
  const std::string suite = dir.path("suite"), cache = dir.path("cache");
  const std::string test_dir = suite + "\\t\\0001";
  make_directories(test_dir);
  make_directories(suite + "\\src");
  const std::string source = suite + "\\src\\case.wyn";
  write_file_atomic(source, "fn main() {}\n");
  // As WynTests.cmake names it: without .exe.
  std::string wrapper = WYN_CC;
  wrapper.resize(wrapper.size() - 4);
  write_json_file(suite + "\\suite.json", {{"format", kConfigFormat},
                                           {"name", "win"},
                                           {"kind", "wyn"},
                                           {"root", suite + "\\src"},
                                           {"build_dir", suite},
                                           {"compiler", WYN_FAKE_CC},
                                           {"launcher", WYN_CC},  // not run here
                                           {"compiler_style", "build"},
                                           {"timeout_seconds", 30},
                                           {"toolchain_cache_dir", cache},
                                           // Any program taking the compiler's command.
                                           {"ccache", WYN_FAKE_CC},
                                           {"cc_wrapper", wrapper}});
  // The user's WYN_CC, recorded at configure time, is the fake compiler too.
  std::string path;
  for (const std::string& entry : current_environment())
    if (is_variable_entry(entry, "PATH")) path = entry.substr(5);
  write_json_file(suite + "\\compile.env", {{"WYN_CC", WYN_FAKE_CC}, {"PATH", path}});
  write_json_file(test_dir + "\\test.json", TestSpec{"win/case", source, "case.wyn", test_dir});

  const auto compile = [&] {
    SpawnOptions options;
    options.argv = {WYN_COMPILE, test_dir};
    options.env = current_environment();
    options.capture = CaptureMode::split;
    options.stdout_path = dir.path("compile.out");
    options.stderr_path = dir.path("compile.err");
    options.timeout_seconds = 60;
    const ProcessResult result = run_process(options);
    EXPECT_TRUE(result.started) << result.spawn_error;
    EXPECT_EQ(result.exit_code, 0) << read_text(options.stderr_path);
    const CompileRecord record = read_json_as<CompileRecord>(test_dir + "\\compile.json");
    EXPECT_EQ(record.status, "compiled") << record.reason << read_text(test_dir + "\\compile.log");
    return read_text(test_dir + "\\bin\\program");
  };
  const std::string program = compile();
  EXPECT_EQ(program, "program:\nobject of case.wyn.c:\nfn main() {}\n");
  EXPECT_TRUE(path_exists(suite + "\\toolchain\\bin\\gcc.exe"));
  // Without symbolic links the depfile names the source itself, as Ninja reads it.
  std::string listed = source;
  std::replace(listed.begin(), listed.end(), '\\', '/');
  const std::string depfile = read_text(test_dir + "\\compile.d");
  EXPECT_NE(depfile.find(" \\\n  " + listed + "\n"), std::string::npos) << depfile;
  ToolchainCounters c = read_toolchain_counters(cache);
  EXPECT_EQ(c.compiles, 1u);
  EXPECT_EQ(c.splits, 1u);
  EXPECT_EQ(c.links, 1u);
  // Compiled again (no compile cache): the object and the program from the memo.
  EXPECT_EQ(compile(), program);
  c = read_toolchain_counters(cache);
  EXPECT_EQ(c.compiles, 1u);
  EXPECT_EQ(c.memo_hits, 1u);
  EXPECT_EQ(c.link_hits, 1u);
}

TEST(WindowsToolchain, RunAndWaitReportsTheChild) {
  ScratchDir dir;
  const std::string err = dir.path("err.txt");
  ChildExit result = run_and_wait({WYN_FAKE_CC, "--exit=5"}, current_environment(), err);
  EXPECT_TRUE(result.started);
  EXPECT_EQ(result.exit_code, 5);
  EXPECT_FALSE(result.succeeded());
  // The name without .exe finds the program.
  std::string without_suffix = WYN_FAKE_CC;
  without_suffix.resize(without_suffix.size() - 4);
  result = run_and_wait({without_suffix, "-o", dir.path("x.o")}, current_environment(), err);
  EXPECT_TRUE(result.started);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(read_text(err), "fake_cc: error: no input files\n");
  result = run_and_wait({dir.path("missing.exe")}, current_environment(), err);
  EXPECT_FALSE(result.started);
  EXPECT_EQ(result.spawn_errno, ENOENT);
}

}  // namespace
}  // namespace wyn
