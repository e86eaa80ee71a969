// wyn-launch cross-built for Windows, end to end under Wine: test
// directories as the compile step leaves them, with the helper child as
// the compiled program, judged and recorded by the real launcher.

#include <gtest/gtest.h>
#include <windows.h>

#include <filesystem>
#include <string>
#include <vector>

#include "process/subprocess.hpp"
#include "process/subprocess_detail.hpp"
#include "records/record.hpp"
#include "suite/suite_config.hpp"
#include "suite/test_spec.hpp"
#include "util/fs.hpp"
#include "util/hash.hpp"
#include "util/json_io.hpp"
#include "windows_test_util.hpp"

namespace wyn {
namespace {

using wyn_test::child_path;
using wyn_test::is_gone;
using wyn_test::read_pid;
using wyn_test::ScratchDir;

/// A suite of one test whose program is the helper child run with `args`.
class LaunchFixture {
 public:
  explicit LaunchFixture(const ScratchDir& dir, std::vector<std::string> args,
                         std::vector<std::string> expect = {}) {
    m_suite = dir.path("suite");
    m_test_dir = m_suite + "\\t\\0001";
    make_directories(m_test_dir);
    make_directories(m_suite + "\\src");
    const std::string source = m_suite + "\\src\\case.wyn";
    const std::string text = "fn main() {}\n";
    write_file_atomic(source, text);
    write_json_file(m_suite + "\\suite.json", {{"format", kConfigFormat},
                                               {"name", "win"},
                                               {"kind", "wyn"},
                                               {"root", m_suite + "\\src"},
                                               {"build_dir", m_suite},
                                               {"compiler", child_path()},
                                               {"launcher", WYN_LAUNCH},
                                               {"compiler_style", "build"},
                                               {"timeout_seconds", 30}});
    TestSpec spec{"win/case", source, "case.wyn", m_test_dir};
    write_json_file(m_test_dir + "\\test.json", spec);
    m_compile.name = spec.name;
    m_compile.source = source;
    m_compile.source_hash = fnv1a64_hex(text);
    m_compile.kind = "wyn";
    m_compile.status = "compiled";
    m_compile.executable = child_path();
    m_compile.codegen = "executable";
    m_compile.directives.args = std::move(args);
    for (size_t i = 0; i < expect.size(); ++i)
      m_compile.directives.expect.push_back(ExpectLine{static_cast<int>(i) + 1, expect[i]});
  }

  Directives& directives() { return m_compile.directives; }
  const std::string& test_dir() const { return m_test_dir; }

  /// Starts wyn-launch on the test, outside any job of ours.
  PROCESS_INFORMATION start() {
    write_json_file(m_test_dir + "\\compile.json", m_compile);
    std::vector<std::string> argv = {WYN_LAUNCH, m_test_dir};
    std::wstring line = detail::command_line(argv);
    // Its account goes to a file: a flood's excerpt would drown the test log.
    SECURITY_ATTRIBUTES inherit = {sizeof inherit, nullptr, TRUE};
    HANDLE log =
        ::CreateFileW(std::filesystem::u8path(m_suite + "\\launcher.log").c_str(), GENERIC_WRITE,
                      FILE_SHARE_READ, &inherit, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    STARTUPINFOW si = {};
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = ::GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = log;
    si.hStdError = log;
    PROCESS_INFORMATION pi = {};
    std::wstring program = std::filesystem::u8path(WYN_LAUNCH).wstring();
    EXPECT_TRUE(::CreateProcessW(program.c_str(), line.data(), nullptr, nullptr, TRUE, 0, nullptr,
                                 nullptr, &si, &pi))
        << "cannot start " << WYN_LAUNCH;
    ::CloseHandle(log);
    return pi;
  }

  /// Runs wyn-launch on the test; its exit code.
  int launch() {
    PROCESS_INFORMATION pi = start();
    if (pi.hProcess == nullptr) return -1;
    DWORD code = 255;
    if (::WaitForSingleObject(pi.hProcess, 60'000) != WAIT_OBJECT_0) {
      ::TerminateProcess(pi.hProcess, 255);
      ADD_FAILURE() << "wyn-launch did not finish within 60 s";
    }
    ::GetExitCodeProcess(pi.hProcess, &code);
    ::CloseHandle(pi.hThread);
    ::CloseHandle(pi.hProcess);
    return static_cast<int>(code);
  }

  TestRecord record() const { return read_json_as<TestRecord>(m_test_dir + "\\result.json"); }

 private:
  std::string m_suite;
  std::string m_test_dir;
  CompileRecord m_compile;
};

TEST(WindowsLaunch, Pass) {
  ScratchDir dir;
  LaunchFixture test(dir, {"print", "hello"}, {"hello"});
  EXPECT_EQ(test.launch(), 0);
  const TestRecord r = test.record();
  EXPECT_EQ(r.status, Status::passed) << r.reason;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.leaked);
}

TEST(WindowsLaunch, WrongOutput) {
  ScratchDir dir;
  LaunchFixture test(dir, {"print", "hello"}, {"goodbye"});
  EXPECT_EQ(test.launch(), 1);
  const TestRecord r = test.record();
  EXPECT_EQ(r.status, Status::failed) << r.reason;
  ASSERT_EQ(r.diff.size(), 1u);
  EXPECT_EQ(r.diff[0].expected, "goodbye");
  EXPECT_EQ(r.diff[0].actual, "hello");
}

TEST(WindowsLaunch, AccessViolationIsACrashWithItsName) {
  ScratchDir dir;
  LaunchFixture test(dir, {"crash"});
  EXPECT_EQ(test.launch(), 1);
  const TestRecord r = test.record();
  EXPECT_EQ(r.status, Status::crashed) << r.reason;
  EXPECT_EQ(r.signal, "0xC0000005 access violation");
  EXPECT_NE(r.reason.find("0xC0000005 access violation"), std::string::npos) << r.reason;
  EXPECT_EQ(r.reason.find("3221225477"), std::string::npos) << r.reason;
}

TEST(WindowsLaunch, HangIsKilledAtItsTimeoutWithItsGrandchild) {
  ScratchDir dir;
  const std::string pid_file = dir.path("grandchild.pid");
  LaunchFixture test(dir, {"spawn", pid_file, "hang"});
  test.directives().timeout_seconds = 2;
  EXPECT_EQ(test.launch(), 1);
  const TestRecord r = test.record();
  EXPECT_EQ(r.status, Status::timeout) << r.reason;
  EXPECT_NE(r.reason.find("its job"), std::string::npos) << r.reason;
  EXPECT_LT(r.run_seconds, 10);
  const unsigned long grandchild = read_pid(pid_file);
  ASSERT_NE(grandchild, 0u);
  EXPECT_TRUE(is_gone(grandchild)) << "grandchild " << grandchild << " survived the timeout";
  EXPECT_TRUE(is_gone(read_pid(pid_file, 1))) << "the test's program survived the timeout";
}

TEST(WindowsLaunch, LeftoverProcessIsALeak) {
  ScratchDir dir;
  const std::string pid_file = dir.path("grandchild.pid");
  LaunchFixture test(dir, {"spawn", pid_file, "exit"});
  EXPECT_EQ(test.launch(), 1);
  const TestRecord r = test.record();
  EXPECT_TRUE(r.leaked) << r.reason;
  EXPECT_EQ(r.status, Status::failed) << r.reason;
  const unsigned long grandchild = read_pid(pid_file);
  ASSERT_NE(grandchild, 0u);
  EXPECT_TRUE(is_gone(grandchild)) << "grandchild " << grandchild << " was left running";
}

TEST(WindowsLaunch, EightMiBOfOutputAreCapped) {
  ScratchDir dir;
  LaunchFixture test(dir, {"flood", std::to_string(8 << 20)});
  test.directives().output_limit_mb = 1;
  EXPECT_EQ(test.launch(), 1);
  const TestRecord r = test.record();
  EXPECT_EQ(r.status, Status::failed) << r.reason;
  EXPECT_EQ(r.limit_exceeded, "output") << r.reason;
  EXPECT_GT(r.output_bytes, 1u << 20);
  std::error_code ec;
  const auto stored =
      std::filesystem::file_size(std::filesystem::u8path(test.test_dir() + "\\output.txt"), ec);
  EXPECT_FALSE(ec);
  EXPECT_LE(stored, 1u << 20);
}

TEST(WindowsLaunch, KilledLauncherTakesItsJobWithIt) {
  ScratchDir dir;
  const std::string pid_file = dir.path("grandchild.pid");
  LaunchFixture test(dir, {"spawn", pid_file, "hang"});
  PROCESS_INFORMATION launcher = test.start();
  ASSERT_NE(launcher.hProcess, nullptr);
  // Until the test's grandchild exists.
  unsigned long grandchild = 0;
  for (int i = 0; i < 600 && grandchild == 0; ++i) {
    ::Sleep(50);
    grandchild = read_pid(pid_file);
  }
  ASSERT_NE(grandchild, 0u) << "the test never started its grandchild";
  // Killed outright: no handler of the launcher's runs.
  ::TerminateProcess(launcher.hProcess, 9);
  ::WaitForSingleObject(launcher.hProcess, INFINITE);
  ::CloseHandle(launcher.hThread);
  ::CloseHandle(launcher.hProcess);
  EXPECT_TRUE(is_gone(grandchild, 10))
      << "grandchild " << grandchild << " survived the launcher's death";
  EXPECT_TRUE(is_gone(read_pid(pid_file, 1))) << "the test's program survived the launcher";
  const TestRecord r = test.record();
  EXPECT_EQ(r.status, Status::harness_error) << "the placeholder record stays: " << r.reason;
}

}  // namespace
}  // namespace wyn
