// The parts of the compile step (generator/compile/): what may be cached,
// how a failure is described, the depfile, the environment the key sees,
// and the rule that tells tests from modules.

#include <gtest/gtest.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "compile/depfile.hpp"
#include "compile/environment.hpp"
#include "compile/outcome.hpp"
#include "suite/directives.hpp"
#include "temp_dir.hpp"
#include "util/fs.hpp"

namespace wyn {
namespace {

ProcessResult exited(int code) {
  ProcessResult r;
  r.started = true;
  r.exit_code = code;
  return r;
}

TEST(CompileOutcome, OnlyTheCompilersOwnVerdictsAreCacheable) {
  EXPECT_EQ(why_not_cacheable(exited(1), "t.wyn:3: error: x"), "");
  ProcessResult crashed = exited(0);
  crashed.signal = SIGSEGV;
  EXPECT_EQ(why_not_cacheable(crashed, ""), "") << "a crash on an input is deterministic";
  ProcessResult killed = exited(0);
  killed.signal = SIGKILL;
  EXPECT_EQ(why_not_cacheable(killed, ""), "the compiler was killed by SIGKILL");
  ProcessResult timed_out = exited(0);
  timed_out.timed_out = true;
  EXPECT_EQ(why_not_cacheable(timed_out, ""), "the compiler timed out");
  ProcessResult not_started;
  EXPECT_EQ(why_not_cacheable(not_started, ""), "the compiler did not start");
  EXPECT_EQ(why_not_cacheable(exited(1), std::string("clang: ") + std::strerror(EAGAIN)),
            std::string("transient: ") + std::strerror(EAGAIN));
  EXPECT_EQ(why_not_cacheable(exited(1), "fatal: Out of memory"), "transient: out of memory");
}

TEST(CompileOutcome, FailureReasons) {
  EXPECT_EQ(compile_failure_reason(exited(2), 60), "the compiler exited with status 2");
  ProcessResult timed_out = exited(0);
  timed_out.timed_out = true;
  EXPECT_EQ(compile_failure_reason(timed_out, 60.5), "the compiler did not finish within 60 s");
  ProcessResult not_started;
  not_started.spawn_error = "No such file or directory (ENOENT)";
  EXPECT_EQ(compile_failure_reason(not_started, 60),
            "the compiler could not be started: No such file or directory (ENOENT)");
}

TEST(CompileDepfile, ListsLinksWithPlainNames) {
  TempDir dir;
  DepLinks deps(dir.path() + "/deps");
  deps.add("source", "/src/odd name #$.wyn");
  deps.add("compiler", "/opt/wyn/bin/wyn");
  const std::string text = deps.depfile(dir.path() + "/compile.json");
  EXPECT_EQ(text, ninja_relative(dir.path() + "/compile.json") + ": \\\n  " +
                      ninja_relative(dir.path() + "/deps/source") + " \\\n  " +
                      ninja_relative(dir.path() + "/deps/compiler") + "\n");
  char target[256];
  const ssize_t n = ::readlink((dir.path() + "/deps/source").c_str(), target, sizeof target);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(target, static_cast<size_t>(n)), "/src/odd name #$.wyn");
  // A new DepLinks starts afresh: links of the last compile go.
  DepLinks again(dir.path() + "/deps");
  EXPECT_FALSE(path_exists(dir.path() + "/deps/compiler"));
}

TEST(CompileDepfile, APlannedStepMakesNoLinks) {
  // The remote tier's batch works out other tests' keys with DepLinks("").
  TempDir dir;
  DepLinks planned("");
  planned.add("wyn-unit-planned-source", dir.path() + "/t.wyn");
  EXPECT_FALSE(path_exists("/wyn-unit-planned-source"));
  EXPECT_FALSE(path_exists("wyn-unit-planned-source"));
}

TEST(CompileEnvironment, TheKeySeesTheListedVariablesSetOrUnset) {
  const nlohmann::json values =
      compiler_environment({"CC=clang", "HOME=/home/me", "PATH=/usr/bin", "CC=gcc", "CCX=no"});
  EXPECT_EQ(values["CC"], "clang") << "the first entry wins, as for getenv()";
  EXPECT_EQ(values["PATH"], "/usr/bin");
  EXPECT_TRUE(values["CFLAGS"].is_null());
  EXPECT_FALSE(values.contains("HOME"));
  EXPECT_EQ(values.size(), std::size(kCompilerEnvironment));
}

TEST(CompileEnvironment, TheCapturedValuesReplaceTheBuildsOwn) {
  TempDir dir;
  write_file_atomic(dir.path() + "/compile.env", R"({"CC": "clang-17", "CFLAGS": null})");
  ::setenv("CC", "gcc", 1);
  ::setenv("CFLAGS", "-O0", 1);
  const std::vector<std::string> env = captured_environment(dir.path());
  ::unsetenv("CC");
  ::unsetenv("CFLAGS");
  const nlohmann::json values = compiler_environment(env);
  EXPECT_EQ(values["CC"], "clang-17");
  EXPECT_TRUE(values["CFLAGS"].is_null()) << "unset at configure time: unset for the compiler";
  EXPECT_THROW(captured_environment(dir.path() + "/missing"), Error);
}

ParsedSource parsed(const std::string& text) { return parse_source(text, "t.wyn"); }

TEST(FileKind, OneRuleForTheTestListAndTheRecord) {
  EXPECT_EQ(file_kind(parsed("fn main() {}\n"), true, "run"), "test");
  EXPECT_EQ(file_kind(parsed("fn main() {}\n"), true, "ignore"), "ignored");
  EXPECT_EQ(file_kind(parsed("// EXPECT: 1\nfn main() {}\n"), true, "ignore"), "test");
  EXPECT_EQ(file_kind(parsed("fn helper() {}\n"), true, "run"), "module");
  EXPECT_EQ(file_kind(parsed("// TIMEOUT: soon\nfn helper() {}\n"), true, "ignore"), "test")
      << "bad directives make a test, so that the problem is reported";
  EXPECT_EQ(file_kind(parsed(""), false, "ignore"), "test") << "unreadable";
}

}  // namespace
}  // namespace wyn
