// The portability helpers of util/ and the process layer on Windows: what
// the tools call instead of POSIX-only functions.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <io.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "process/subprocess.hpp"
#include "util/fs.hpp"
#include "util/text.hpp"
#include "windows_test_util.hpp"

namespace {

using wyn_test::ScratchDir;

/// "naïve-日本.wyn" in UTF-8: not representable in most ANSI code pages.
const std::string k_unicode_name = "na\xC3\xAFve-\xE6\x97\xA5\xE6\x9C\xAC.wyn";

TEST(WindowsFs, ListDirectoryGivesTheNamesAsUtf8) {
  ScratchDir dir;
  wyn::write_file_atomic(dir.path() + "/" + k_unicode_name, "");
  wyn::make_directories(dir.path() + "/sub");
  // The file has the name meant, in UTF-16.
  EXPECT_TRUE(std::filesystem::exists(std::filesystem::u8path(dir.path()) /
                                      std::filesystem::path(L"na\u00efve-\u65e5\u672c.wyn")));
  std::vector<std::string> names;
  ASSERT_TRUE(wyn::list_directory(dir.path(), names));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{k_unicode_name, "sub"}));
  ASSERT_TRUE(wyn::list_directory(dir.path() + "/sub", names));
  EXPECT_TRUE(names.empty());
  EXPECT_FALSE(wyn::list_directory(dir.path() + "/missing", names));
}

TEST(WindowsFs, EmptyDirectoryIsADirectoryWithNothingInIt) {
  ScratchDir dir;
  wyn::make_directories(dir.path() + "/empty");
  wyn::make_directories(dir.path() + "/full/" + k_unicode_name);
  wyn::write_file_atomic(dir.path() + "/file", "");
  EXPECT_TRUE(wyn::is_empty_directory(dir.path() + "/empty"));
  EXPECT_FALSE(wyn::is_empty_directory(dir.path() + "/full"));
  EXPECT_FALSE(wyn::is_empty_directory(dir.path() + "/file"));
  EXPECT_FALSE(wyn::is_empty_directory(dir.path() + "/missing"));
}

TEST(WindowsFs, TempFilesAreNewAndEmpty) {
  ScratchDir dir;
  const std::string prefix = dir.path() + "/" + k_unicode_name + "-";
  const std::string one = wyn::make_temp_file(prefix);
  const std::string two = wyn::make_temp_file(prefix);
  ASSERT_FALSE(one.empty());
  EXPECT_NE(one, two);
  EXPECT_EQ(one.size(), prefix.size() + 6);
  wyn::FileStat st;
  ASSERT_TRUE(wyn::stat_file(one, st));
  EXPECT_TRUE(st.regular);
  EXPECT_EQ(st.size, 0u);
  EXPECT_EQ(wyn::make_temp_file(dir.path() + "/missing/t-"), "");
}

TEST(WindowsFs, ResizeFileCutsAndExtends) {
  ScratchDir dir;
  const std::string path = dir.path() + "/f";
  wyn::write_file_atomic(path, "hello world");
  const int fd = wyn::open_file(path, O_RDWR);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(wyn::resize_file(fd, 5));
  EXPECT_TRUE(wyn::resize_file(fd, 7));
  ::_close(fd);
  EXPECT_EQ(wyn::read_file(path), std::string("hello\0\0", 7));
}

TEST(WindowsFs, SystemTempDirectoryIsTmpdirElseTheSystems) {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::_putenv_s("TMPDIR", "C:/elsewhere");
  EXPECT_EQ(wyn::system_temp_directory(), "C:/elsewhere");
  ::_putenv_s("TMPDIR", "");  // removes it
  const std::string system = wyn::system_temp_directory();
  EXPECT_NE(system, "/tmp");
  EXPECT_TRUE(std::filesystem::is_directory(std::filesystem::u8path(system))) << system;
  if (old) ::_putenv_s("TMPDIR", saved.c_str());
}

TEST(WindowsFs, HostNameIsTheComputersName) {
  const char* name = std::getenv("COMPUTERNAME");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(wyn::host_name(), name);
}

TEST(WindowsFs, FormatUtcGivesTheTimeInUtc) {
  EXPECT_EQ(wyn::format_utc(1700000000.9, "%Y-%m-%dT%H:%M:%SZ"), "2023-11-14T22:13:20Z");
}

TEST(WindowsProcessLayer, CrashesAreNtstatusCodes) {
  EXPECT_TRUE(wyn::is_crash_signal(static_cast<int>(0xC0000005u)));
  EXPECT_TRUE(wyn::is_crash_signal(static_cast<int>(0xC0000409u)));
  EXPECT_FALSE(wyn::is_crash_signal(0));
  EXPECT_FALSE(wyn::is_crash_signal(SIGKILL));
  EXPECT_FALSE(wyn::is_crash_signal(SIGXCPU));
  EXPECT_STREQ(wyn::timeout_target(), "its job (the program and all it started)");
}

TEST(WindowsProcessLayer, ParentCommandIsNotKnown) {
  const wyn::ParentCommand parent = wyn::parent_command();
  EXPECT_TRUE(parent.argv.empty());
  EXPECT_TRUE(parent.program.empty());
}

}  // namespace
