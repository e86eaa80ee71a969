// The Windows process backend, run under Wine in CI: command-line quoting,
// exit statuses and crash names, the job object at a timeout and after the
// child exited, output caps, stdin, environment and working directory.

#include <gtest/gtest.h>
#include <windows.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "process/subprocess.hpp"
#include "process/subprocess_detail.hpp"
#include "util/hash.hpp"
#include "windows_test_util.hpp"

namespace wyn {
namespace {

using wyn_test::child_path;
using wyn_test::is_gone;
using wyn_test::read_pid;
using wyn_test::read_text;
using wyn_test::ScratchDir;

SpawnOptions child(std::vector<std::string> args) {
  SpawnOptions o;
  o.argv = {child_path()};
  o.argv.insert(o.argv.end(), args.begin(), args.end());
  o.env = current_environment();
  o.timeout_seconds = 60;
  return o;
}

ProcessResult run_captured(SpawnOptions o, const ScratchDir& dir, std::string& output) {
  o.stdout_path = dir.path("out.txt");
  ProcessResult r = run_process(o);
  output = read_text(o.stdout_path);
  return r;
}

TEST(WindowsCommandLine, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(detail::quote_argument(L"plain"), L"plain");
  EXPECT_EQ(detail::quote_argument(L""), L"\"\"");
  EXPECT_EQ(detail::quote_argument(L"a b"), L"\"a b\"");
  EXPECT_EQ(detail::quote_argument(L"a\"b"), L"\"a\\\"b\"");
  EXPECT_EQ(detail::quote_argument(L"C:\\dir\\"), L"C:\\dir\\");
  EXPECT_EQ(detail::quote_argument(L"C:\\my dir\\"), L"\"C:\\my dir\\\\\"");
  EXPECT_EQ(detail::quote_argument(L"a\\\\\"b"), L"\"a\\\\\\\\\\\"b\"");
}

TEST(WindowsCommandLine, EveryArgumentArrivesUnchanged) {
  ScratchDir dir;
  const std::vector<std::string> args = {"",
                                         "two words",
                                         "quote\"inside",
                                         "trailing\\",
                                         "C:\\my dir\\",
                                         "back\\\\\"slashes",
                                         "tab\there",
                                         "\xC3\xA9t\xC3\xA9 \xE2\x82\xAC",
                                         "%PATH%",
                                         "^&|<>"};
  std::vector<std::string> argv = {"args"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::string output;
  ProcessResult r = run_captured(child(argv), dir, output);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.exit_code, 0);
  std::string expected;
  for (const std::string& a : args) expected += a + "\n";
  EXPECT_EQ(output, expected);
}

TEST(WindowsProcess, ExitCodeIsReported) {
  ProcessResult r = run_process(child({"exit", "42"}));
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.exit_code, 42);
  EXPECT_EQ(r.signal, 0);
  EXPECT_FALSE(r.leaked);
  EXPECT_FALSE(r.timed_out);
}

TEST(WindowsProcess, ProgramFoundInPathWithoutExtension) {
  ScratchDir dir;
  std::filesystem::path program = std::filesystem::u8path(child_path());
  SpawnOptions o = child({"print", "found"});
  o.argv[0] = program.stem().u8string();
  for (std::string& e : o.env) {
    if (_strnicmp(e.c_str(), "PATH=", 5) == 0) e = "PATH=" + program.parent_path().u8string();
  }
  std::string output;
  ProcessResult r = run_captured(o, dir, output);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(output, "found\n");
}

TEST(WindowsProcess, MissingProgramIsASpawnError) {
  SpawnOptions o = child({});
  o.argv[0] = "C:\\no\\such\\program.exe";
  ProcessResult r = run_process(o);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.spawn_errno, ENOENT);
  EXPECT_NE(r.spawn_error.find("cannot execute"), std::string::npos) << r.spawn_error;
}

// Under Wine a Windows program can start a Linux one, but gets no process
// handle for it: the harness must refuse it rather than judge a program it
// cannot wait for.
TEST(WindowsProcess, LinuxProgramUnderWineIsASpawnError) {
  if (!wyn_test::under_wine()) GTEST_SKIP() << "needs Wine: only Wine starts Linux programs";
  SpawnOptions o = child({});
  o.argv = {"/bin/sh", "-c", "exit 0"};
  ProcessResult r = run_process(o);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.spawn_errno, ENOEXEC);
  EXPECT_NE(r.spawn_error.find("not a Windows program"), std::string::npos) << r.spawn_error;
}

struct Crash {
  const char* mode;
  unsigned long status;
  const char* name;
};

class WindowsCrash : public ::testing::TestWithParam<Crash> {};

TEST_P(WindowsCrash, IsReportedWithItsName) {
  const Crash& c = GetParam();
  ProcessResult r = run_process(child({c.mode}));
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(static_cast<unsigned long>(static_cast<unsigned>(r.signal)), c.status)
      << "exit code " << r.exit_code;
  EXPECT_EQ(signal_name(r.signal), c.name);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_FALSE(r.sent_sigkill);
}

INSTANTIATE_TEST_SUITE_P(
    Kinds, WindowsCrash,
    ::testing::Values(Crash{"crash", 0xC0000005ul, "0xC0000005 access violation"},
                      Crash{"divzero", 0xC0000094ul, "0xC0000094 integer divide by zero"},
                      Crash{"illegal", 0xC000001Dul, "0xC000001D illegal instruction"}),
    [](const ::testing::TestParamInfo<Crash>& info) { return std::string(info.param.mode); });

TEST(WindowsProcess, StackOverflowIsACrash) {
  if (wyn_test::under_wine())
    GTEST_SKIP() << "Wine ends a program that overflowed its stack with exit code 0 or 1";
  ProcessResult r = run_process(child({"stackoverflow"}));
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(signal_name(r.signal), "0xC00000FD stack overflow") << "exit code " << r.exit_code;
}

TEST(WindowsProcess, AbortIsExitCodeThree) {
  // The C runtime's abort() ends the process with exit code 3: Windows has
  // no way to tell it from exit(3), so it is reported as that exit code.
  ProcessResult r = run_process(child({"abort"}));
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.exit_code, 3);
}

TEST(WindowsCrashNames, NameTheCommonStatuses) {
  EXPECT_EQ(signal_name(static_cast<int>(0xC0000409u)),
            "0xC0000409 stack buffer overrun (fail fast)");
  EXPECT_EQ(signal_name(static_cast<int>(0xC0001234u)), "0xC0001234 exception");
  EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
  EXPECT_EQ(signal_name(SIGINT), "SIGINT");
  EXPECT_TRUE(detail::is_crash_status(0xC0000005ul));
  EXPECT_FALSE(detail::is_crash_status(3));
  EXPECT_FALSE(detail::is_crash_status(255));
}

TEST(WindowsJob, TimeoutKillsTheWholeTree) {
  ScratchDir dir;
  SpawnOptions o = child({"spawn", dir.path("pid"), "hang"});
  o.timeout_seconds = 2;
  ProcessResult r = run_process(o);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_TRUE(r.timed_out);
  EXPECT_TRUE(r.sent_sigkill);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_FALSE(r.leaked) << "the tree died of the timeout, it did not leak";
  EXPECT_LT(r.wall_seconds, 10);
  const unsigned long grandchild = read_pid(dir.path("pid"));
  ASSERT_NE(grandchild, 0u);
  EXPECT_TRUE(is_gone(grandchild)) << "grandchild " << grandchild << " survived the timeout";
  EXPECT_TRUE(is_gone(read_pid(dir.path("pid"), 1))) << "the child survived the timeout";
}

TEST(WindowsJob, ProcessLeftBehindIsKilledAndReported) {
  ScratchDir dir;
  ProcessResult r = run_process(child({"spawn", dir.path("pid"), "exit"}));
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_TRUE(r.leaked);
  // Not an exact count: Wine adds a console host to the job.
  EXPECT_GE(r.leaked_processes, 1);
  const unsigned long grandchild = read_pid(dir.path("pid"));
  ASSERT_NE(grandchild, 0u);
  EXPECT_TRUE(is_gone(grandchild)) << "grandchild " << grandchild << " was left running";
}

TEST(WindowsJob, NothingLeftMeansNoLeak) {
  ProcessResult r = run_process(child({"print", "alone"}));
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_FALSE(r.leaked);
  EXPECT_EQ(r.leaked_processes, 0);
}

TEST(WindowsOutput, EightMiBAreCappedAtTheCaptureLimit) {
  ScratchDir dir;
  SpawnOptions o = child({"flood", std::to_string(8 << 20)});
  o.capture_limit_bytes = 1 << 20;
  std::string output;
  ProcessResult r = run_captured(o, dir, output);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.bytes_total, 8u << 20);
  EXPECT_EQ(r.out.bytes_stored, 1u << 20);
  EXPECT_EQ(output.size(), 1u << 20);
  EXPECT_EQ(r.out.fnv1a64, fnv1a64_hex(std::string(8 << 20, 'x')));
}

TEST(WindowsOutput, OutputLimitStopsTheChild) {
  SpawnOptions o = child({"flood", std::to_string(1ll << 34)});
  o.output_limit_bytes = 1 << 20;
  ProcessResult r = run_process(o);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_TRUE(r.output_limit_exceeded);
  EXPECT_TRUE(r.sent_sigkill);
  EXPECT_GT(r.out.bytes_total, 1u << 20);
  EXPECT_LT(r.out.bytes_total, 1ull << 34);
}

TEST(WindowsOutput, SplitModeKeepsTheStreamsApart) {
  ScratchDir dir;
  SpawnOptions o = child({"stderr", "to stderr"});
  o.capture = CaptureMode::split;
  o.stdout_path = dir.path("out");
  o.stderr_path = dir.path("err");
  ProcessResult r = run_process(o);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(read_text(o.stdout_path), "");
  EXPECT_EQ(read_text(o.stderr_path), "to stderr\n");
  EXPECT_EQ(r.err.bytes_total, 10u);
}

TEST(WindowsInput, StdinComesFromTheFile) {
  ScratchDir dir;
  const std::string input = dir.path("in.txt");
  std::ofstream(std::filesystem::u8path(input), std::ios::binary) << "line one\r\nline two\n";
  SpawnOptions o = child({"cat"});
  o.stdin_path = input;
  std::string output;
  ProcessResult r = run_captured(o, dir, output);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(output, "line one\r\nline two\n");
}

TEST(WindowsInput, NoStdinFileMeansEmptyInput) {
  ScratchDir dir;
  std::string output;
  ProcessResult r = run_captured(child({"cat"}), dir, output);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(output, "");
}

TEST(WindowsEnvironment, TheChildGetsExactlyTheBlock) {
  ScratchDir dir;
  SpawnOptions o = child({"env", "WYN_WINDOWS_TEST"});
  o.env.push_back("WYN_WINDOWS_TEST=a value; with = signs");
  std::string output;
  ProcessResult r = run_captured(o, dir, output);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_EQ(output, "a value; with = signs\n");

  o = child({"env", "WYN_NOT_SET_ANYWHERE"});
  r = run_captured(o, dir, output);
  EXPECT_EQ(output, "(unset)\n");
}

TEST(WindowsDirectory, ChildRunsInTheGivenDirectory) {
  ScratchDir dir;
  const std::string work = dir.path("work dir");
  std::filesystem::create_directory(std::filesystem::u8path(work));
  SpawnOptions o = child({"cwd"});
  o.cwd = work;
  std::string output;
  ProcessResult r = run_captured(o, dir, output);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_TRUE(std::filesystem::equivalent(
      std::filesystem::u8path(output.substr(0, output.size() - 1)), std::filesystem::u8path(work)))
      << output;
}

TEST(WindowsDirectory, MissingDirectoryIsASpawnError) {
  SpawnOptions o = child({"cwd"});
  o.cwd = "C:\\no\\such\\directory";
  ProcessResult r = run_process(o);
  EXPECT_FALSE(r.started);
  EXPECT_NE(r.spawn_error.find("cannot change directory"), std::string::npos) << r.spawn_error;
}

TEST(WindowsLimits, MemoryLimitMakesAllocationsFail) {
  if (wyn_test::under_wine()) GTEST_SKIP() << "Wine does not enforce a job's memory limit";
  ScratchDir dir;
  SpawnOptions o = child({"alloc", "512"});
  o.limits.address_space_bytes = 64ull << 20;
  std::string output;
  ProcessResult r = run_captured(o, dir, output);
  ASSERT_TRUE(r.started) << r.spawn_error;
  EXPECT_NE(r.exit_code, 0) << "512 MiB allocated under a 64 MiB job limit";
}

TEST(WindowsBackend, NamesItself) { EXPECT_STREQ(process_backend(), "windows"); }

}  // namespace
}  // namespace wyn
