// The real wyn-cc in front of the real C compiler, with and without ccache:
// the command shapes of both Wyn generations give the same programs as
// without it, objects come from the memo until a source or a header
// changes, failures keep their diagnostics and status, and what it does not
// understand runs unchanged.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "cache/toolchain/counters.hpp"
#include "process/subprocess.hpp"
#include "temp_dir.hpp"
#include "toolchain/setup.hpp"
#include "util/fs.hpp"

namespace wyn {
namespace {

class WynCc : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    root = dir.path();
    make_directories(root + "/src");
    make_directories(root + "/work");
    write_file_atomic(root + "/src/rt.h", "#define GREETING \"hello\"\n");
    write_file_atomic(root + "/src/a.c",
                      "#include <stdio.h>\n#include \"rt.h\"\n"
                      "void greet(void) { puts(GREETING); }\n");
    write_file_atomic(root + "/src/b.c",
                      "#include <math.h>\nint twice(int x) { return (int)sqrt(4.0) * x; }\n");
    write_file_atomic(root + "/work/main.c",
                      "void greet(void); int twice(int);\n"
                      "int main(void) { greet(); return twice(21); }\n");
    ensure_wrapper_links(root + "/bin", WYN_CC_WRAPPER);
    const bool with_ccache = GetParam();
    if (with_ccache && !path_exists("/usr/bin/ccache")) GTEST_SKIP() << "no ccache";
    for (const std::string& e : current_environment())
      if (e.rfind("PATH=", 0) != 0 && e.rfind("WYN_CTEST_CC_", 0) != 0 &&
          e.rfind("CCACHE_", 0) != 0)
        env.push_back(e);
    env.push_back("PATH=" + root + "/bin:/usr/bin:/bin");
    env.push_back("WYN_CTEST_CC_MEMO=" + root + "/memo");
    env.push_back("WYN_CTEST_CC_CACHE=" + root + "/cache");
    if (with_ccache) env.push_back("WYN_CTEST_CC_CCACHE=/usr/bin/ccache");
  }

  /// Runs `argv` in work/ with the wrapper first on PATH; its exit code.
  int run(const std::vector<std::string>& argv, std::string* output = nullptr) {
    SpawnOptions options;
    options.argv = argv;
    options.cwd = root + "/work";
    options.env = env;
    options.stdout_path = root + "/out.txt";
    options.timeout_seconds = 120;
    const ProcessResult r = run_process(options);
    if (output) try_read_file(options.stdout_path, *output);
    return r.signal ? 128 + r.signal : r.exit_code;
  }

  int run_program(std::string& output) { return run({root + "/work/prog"}, &output); }

  ToolchainCounters counters() { return read_toolchain_counters(root + "/cache"); }

  std::vector<std::string> legacy_link() {
    return {"cc", "-o", "prog", "main.o", root + "/src/a.c", root + "/src/b.c", "-lm"};
  }

  TempDir dir;
  std::string root;
  std::vector<std::string> env;
};

TEST_P(WynCc, LegacyLinkIsSplitAndObjectsComeFromTheMemoUntilAHeaderChanges) {
  ASSERT_EQ(run({"cc", "-c", "main.c", "-o", "main.o"}), 0);  // -c: passed through
  EXPECT_EQ(counters().pass_throughs, 1u);
  ASSERT_EQ(run(legacy_link()), 0);
  std::string output;
  EXPECT_EQ(run_program(output), 42);
  EXPECT_EQ(output, "hello\n");
  ToolchainCounters c = counters();
  EXPECT_EQ(c.compiles, 2u);
  EXPECT_EQ(c.splits, 1u);
  EXPECT_EQ(c.memo_hits, 0u);

  ASSERT_EQ(run(legacy_link()), 0);
  c = counters();
  EXPECT_EQ(c.compiles, 2u);
  EXPECT_EQ(c.memo_hits, 2u);
  EXPECT_EQ(c.links, 1u);
  EXPECT_EQ(c.link_hits, 1u);  // the same objects: the same program

  write_file_atomic(root + "/src/rt.h", "#define GREETING \"changed\"\n");
  ASSERT_EQ(run(legacy_link()), 0);
  EXPECT_EQ(run_program(output), 42);
  EXPECT_EQ(output, "changed\n");
  c = counters();
  EXPECT_EQ(c.compiles, 3u);  // a.c read the header, b.c did not
  EXPECT_EQ(c.memo_hits, 3u);
  EXPECT_EQ(c.links, 2u);
}

TEST_P(WynCc, BuildGenerationCommandWithAnArchive) {
  ASSERT_EQ(run({"cc", "-c", root + "/src/b.c", "-o", "b.o"}), 0);
  ASSERT_EQ(run({"ar", "rcs", "librt.a", "b.o"}), 0);
  write_file_atomic(root + "/work/name.wyn.c",
                    "#include <stdio.h>\n#include \"rt.h\"\nint twice(int);\n"
                    "int main(void) { puts(GREETING); return twice(3); }\n");
  const std::vector<std::string> command = {"wyn-cc",
                                            "-std=c11",
                                            "-O0",
                                            "-w",
                                            "-ffunction-sections",
                                            "-fdata-sections",
                                            "-I",
                                            root + "/src",
                                            "-Wl,--allow-multiple-definition,--gc-sections",
                                            "-o",
                                            "prog",
                                            "name.wyn.c",
                                            "librt.a",
                                            "-lpthread",
                                            "-lm"};
  ASSERT_EQ(run(command), 0);
  ASSERT_EQ(run(command), 0);
  std::string output;
  EXPECT_EQ(run_program(output), 6);
  EXPECT_EQ(output, "hello\n");
  const ToolchainCounters c = counters();
  EXPECT_EQ(c.splits, 2u);
  EXPECT_EQ(c.compiles, 1u);
  EXPECT_EQ(c.memo_hits, 1u);
  EXPECT_EQ(c.links, 1u);
  EXPECT_EQ(c.link_hits, 1u);
}

TEST_P(WynCc, TheLinkMemoRestoresTheProgramUntilAnInputOrTheStoredCopyChanges) {
  const auto archive = [this](const char* body) {
    write_file_atomic(root + "/src/b.c", body);
    ASSERT_EQ(run({"cc", "-c", root + "/src/b.c", "-o", "b.o"}), 0);
    ::unlink((root + "/work/librt.a").c_str());
    ASSERT_EQ(run({"ar", "rcs", "librt.a", "b.o"}), 0);
  };
  archive("int twice(int x) { return 2 * x; }\n");
  write_file_atomic(root + "/work/t.c", "int twice(int); int main(void) { return twice(4); }\n");
  const std::vector<std::string> command = {"wyn-cc", "-O0", "-o", "prog", "t.c", "librt.a"};
  ASSERT_EQ(run(command), 0);
  const std::string linked = read_file(root + "/work/prog");
  ::unlink((root + "/work/prog").c_str());
  ASSERT_EQ(run(command), 0);
  EXPECT_EQ(counters().link_hits, 1u);
  EXPECT_EQ(read_file(root + "/work/prog"), linked);
  EXPECT_EQ(::access((root + "/work/prog").c_str(), X_OK), 0);
  std::string output;
  EXPECT_EQ(run_program(output), 8);

  // An input found by content: a rebuilt archive links again.
  archive("int twice(int x) { return 3 * x; }\n");
  ASSERT_EQ(run(command), 0);
  EXPECT_EQ(run_program(output), 12);
  EXPECT_EQ(counters().links, 2u);

  // A damaged stored copy is never handed out.
  bool damaged = false;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/memo/links")) {
    if (entry.path().extension() != ".out") continue;
    write_file_atomic(entry.path().string(), "garbage");
    damaged = true;
  }
  ASSERT_TRUE(damaged);
  ASSERT_EQ(run(command), 0);
  EXPECT_EQ(run_program(output), 12);
  EXPECT_EQ(counters().links, 3u);
  EXPECT_EQ(counters().link_hits, 1u);

  // A linker option that writes another file: linked every time.
  std::vector<std::string> mapped = command;
  mapped.insert(mapped.begin() + 1, "-Wl,-Map=prog.map");
  for (int i = 0; i < 2; ++i) {
    ::unlink((root + "/work/prog.map").c_str());
    ASSERT_EQ(run(mapped), 0);
    EXPECT_TRUE(path_exists(root + "/work/prog.map"));
  }
  EXPECT_EQ(counters().links, 5u);
  EXPECT_EQ(counters().link_hits, 1u);
}

TEST_P(WynCc, AFailingSourceKeepsItsDiagnosticsAndStatusAndIsNotRemembered) {
  ASSERT_EQ(run({"cc", "-c", "main.c", "-o", "main.o"}), 0);
  write_file_atomic(root + "/src/b.c", "int twice(int x) { return x * ; }\n");
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string output;
    EXPECT_EQ(run(legacy_link(), &output), 1);
    EXPECT_NE(output.find("b.c:1"), std::string::npos) << output;
    EXPECT_FALSE(path_exists(root + "/work/prog"));
  }
  const ToolchainCounters c = counters();
  EXPECT_EQ(c.compile_failures, 2u);
  EXPECT_EQ(c.splits, 0u);
}

TEST_P(WynCc, AnUnknownFlagPassesTheCommandThroughUnchanged) {
  ASSERT_EQ(run({"cc", "-c", "main.c", "-o", "main.o"}), 0);
  std::vector<std::string> command = legacy_link();
  command.insert(command.begin() + 1, "-fno-ident");
  ASSERT_EQ(run(command), 0);
  std::string output;
  EXPECT_EQ(run_program(output), 42);
  const ToolchainCounters c = counters();
  EXPECT_EQ(c.pass_throughs, 2u);
  EXPECT_EQ(c.splits, 0u);
  EXPECT_EQ(c.compiles, 0u);
}

// A script test's compiles: counted apart and keyed by the preprocessed
// source, so that one program written into two fresh directories (its
// #line lines naming each) is compiled once, while a program whose text
// holds its path (__FILE__) is compiled for each.
TEST_P(WynCc, ScriptCompilesShareAProgramWhereverItLiesButNotItsPath) {
  env.push_back(std::string("WYN_CTEST_CC_COUNTERS=") + kScriptCounters);
  const std::string text =
      "#include <stdio.h>\n#include \"rt.h\"\nint main(void) {\n#line 7 \"DIR/p.wyn\"\n"
      "  puts(GREETING); return 4; }\n";
  const auto place = [&](const std::string& dir, const std::string& body) {
    make_directories(root + "/work/" + dir);
    std::string placed = body;
    placed.replace(placed.find("DIR"), 3, root + "/work/" + dir);
    write_file_atomic(root + "/work/" + dir + "/p.wyn.c", placed);
  };
  const auto build = [&](const std::string& dir) {
    return run(
        {"cc", "-std=c11", "-O0", "-w", "-I", root + "/src", "-o", dir + "/p", dir + "/p.wyn.c"});
  };
  place("tmp.one", text);
  place("tmp.two-longer", text);
  ASSERT_EQ(build("tmp.one"), 0);
  ASSERT_EQ(build("tmp.two-longer"), 0);
  std::string output;
  EXPECT_EQ(run({root + "/work/tmp.two-longer/p"}, &output), 4);
  EXPECT_EQ(output, "hello\n");
  ToolchainCounters c = read_toolchain_counters(root + "/cache", kScriptCounters);
  EXPECT_EQ(c.compiles, 1u);
  EXPECT_EQ(c.memo_hits, 1u);
  EXPECT_EQ(c.link_hits, 1u);
  EXPECT_EQ(counters().compiles + counters().memo_hits, 0u);  // the compile steps' own

  // A header the program reads is part of its text: a change compiles again.
  write_file_atomic(root + "/src/rt.h", "#define GREETING \"changed\"\n");
  place("tmp.three", text);
  ASSERT_EQ(build("tmp.three"), 0);
  EXPECT_EQ(run({root + "/work/tmp.three/p"}, &output), 4);
  EXPECT_EQ(output, "changed\n");
  EXPECT_EQ(read_toolchain_counters(root + "/cache", kScriptCounters).compiles, 2u);

  // __FILE__ after #line names the directory: each program says its own.
  const std::string located =
      "#include <stdio.h>\nint main(void) {\n#line 3 \"DIR/p.wyn\"\n"
      "  puts(__FILE__); return 0; }\n";
  for (const std::string dir : {"tmp.four", "tmp.five"}) {
    place(dir, located);
    ASSERT_EQ(build(dir), 0);
    EXPECT_EQ(run({root + "/work/" + dir + "/p"}, &output), 0);
    EXPECT_EQ(output, root + "/work/" + dir + "/p.wyn\n");
  }
  c = read_toolchain_counters(root + "/cache", kScriptCounters);
  EXPECT_EQ(c.compiles, 4u);
  EXPECT_EQ(c.memo_hits, 1u);
}

// A program whose text names the test's own TMPDIR can never be asked for
// again: compiled and linked, and nothing of it left in the memo.
TEST_P(WynCc, AScriptProgramHoldingItsTemporaryPathLeavesNothingBehind) {
  env.push_back(std::string("WYN_CTEST_CC_COUNTERS=") + kScriptCounters);
  env.erase(std::remove_if(env.begin(), env.end(),
                           [](const std::string& e) { return e.rfind("TMPDIR=", 0) == 0; }),
            env.end());
  env.push_back("TMPDIR=" + root + "/work");
  const auto memo_files = [&] {
    size_t n = 0;
    if (path_exists(root + "/memo"))
      for (const auto& e : std::filesystem::recursive_directory_iterator(root + "/memo"))
        n += e.is_regular_file() && e.path().parent_path().filename() != "compilers" ? 1 : 0;
    return n;
  };
  write_file_atomic(root + "/work/here.c",
                    "#include <stdio.h>\nint main(void) { puts(__FILE__); return 0; }\n");
  write_file_atomic(root + "/work/plain.c", "int main(void) { return 2; }\n");
  std::string output;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(run({"cc", "-o", "here", root + "/work/here.c"}), 0);
    EXPECT_EQ(run({root + "/work/here"}, &output), 0);
    EXPECT_EQ(output, root + "/work/here.c\n");
    EXPECT_EQ(memo_files(), 0u);
  }
  ToolchainCounters c = read_toolchain_counters(root + "/cache", kScriptCounters);
  EXPECT_EQ(c.compiles, 2u);
  EXPECT_EQ(c.links, 2u);
  EXPECT_EQ(c.memo_hits + c.link_hits, 0u);
  // A program that does not hold the path is remembered as any other.
  for (int i = 0; i < 2; ++i) ASSERT_EQ(run({"cc", "-o", "plain", root + "/work/plain.c"}), 0);
  EXPECT_EQ(run({root + "/work/plain"}), 2);
  c = read_toolchain_counters(root + "/cache", kScriptCounters);
  EXPECT_EQ(c.compiles, 3u);
  EXPECT_EQ(c.memo_hits, 1u);
  EXPECT_GT(memo_files(), 0u);
}

TEST_P(WynCc, AScriptCompileThatWarnsIsNotReusedAndWarnsWithItsOwnPath) {
  env.push_back(std::string("WYN_CTEST_CC_COUNTERS=") + kScriptCounters);
  const std::string text = "int main(void) { int unused; return 0; }\n";
  for (const std::string dir : {"w1", "w2"}) {
    make_directories(root + "/work/" + dir);
    write_file_atomic(root + "/work/" + dir + "/u.c", text);
    std::string output;
    ASSERT_EQ(run({"cc", "-Wall", "-o", dir + "/u", root + "/work/" + dir + "/u.c"}, &output), 0);
    EXPECT_NE(output.find(root + "/work/" + dir + "/u.c"), std::string::npos) << output;
  }
  const ToolchainCounters c = read_toolchain_counters(root + "/cache", kScriptCounters);
  EXPECT_EQ(c.compiles, 2u);
  EXPECT_EQ(c.memo_hits, 0u);
}

TEST_P(WynCc, ALinkToADeviceIsNeverRestoredFromTheMemo) {
  write_file_atomic(root + "/work/t.c", "int main(void) { return 0; }\n");
  for (int i = 0; i < 2; ++i) ASSERT_EQ(run({"cc", "-o", "/dev/null", "t.c"}), 0);
  struct stat st;
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(counters().links, 2u);
  EXPECT_EQ(counters().link_hits, 0u);
}

INSTANTIATE_TEST_SUITE_P(CcacheOrNot, WynCc, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "WithCcache" : "WithoutCcache";
                         });

}  // namespace
}  // namespace wyn
