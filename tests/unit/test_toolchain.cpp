// Tests of the toolchain cache's parts besides the classifier: the depfile
// reader, the object memo's validation, finding the real compiler on PATH,
// the compiler environment wyn-compile builds, and the counters.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <string>
#include <vector>

#include "cache/toolchain/ccache.hpp"
#include "cache/toolchain/counters.hpp"
#include "cache/toolchain/object_memo.hpp"
#include "temp_dir.hpp"
#include "toolchain/setup.hpp"
#include "toolchain/wrapper.hpp"
#include "util/fs.hpp"

namespace wyn {
namespace {

using Strings = std::vector<std::string>;

void write(const std::string& path, const std::string& text) { write_file_atomic(path, text); }

void make_executable(const std::string& path, const std::string& text = "#!/bin/sh\n") {
  write(path, text);
  ASSERT_EQ(::chmod(path.c_str(), 0755), 0);
}

TEST(Depfile, PrerequisitesOfTheFirstRuleWithEscapes) {
  EXPECT_EQ(
      parse_depfile("o.o: a.c /usr/include/stdio.h \\\n  dir\\ with\\ blank/x.h $$HOME.h \\#h.h\n"
                    "a.c:\n"),
      (Strings{"a.c", "/usr/include/stdio.h", "dir with blank/x.h", "$HOME.h", "#h.h"}));
  EXPECT_EQ(parse_depfile("C\\:weird.o: a.c\n"), (Strings{"a.c"}));
  EXPECT_EQ(parse_depfile("o.o:\n"), Strings{});
  EXPECT_EQ(parse_depfile("no rule here"), Strings{});
  // Windows paths: a drive's colon does not end the target.
  EXPECT_EQ(parse_depfile("C:\\m\\o.o: C:\\s\\a.c \\\r\n C:/inc/b.h\r\n"),
            (Strings{"C:\\s\\a.c", "C:/inc/b.h"}));
  EXPECT_EQ(parse_depfile("o.o:\\\n a.c\n"), (Strings{"a.c"}));
}

TEST(MemoEntry, RoundTripsAndRejectsDamage) {
  MemoEntry e;
  e.object_identity = "1 2 3 4.5 6.7";
  e.diagnostics = "a.c:1: warning: x\nwith: colons\n";
  e.dependencies = {{"/a b/c.h", "id", "hash"}, {"/d.h", "", "hash2"}};
  const std::string text = encode_memo_entry(e);
  MemoEntry back;
  ASSERT_TRUE(decode_memo_entry(text, back));
  EXPECT_EQ(back.diagnostics, e.diagnostics);
  ASSERT_EQ(back.dependencies.size(), 2u);
  EXPECT_EQ(back.dependencies[0].path, "/a b/c.h");
  EXPECT_EQ(back.dependencies[1].identity, "");
  std::string damaged = text;
  damaged[20] ^= 1;
  EXPECT_FALSE(decode_memo_entry(damaged, back));
  EXPECT_FALSE(decode_memo_entry(text.substr(0, text.size() - 10), back));
  EXPECT_FALSE(decode_memo_entry("", back));
}

class Memo : public ::testing::Test {
 protected:
  void SetUp() override {
    write(dir.path() + "/h.h", "#define X 1\n");
    write(dir.path() + "/a.c", "#include \"h.h\"\n");
    write(dir.path() + "/a.d", "x.o: a.c h.h\n");
    write(dir.path() + "/compiled.o", "object bytes");
    ASSERT_TRUE(memo.store(key, dir.path() + "/compiled.o", dir.path() + "/a.d", dir.path(),
                           "warned\n", static_cast<double>(std::time(nullptr)) + 10));
  }
  bool hit() {
    std::string object, diagnostics;
    const bool found = memo.lookup(key, object, diagnostics);
    if (found) {
      EXPECT_EQ(object, memo.object_path(key));
      EXPECT_EQ(diagnostics, "warned\n");
    }
    return found;
  }
  TempDir dir;
  ObjectMemo memo{dir.path()};
  std::string key = std::string(64, 'a');
};

TEST_F(Memo, AnUnchangedHeaderHits) { EXPECT_TRUE(hit()); }

TEST_F(Memo, AHeaderRewrittenWithTheSameBytesStillHits) {
  write(dir.path() + "/h.h", "#define X 1\n");
  EXPECT_TRUE(hit());
}

TEST_F(Memo, AChangedHeaderMisses) {
  write(dir.path() + "/h.h", "#define X 2\n");
  EXPECT_FALSE(hit());
}

TEST_F(Memo, ADeletedHeaderMisses) {
  ::unlink((dir.path() + "/h.h").c_str());
  EXPECT_FALSE(hit());
}

TEST_F(Memo, AReplacedOrDamagedObjectOrEntryMisses) {
  write(memo.object_path(key), "other bytes!");
  EXPECT_FALSE(hit());
}

TEST_F(Memo, ADamagedEntryMisses) {
  write(dir.path() + "/" + key + ".memo", "garbage");
  EXPECT_FALSE(hit());
}

TEST(FindNextOnPath, SkipsItselfAndCcacheAndTakesTheNextOne) {
  TempDir dir;
  const std::string self_dir = dir.path() + "/self", ccache_dir = dir.path() + "/ccache-links",
                    user = dir.path() + "/user", system = dir.path() + "/system";
  for (const std::string& d : {self_dir, ccache_dir, user, system}) make_directories(d);
  make_executable(dir.path() + "/wyn-cc");
  make_executable(dir.path() + "/ccache");
  ASSERT_EQ(::symlink((dir.path() + "/wyn-cc").c_str(), (self_dir + "/clang").c_str()), 0);
  ASSERT_EQ(::symlink((dir.path() + "/ccache").c_str(), (ccache_dir + "/clang").c_str()), 0);
  make_executable(user + "/clang");
  make_executable(system + "/clang");
  write(system + "/cc", "not executable");
  const std::string self = dir.path() + "/wyn-cc";
  EXPECT_EQ(
      find_next_on_path("clang", self_dir + ":" + ccache_dir + ":" + user + ":" + system, self),
      user + "/clang");
  EXPECT_EQ(find_next_on_path("clang", self_dir + ":" + system, self), system + "/clang");
  EXPECT_EQ(find_next_on_path("clang", self_dir, self), "");
  EXPECT_EQ(find_next_on_path("cc", system, self), "");
}

SuiteConfig suite(const std::string& style) {
  SuiteConfig s;
  s.compiler_style = style;
  s.toolchain_cache_dir = "/cache/toolchain";
  s.ccache = "/usr/bin/ccache";
  return s;
}

const std::string* find(const Strings& env, const std::string& name) {
  for (const std::string& e : env)
    if (e.compare(0, name.size() + 1, name + "=") == 0) return &e;
  return nullptr;
}

TEST(ToolchainEnvironment, PrependsTheLinksAndLeavesEverythingElse) {
  const Strings env = toolchain_environment(suite("legacy"), "/b/wyn/s",
                                            {"PATH=/usr/bin:/bin", "WYN_CC=/my/cc", "HOME=/h"});
  ASSERT_NE(find(env, "PATH"), nullptr);
  EXPECT_EQ(*find(env, "PATH"), "PATH=/b/wyn/s/toolchain/bin:/usr/bin:/bin");
  EXPECT_EQ(*find(env, "WYN_CC"), "WYN_CC=/my/cc");  // legacy compilers do not read it
  EXPECT_EQ(find(env, "WYN_CTEST_CC_REAL"), nullptr);
  EXPECT_EQ(*find(env, "WYN_CTEST_CC_MEMO"), "WYN_CTEST_CC_MEMO=/b/wyn/s/toolchain/memo");
  EXPECT_EQ(*find(env, "WYN_CTEST_CC_CACHE"), "WYN_CTEST_CC_CACHE=/cache/toolchain");
  EXPECT_EQ(*find(env, "WYN_CTEST_CC_CCACHE"), "WYN_CTEST_CC_CCACHE=/usr/bin/ccache");
  EXPECT_EQ(*find(env, "HOME"), "HOME=/h");
  EXPECT_EQ(std::count_if(env.begin(), env.end(),
                          [](const std::string& e) { return e.rfind("PATH=", 0) == 0; }),
            1);
}

TEST(ToolchainEnvironment, BuildStyleSetsWynCcAndKeepsTheUsersForTheWrapper) {
  Strings env = toolchain_environment(suite("build"), "/b", {"WYN_CC=gcc -m64", "PATH=/x"});
  EXPECT_EQ(*find(env, "WYN_CC"), "WYN_CC=/b/toolchain/bin/wyn-cc");
  EXPECT_EQ(*find(env, "WYN_CTEST_CC_REAL"), "WYN_CTEST_CC_REAL=gcc -m64");
  env = toolchain_environment(suite("build"), "/b", {});
  EXPECT_EQ(*find(env, "WYN_CC"), "WYN_CC=/b/toolchain/bin/wyn-cc");
  EXPECT_EQ(find(env, "WYN_CTEST_CC_REAL"), nullptr);
  EXPECT_EQ(*find(env, "PATH"), "PATH=/b/toolchain/bin:/bin:/usr/bin");
}

TEST(ScriptToolchainEnvironment, PutsTheLinksFirstAndWrapsOnlyOneWordCompilerVariables) {
  SuiteConfig s = suite("build");
  Strings env = script_toolchain_environment(
      s, "/b",
      {"PATH=/usr/bin", "CC=/opt/gcc-13/bin/gcc", "WYN_CC=clang", "HOME=/h", "WYN=/w/wyn",
       "WYN_CTEST_CC_REAL_CC=stale", "WYN_CTEST_CC_COUNTERS=stale"});
  EXPECT_EQ(*find(env, "PATH"), "PATH=/b/toolchain/bin:/usr/bin");
  EXPECT_EQ(*find(env, "CC"), "CC=/b/toolchain/bin/wyn-cc-CC");
  EXPECT_EQ(*find(env, "WYN_CTEST_CC_REAL_CC"), "WYN_CTEST_CC_REAL_CC=/opt/gcc-13/bin/gcc");
  // A name the links answer to is found through PATH as it is.
  EXPECT_EQ(*find(env, "WYN_CC"), "WYN_CC=clang");
  EXPECT_EQ(find(env, "WYN_CTEST_CC_REAL"), nullptr);
  EXPECT_EQ(*find(env, "WYN_CTEST_CC_COUNTERS"), "WYN_CTEST_CC_COUNTERS=scripts");
  EXPECT_EQ(*find(env, "WYN_CTEST_CC_MEMO"), "WYN_CTEST_CC_MEMO=/b/toolchain/memo");
  EXPECT_EQ(*find(env, "HOME"), "HOME=/h");
  EXPECT_EQ(*find(env, "WYN"), "WYN=/w/wyn");
  EXPECT_EQ(env.size(), 10u);  // PATH, CC, WYN_CC, HOME, WYN, 5 of the wrapper's

  // Several words are left to the script as they are; so is an unset CC.
  env = script_toolchain_environment(s, "/b", {"WYN_CC=gcc -m32", "PATH=/x"});
  EXPECT_EQ(*find(env, "WYN_CC"), "WYN_CC=gcc -m32");
  EXPECT_EQ(find(env, "CC"), nullptr);
  EXPECT_EQ(find(env, "WYN_CTEST_CC_REAL"), nullptr);
  env = script_toolchain_environment(s, "/b", {"WYN_CC=/usr/bin/gcc"});
  EXPECT_EQ(*find(env, "WYN_CC"), "WYN_CC=/b/toolchain/bin/wyn-cc");
  EXPECT_EQ(*find(env, "WYN_CTEST_CC_REAL"), "WYN_CTEST_CC_REAL=/usr/bin/gcc");
  EXPECT_EQ(*find(env, "PATH"), "PATH=/b/toolchain/bin:/bin:/usr/bin");
}

TEST(FindNextOnPath, SkipsEveryWynCcNotOnlyItself) {
  // Two toolchain caches on one PATH (a script running a build of its own)
  // must not call each other: each looks past the other's links too.
  TempDir dir;
  const std::string other = dir.path() + "/other", links = dir.path() + "/links",
                    system = dir.path() + "/system";
  for (const std::string& d : {other, links, system}) make_directories(d);
  make_executable(other + "/wyn-cc");
  ASSERT_EQ(::symlink((other + "/wyn-cc").c_str(), (links + "/cc").c_str()), 0);
  make_executable(system + "/cc");
  EXPECT_EQ(find_next_on_path("cc", links + ":" + system, dir.path() + "/self/wyn-cc"),
            system + "/cc");
}

TEST(WrapperLinks, AreMadeOnceAndRepairedWhenWrong) {
  TempDir dir;
  const std::string bin = dir.path() + "/toolchain/bin";
  ensure_wrapper_links(bin, "/tools/wyn-cc");
  for (const char* name : kWrappedCompilers) {
    char buffer[256];
    const ssize_t n = ::readlink((bin + "/" + name).c_str(), buffer, sizeof buffer);
    ASSERT_GT(n, 0) << name;
    EXPECT_EQ(std::string(buffer, static_cast<size_t>(n)), "/tools/wyn-cc");
  }
  replace_symlink("/elsewhere", bin + "/cc");
  ensure_wrapper_links(bin, "/tools/wyn-cc");
  char buffer[256];
  const ssize_t n = ::readlink((bin + "/cc").c_str(), buffer, sizeof buffer);
  EXPECT_EQ(std::string(buffer, static_cast<size_t>(n)), "/tools/wyn-cc");
}

TEST(ToolchainCounters, AddUpAcrossProcessesAndZero) {
  TempDir dir;
  add_toolchain_counters(dir.path(), {1, 2, 0, 1, 0});
  const pid_t child = ::fork();
  if (child == 0) {
    add_toolchain_counters(dir.path(), {3, 0, 0, 1, 4});
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  const ToolchainCounters c = read_toolchain_counters(dir.path());
  EXPECT_EQ(c.memo_hits, 4u);
  EXPECT_EQ(c.compiles, 2u);
  EXPECT_EQ(c.splits, 2u);
  EXPECT_EQ(c.pass_throughs, 4u);
  zero_toolchain_counters(dir.path());
  EXPECT_EQ(read_toolchain_counters(dir.path()).memo_hits, 0u);
}

TEST(ToolchainCounters, TheScriptsAreCountedApart) {
  TempDir dir;
  add_toolchain_counters(dir.path(), {1, 1, 0, 1, 0});
  add_toolchain_counters(dir.path(), {5, 0, 0, 0, 2}, kScriptCounters);
  EXPECT_EQ(read_toolchain_counters(dir.path()).memo_hits, 1u);
  EXPECT_EQ(read_toolchain_counters(dir.path()).pass_throughs, 0u);
  EXPECT_EQ(read_toolchain_counters(dir.path(), kScriptCounters).memo_hits, 5u);
  EXPECT_EQ(read_toolchain_counters(dir.path(), kScriptCounters).pass_throughs, 2u);
  zero_toolchain_counters(dir.path(), kScriptCounters);
  EXPECT_EQ(read_toolchain_counters(dir.path(), kScriptCounters).memo_hits, 0u);
  EXPECT_EQ(read_toolchain_counters(dir.path()).memo_hits, 1u);
}

TEST(Ccache, StatsParsingAndAnEnvironmentOfOurOwn) {
  const CcacheStats s = parse_ccache_stats(
      "cache_miss\t3\ndirect_cache_hit\t5\npreprocessed_cache_hit\t2\nfiles_in_cache\t9\n"
      "cache_size_kibibyte\t100\n");
  EXPECT_TRUE(s.known);
  EXPECT_EQ(s.hits, 7u);
  EXPECT_EQ(s.misses, 3u);
  EXPECT_EQ(s.files, 9u);
  EXPECT_FALSE(parse_ccache_stats("nothing").known);
  const Strings env = ccache_environment({"CCACHE_DISABLE=1", "CCACHE_DIR=/theirs", "A=b"}, "/t");
  EXPECT_EQ(env, (Strings{"A=b", "CCACHE_DIR=/t/ccache", "CCACHE_CONFIGPATH=/t/ccache.conf"}));
  const std::string config = ccache_config("/t", "2G");
  EXPECT_NE(config.find("compiler_check = content"), std::string::npos);
  EXPECT_NE(config.find("direct_mode = true"), std::string::npos);
  EXPECT_NE(config.find("max_size = 2G"), std::string::npos);
}

}  // namespace
}  // namespace wyn
