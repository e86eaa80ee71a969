#include <gtest/gtest.h>

#include "gen/register.hpp"

namespace wyn {
namespace {

TestSpec spec() {
  TestSpec s;
  s.name = "unit/hello";
  s.source = "/src/tests/unit/hello.wyn";
  s.relative = "hello.wyn";
  s.test_dir = "/b/wyn/unit-1234/t/hello-0123";
  return s;
}

TEST(Register, TheLauncherRunsTheTestDirectory) {
  SuiteConfig suite;
  suite.launcher = "/b/wyn-tools/bin/wyn-launch";
  const std::string text = registration(suite, spec(), {"unit"}, 10, false);
  EXPECT_EQ(text.rfind("add_test([=[unit/hello]=] [=[/b/wyn-tools/bin/wyn-launch]=] "
                       "[=[/b/wyn/unit-1234/t/hello-0123]=])\n",
                       0),
            0u)
      << text;
}

// Tools cross-built for another system run through CMake's emulator (Wine
// for Windows tools on Linux): every word of it comes first, each quoted.
TEST(Register, TheEmulatorComesBeforeTheLauncher) {
  SuiteConfig suite;
  suite.launcher = "/b/wyn-tools/bin/wyn-launch.exe";
  suite.emulator = {"/src/cmake/toolchains/wine-run.sh", "--a]=]b"};
  const std::string text = registration(suite, spec(), {"unit"}, 10, false);
  EXPECT_EQ(text.rfind("add_test([=[unit/hello]=] [=[/src/cmake/toolchains/wine-run.sh]=] "
                       "[==[--a]=]b]==] [=[/b/wyn-tools/bin/wyn-launch.exe]=] "
                       "[=[/b/wyn/unit-1234/t/hello-0123]=])\n",
                       0),
            0u)
      << text;
}

}  // namespace
}  // namespace wyn
