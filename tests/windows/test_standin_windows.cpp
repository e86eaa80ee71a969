// The stand-in Wyn compiler cross-built for Windows (generator/standin),
// under Wine or on Windows: its command lines, the C compiler it starts,
// and the programs it builds (the runtime's output, exit statuses, crashes,
// floods, orphans), and `wyn run`'s job. Under Wine the C compiler must be
// a Windows program: host_run.exe beside the helper child, which runs the
// host's mingw gcc; without it the tests that build programs are skipped.
// The front end's diagnostics and the compiler's command line need none.

#include <gtest/gtest.h>
#include <windows.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "process/subprocess.hpp"
#include "process/subprocess_detail.hpp"
#include "windows_test_util.hpp"

namespace wyn {
namespace {

using wyn_test::child_path;
using wyn_test::is_gone;
using wyn_test::read_pid;
using wyn_test::read_text;
using wyn_test::ScratchDir;

const std::string k_build_compiler = WYN_STANDIN_BUILD_COMPILER;
const std::string k_legacy_compiler = WYN_STANDIN_LEGACY_COMPILER;

/// `env` with NAME=value entries replaced or added (names compared without
/// case, as Windows does).
std::vector<std::string> with_env(std::vector<std::string> env,
                                  const std::vector<std::string>& settings) {
  for (const std::string& setting : settings) {
    const std::string name = setting.substr(0, setting.find('=') + 1);
    env.erase(std::remove_if(env.begin(), env.end(),
                             [&name](const std::string& entry) {
                               return entry.size() >= name.size() &&
                                      _strnicmp(entry.c_str(), name.c_str(), name.size()) == 0;
                             }),
              env.end());
    env.push_back(setting);
  }
  return env;
}

/// A finished process: its result, stdout and stderr.
struct Outcome {
  ProcessResult result;
  std::string out;
  std::string err;
};

/// Runs `argv` in `dir` with `settings` added to the environment, stdout
/// and stderr captured apart; stdin from `stdin_path` (else NUL).
Outcome run_in(const ScratchDir& dir, std::vector<std::string> argv,
               const std::vector<std::string>& settings = {}, const std::string& stdin_path = "") {
  static int counter = 0;
  const std::string tag = std::to_string(counter++);
  SpawnOptions options;
  options.argv = std::move(argv);
  options.cwd = dir.path();
  options.env = with_env(current_environment(), settings);
  options.stdin_path = stdin_path;
  options.capture = CaptureMode::split;
  options.stdout_path = dir.path("stdout-" + tag + ".txt");
  options.stderr_path = dir.path("stderr-" + tag + ".txt");
  options.timeout_seconds = 60;
  Outcome r;
  r.result = run_process(options);
  r.out = read_text(options.stdout_path);
  r.err = read_text(options.stderr_path);
  return r;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream(std::filesystem::u8path(path), std::ios::binary) << text;
}

/// Adds to `settings` what gives the stand-in a C compiler; false with `why`
/// saying why there is none. A WYN_CC of the environment is used as it is.
/// On Windows none is needed (gcc on PATH). Under Wine: host_run.exe
/// running the host's mingw gcc, host_run.exe from beside the helper child
/// or where the top-level build puts it (WYN_HOST_RUN).
bool c_compiler_setting(std::vector<std::string>& settings, std::string& why) {
  if (const char* cc = std::getenv("WYN_CC"); cc && *cc) return true;
  if (!wyn_test::under_wine()) return true;
  std::string host_run;
  for (const std::filesystem::path& candidate :
       {std::filesystem::u8path(child_path()).parent_path() / "host_run.exe",
        std::filesystem::u8path(WYN_HOST_RUN)}) {
    if (host_run.empty() && std::filesystem::exists(candidate)) host_run = candidate.u8string();
  }
  if (host_run.empty()) {
    why = std::string("no host_run.exe (tests/windows/helpers/host_run.c) beside ") + child_path() +
          " nor at " + WYN_HOST_RUN +
          ", and no WYN_CC: under Wine the stand-in has no C compiler it can run";
    return false;
  }
  if (host_run.find(' ') != std::string::npos) {
    why = "WYN_CC is split on blanks, and " + host_run + " has one";
    return false;
  }
  settings.push_back("WYN_CC=" + host_run + " " + WYN_HOST_C_COMPILER + " -static");
  return true;
}

#define REQUIRE_C_COMPILER(settings)                             \
  do {                                                           \
    std::string why;                                             \
    if (!c_compiler_setting(settings, why)) GTEST_SKIP() << why; \
  } while (0)

/// Builds `name`.wyn with `source` in `dir` into `name`.exe; the executable's path.
std::string build_program(const ScratchDir& dir, const std::vector<std::string>& settings,
                          const std::string& name, const std::string& source) {
  write_text(dir.path(name + ".wyn"), source);
  const Outcome r = run_in(dir, {k_build_compiler, "build", name + ".wyn", "-o", name}, settings);
  EXPECT_EQ(r.result.exit_code, 0) << r.out << r.err;
  return dir.path(name + ".exe");
}

const char k_bad_program[] =
    "fn main() -> int {\n"
    "    println(\"x\")\n"
    "    undefined_fn()\n"
    "    return 0\n"
    "}\n";

TEST(StandinWindows, CompileErrorsAreDiagnosedInBothGenerations) {
  ScratchDir dir;
  write_text(dir.path("bad.wyn"), k_bad_program);
  Outcome r = run_in(dir, {k_build_compiler, "build", "bad.wyn"}, {"NO_COLOR=1"});
  EXPECT_EQ(r.result.exit_code, 1);
  EXPECT_NE(r.err.find("bad.wyn:3: error: Undefined function 'undefined_fn'"), std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::u8path(dir.path("bad.exe"))));

  r = run_in(dir, {k_legacy_compiler, "bad.wyn"}, {"NO_COLOR=1"});
  EXPECT_EQ(r.result.exit_code, 1);
  EXPECT_NE(r.err.find("Error at line 3: Undefined function 'undefined_fn'"), std::string::npos)
      << r.err;

  r = run_in(dir, {k_build_compiler, "build", "missing.wyn"});
  EXPECT_EQ(r.result.exit_code, 1);
  EXPECT_NE(r.err.find("Error: Could not open file 'missing.wyn'"), std::string::npos) << r.err;

  r = run_in(dir, {k_build_compiler, "check", "bad.wyn"}, {"NO_COLOR=1"});
  EXPECT_EQ(r.result.exit_code, 1);
}

TEST(StandinWindows, TheCompilerGetsItsArgumentsUnchanged) {
  // The helper child plays the C compiler and prints its arguments.
  ScratchDir dir;
  std::filesystem::create_directories(std::filesystem::u8path(dir.path("dir with space")));
  write_text(dir.path("dir with space\\main.wyn"), "fn main() -> int {\n    return 0\n}\n");
  const Outcome r =
      run_in(dir, {k_build_compiler, "build", "dir with space\\main.wyn", "-o", "out put"},
             {"WYN_CC=" + child_path() + " args"});
  ASSERT_EQ(r.result.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("Building dir with space\\main.wyn...\r\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n-o\nout put\ndir with space\\main.wyn.c\n"), std::string::npos) << r.out;
  // The runtime beside the compiler, found through its own path.
  const size_t include = r.out.find("\n-I\n");
  ASSERT_NE(include, std::string::npos) << r.out;
  const std::string runtime =
      r.out.substr(include + 4, r.out.find('\n', include + 4) - (include + 4));
  EXPECT_TRUE(std::filesystem::equivalent(
      std::filesystem::u8path(runtime),
      std::filesystem::u8path(k_build_compiler).parent_path() / "runtime"))
      << runtime;
  EXPECT_NE(r.out.find("\n" + runtime + "/libwyn_rt.a\n-lpthread\n-lm\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("Built: out put (0KB, "), std::string::npos) << r.out;
  EXPECT_TRUE(
      std::filesystem::exists(std::filesystem::u8path(dir.path("dir with space\\main.wyn.c"))));
}

TEST(StandinWindows, AFailingCompilerFailsTheBuild) {
  ScratchDir dir;
  write_text(dir.path("main.wyn"), "fn main() -> int {\n    return 0\n}\n");
  Outcome r =
      run_in(dir, {k_build_compiler, "build", "main.wyn"}, {"WYN_CC=" + child_path() + " exit 7"});
  EXPECT_EQ(r.result.exit_code, 1);
  EXPECT_NE(r.err.find("failed with exit status 7"), std::string::npos) << r.err;

  r = run_in(dir, {k_build_compiler, "build", "main.wyn"}, {"WYN_CC=no-such-compiler"});
  EXPECT_EQ(r.result.exit_code, 1);
  EXPECT_NE(r.err.find("Error: cannot run 'no-such-compiler'"), std::string::npos) << r.err;
}

TEST(StandinWindows, BuildsAProgramWithTheRuntime) {
  std::vector<std::string> settings;
  REQUIRE_C_COMPILER(settings);
  ScratchDir dir;
  const std::string exe = build_program(dir, settings, "prog",
                                        "fn main() -> int {\n"
                                        "    println(\"hello\")\n"
                                        "    eprintln(\"to stderr\")\n"
                                        "    print_env(\"WYN_TEST_VALUE\")\n"
                                        "    print_env(\"WYN_TEST_UNSET\")\n"
                                        "    print_args()\n"
                                        "    write_file(\"out/sub/report.txt\", \"one\\ntwo\\n\")\n"
                                        "    print_file(\"out/sub/report.txt\")\n"
                                        "    write_tmp(\"scratch.txt\", \"tmp data\\n\")\n"
                                        "    print_tmp(\"scratch.txt\")\n"
                                        "    count_tmp(\"count.txt\")\n"
                                        "    read_stdin()\n"
                                        "    return 7\n"
                                        "}\n");
  ASSERT_TRUE(std::filesystem::exists(std::filesystem::u8path(exe))) << "-o prog writes prog.exe";
  std::filesystem::create_directories(std::filesystem::u8path(dir.path("tmp")));
  write_text(dir.path("input.txt"), "first\r\nsecond\n");
  const Outcome r =
      run_in(dir, {exe, "a", "b c"}, {"WYN_TEST_VALUE=v", "TMPDIR=" + dir.path("tmp")},
             dir.path("input.txt"));
  EXPECT_EQ(r.result.exit_code, 7);
  // Text-mode stdout, as printf's: every "\n" goes out as "\r\n"; stdin's
  // "\r\n" comes in as "\n". Files hold the bytes written.
  EXPECT_EQ(r.out,
            "hello\r\nv\r\n<unset>\r\na\r\nb c\r\none\r\ntwo\r\ntmp data\r\n1\r\nfirst\r\n"
            "second\r\n");
  EXPECT_EQ(r.err, "to stderr\r\n");
  EXPECT_EQ(read_text(dir.path("out\\sub\\report.txt")), "one\ntwo\n");
  EXPECT_EQ(read_text(dir.path("tmp\\scratch.txt")), "tmp data\n");
}

TEST(StandinWindows, FlakyProgramsAndTheirWorkingDirectory) {
  std::vector<std::string> settings;
  REQUIRE_C_COMPILER(settings);
  ScratchDir dir;
  const std::string flaky = build_program(dir, settings, "flaky",
                                          "fn main() -> int {\n"
                                          "    fail_times(\"state\\\\runs.txt\", 1)\n"
                                          "    alloc_mb(16)\n"
                                          "    return 0\n"
                                          "}\n");
  std::filesystem::create_directories(std::filesystem::u8path(dir.path("state")));
  Outcome r = run_in(dir, {flaky});
  EXPECT_EQ(r.result.exit_code, 1);
  EXPECT_EQ(r.err, "fail_times: run 1 of the 1 that fail\r\n");
  r = run_in(dir, {flaky});
  EXPECT_EQ(r.result.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "allocated 16 MiB\r\n");
  EXPECT_EQ(read_text(dir.path("state\\runs.txt")), "2\n");

  const std::string needy = build_program(dir, settings, "needy",
                                          "fn main() -> int {\n"
                                          "    require_dir(\"state\", 3)\n"
                                          "    require_file(\"state/runs.txt\", 4)\n"
                                          "    require_file(\"state\", 5)\n"
                                          "    return 0\n"
                                          "}\n");
  r = run_in(dir, {needy});
  EXPECT_EQ(r.result.exit_code, 5);
  EXPECT_NE(r.err.find("require_file: 'state' is not a file in "), std::string::npos) << r.err;
}

TEST(StandinWindows, ProgramsCrashAsWindowsProgramsDo) {
  std::vector<std::string> settings;
  REQUIRE_C_COMPILER(settings);
  ScratchDir dir;
  struct Case {
    const char* builtin;
    int exit_code;
    unsigned long exception;
  };
  for (const Case& c :
       {Case{"crash", -1, 0xC0000005ul}, Case{"fpe", -1, 0xC0000094ul}, Case{"abort", 3, 0}}) {
    SCOPED_TRACE(c.builtin);
    const std::string exe =
        build_program(dir, settings, c.builtin,
                      std::string("fn main() -> int {\n    println(\"before\")\n    ") + c.builtin +
                          "()\n    return 0\n}\n");
    const Outcome r = run_in(dir, {exe});
    EXPECT_EQ(r.out, "before\r\n");
    if (c.exception != 0) {
      EXPECT_EQ(static_cast<unsigned long>(r.result.signal), c.exception);
    } else {
      EXPECT_EQ(r.result.signal, 0);
      EXPECT_EQ(r.result.exit_code, c.exit_code);
    }
  }
}

TEST(StandinWindows, FloodsWriteExactlyTheBytesAsked) {
  std::vector<std::string> settings;
  REQUIRE_C_COMPILER(settings);
  ScratchDir dir;
  const std::string exe = build_program(dir, settings, "flood",
                                        "fn main() -> int {\n"
                                        "    flood(3145728)\n"
                                        "    flood_stderr(1000001)\n"
                                        "    println(\"done\")\n"
                                        "    return 0\n"
                                        "}\n");
  const Outcome r = run_in(dir, {exe});
  EXPECT_EQ(r.result.exit_code, 0);
  EXPECT_EQ(r.result.out.bytes_total, 3145728u + 6u) << "raw bytes, then a text-mode line";
  EXPECT_EQ(r.result.err.bytes_total, 1000001u);
  EXPECT_EQ(r.out.substr(r.out.size() - 6), "done\r\n");
}

TEST(StandinWindows, AnOrphanKeepsStdoutOpen) {
  std::vector<std::string> settings;
  REQUIRE_C_COMPILER(settings);
  ScratchDir dir;
  const std::string exe = build_program(dir, settings, "orphan",
                                        "fn main() -> int {\n"
                                        "    println(\"parent\")\n"
                                        "    spawn_orphan(30000)\n"
                                        "    return 0\n"
                                        "}\n");
  // The program is gone at once; its orphan holds the pipe past the drain
  // time, and the harness finds and kills it.
  const Outcome r = run_in(dir, {exe});
  EXPECT_EQ(r.result.exit_code, 0);
  EXPECT_EQ(r.out, "parent\r\n");
  EXPECT_TRUE(r.result.leaked);
  EXPECT_GE(r.result.leaked_processes, 1);
}

TEST(StandinWindows, WynRunPassesOnTheExitStatus) {
  std::vector<std::string> settings;
  REQUIRE_C_COMPILER(settings);
  ScratchDir dir;
  write_text(dir.path("seven.wyn"), "fn main() -> int {\n    print_args()\n    return 7\n}\n");
  write_text(dir.path("crash.wyn"), "fn main() -> int {\n    crash()\n    return 0\n}\n");
  settings.push_back("TMPDIR=" + dir.path("tmp"));
  std::filesystem::create_directories(std::filesystem::u8path(dir.path("tmp")));
  Outcome r = run_in(dir, {k_build_compiler, "run", "seven.wyn", "x y"}, settings);
  EXPECT_EQ(r.result.exit_code, 7) << r.err;
  EXPECT_EQ(r.out, "x y\r\n");
  EXPECT_NE(r.err.find("Compiled in "), std::string::npos) << r.err;
  r = run_in(dir, {k_build_compiler, "run", "crash.wyn"}, settings);
  EXPECT_EQ(static_cast<unsigned long>(r.result.signal), 0xC0000005ul);
  // Nothing beside the source, and the program's directory removed.
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::u8path(dir.path("seven.exe"))));
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::u8path(dir.path("tmp"))))
    EXPECT_NE(entry.path().filename().u8string().rfind("wyn-run-", 0), 0u) << entry.path();
}

TEST(StandinWindows, WynRunTakesItsProgramAlongWhenKilled) {
  std::vector<std::string> settings;
  REQUIRE_C_COMPILER(settings);
  ScratchDir dir;
  write_text(dir.path("hang.wyn"),
             "fn main() -> int {\n    print_pid()\n    hang()\n    return 0\n}\n");
  // Started outside any job of ours, its output to files. Killed, it
  // leaves its directory behind: in the scratch directory.
  settings.push_back("TMPDIR=" + dir.path());
  std::vector<std::string> env = with_env(current_environment(), settings);
  std::wstring block;
  for (const std::string& entry : env) block += detail::widen(entry) + L'\0';
  block += L'\0';
  SECURITY_ATTRIBUTES inherit = {sizeof inherit, nullptr, TRUE};
  HANDLE log =
      ::CreateFileW(std::filesystem::u8path(dir.path("pid.txt")).c_str(), GENERIC_WRITE,
                    FILE_SHARE_READ, &inherit, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  HANDLE errors =
      ::CreateFileW(std::filesystem::u8path(dir.path("stderr.txt")).c_str(), GENERIC_WRITE,
                    FILE_SHARE_READ, &inherit, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  ASSERT_NE(log, INVALID_HANDLE_VALUE);
  ASSERT_NE(errors, INVALID_HANDLE_VALUE);
  STARTUPINFOW si = {};
  si.cb = sizeof si;
  si.dwFlags = STARTF_USESTDHANDLES;
  si.hStdOutput = log;
  si.hStdError = errors;
  std::wstring line = detail::command_line({k_build_compiler, "run", "hang.wyn"});
  const std::wstring cwd = std::filesystem::u8path(dir.path()).wstring();
  PROCESS_INFORMATION pi = {};
  ASSERT_TRUE(::CreateProcessW(nullptr, line.data(), nullptr, nullptr, TRUE,
                               CREATE_UNICODE_ENVIRONMENT, block.data(), cwd.c_str(), &si, &pi));
  ::CloseHandle(log);
  ::CloseHandle(errors);
  ::CloseHandle(pi.hThread);
  unsigned long pid = 0;
  for (int i = 0; i < 600 && pid == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    pid = read_pid(dir.path("pid.txt"));
    if (::WaitForSingleObject(pi.hProcess, 0) == WAIT_OBJECT_0) break;
  }
  if (pid == 0) ::TerminateProcess(pi.hProcess, 9);
  ASSERT_NE(pid, 0ul) << read_text(dir.path("pid.txt")) << read_text(dir.path("stderr.txt"));
  HANDLE program = ::OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(pid));
  ASSERT_NE(program, nullptr);
  EXPECT_EQ(::WaitForSingleObject(program, 200), static_cast<DWORD>(WAIT_TIMEOUT))
      << "the program runs";
  ::CloseHandle(program);
  ::TerminateProcess(pi.hProcess, 9);
  ::WaitForSingleObject(pi.hProcess, INFINITE);
  ::CloseHandle(pi.hProcess);
  EXPECT_TRUE(is_gone(pid)) << "the job of `wyn run` closed with it, and took the program along";
}

}  // namespace
}  // namespace wyn
