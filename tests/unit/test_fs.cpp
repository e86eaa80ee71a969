#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>

#include "temp_dir.hpp"
#include "util/fs.hpp"

namespace wyn {
namespace {

class FsTest : public ::testing::Test {
 protected:
  TempDir m_temp;
  const std::string m_dir = m_temp.path();
};

TEST_F(FsTest, AtomicWriteLeavesNoTemporaryFiles) {
  write_file_atomic(m_dir + "/f", "one");
  write_file_atomic(m_dir + "/f", "two");
  EXPECT_EQ(read_file(m_dir + "/f"), "two");
  int entries = 0;
  for (auto it = opendir(m_dir.c_str()); it;) {
    while (auto e = readdir(it)) entries += e->d_name[0] != '.';
    closedir(it);
    break;
  }
  EXPECT_EQ(entries, 1);
}

TEST_F(FsTest, WriteIfChangedKeepsTheMtime) {
  EXPECT_TRUE(write_file_if_changed(m_dir + "/f", "same"));
  struct stat before, after;
  ASSERT_EQ(::stat((m_dir + "/f").c_str(), &before), 0);
  EXPECT_FALSE(write_file_if_changed(m_dir + "/f", "same"));
  ASSERT_EQ(::stat((m_dir + "/f").c_str(), &after), 0);
  EXPECT_EQ(before.st_ino, after.st_ino);
  EXPECT_TRUE(write_file_if_changed(m_dir + "/f", "other"));
}

TEST_F(FsTest, ReadErrorsNameThePath) {
  try {
    read_file(m_dir + "/missing");
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(m_dir + "/missing"), std::string::npos);
  }
}

TEST_F(FsTest, IsWithinResolvesLinks) {
  make_directories(m_dir + "/root/sub");
  EXPECT_TRUE(is_within(m_dir + "/root/sub/x", m_dir + "/root"));
  EXPECT_FALSE(is_within(m_dir + "/root/../x", m_dir + "/root"));
  EXPECT_FALSE(is_within(m_dir + "/rootish", m_dir + "/root"));
  replace_symlink("/etc", m_dir + "/root/escape");
  EXPECT_FALSE(is_within(m_dir + "/root/escape/passwd", m_dir + "/root"));
}

TEST_F(FsTest, RemoveTreeDoesNotFollowLinks) {
  make_directories(m_dir + "/keep");
  write_file_atomic(m_dir + "/keep/file", "x");
  make_directories(m_dir + "/gone");
  replace_symlink(m_dir + "/keep", m_dir + "/gone/link");
  remove_tree(m_dir + "/gone");
  EXPECT_TRUE(path_exists(m_dir + "/keep/file"));
  EXPECT_FALSE(path_exists(m_dir + "/gone"));
}

TEST_F(FsTest, ListDirectoryGivesTheNamesWithoutDotEntries) {
  write_file_atomic(m_dir + "/b.wyn", "");
  write_file_atomic(m_dir + "/.hidden", "");
  make_directories(m_dir + "/a");
  std::vector<std::string> names = {"left over"};
  ASSERT_TRUE(list_directory(m_dir, names));
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{".hidden", "a", "b.wyn"}));
  ASSERT_TRUE(list_directory(m_dir + "/a", names));
  EXPECT_TRUE(names.empty());
  errno = 0;
  EXPECT_FALSE(list_directory(m_dir + "/missing", names));
  EXPECT_EQ(errno, ENOENT);
}

TEST_F(FsTest, EmptyDirectoryIsADirectoryWithNothingInIt) {
  make_directories(m_dir + "/empty");
  make_directories(m_dir + "/full/sub");
  write_file_atomic(m_dir + "/file", "");
  replace_symlink(m_dir + "/empty", m_dir + "/link");
  EXPECT_TRUE(is_empty_directory(m_dir + "/empty"));
  EXPECT_FALSE(is_empty_directory(m_dir + "/full"));
  EXPECT_FALSE(is_empty_directory(m_dir + "/file"));
  EXPECT_FALSE(is_empty_directory(m_dir + "/link"));  // a link, not a directory
  EXPECT_FALSE(is_empty_directory(m_dir + "/missing"));
}

TEST_F(FsTest, TempFilesAreNewAndEmpty) {
  const std::string one = make_temp_file(m_dir + "/t-");
  const std::string two = make_temp_file(m_dir + "/t-");
  ASSERT_FALSE(one.empty());
  ASSERT_FALSE(two.empty());
  EXPECT_NE(one, two);
  EXPECT_EQ(one.rfind(m_dir + "/t-", 0), 0u);
  EXPECT_EQ(one.size(), (m_dir + "/t-").size() + 6);
  FileStat st;
  ASSERT_TRUE(stat_file(one, st));
  EXPECT_TRUE(st.regular);
  EXPECT_EQ(st.size, 0u);
  EXPECT_EQ(make_temp_file(m_dir + "/missing/t-"), "");
}

TEST_F(FsTest, ResizeFileCutsAndExtends) {
  write_file_atomic(m_dir + "/f", "hello world");
  const int fd = open_file(m_dir + "/f", O_RDWR);
  ASSERT_GE(fd, 0);
  EXPECT_TRUE(resize_file(fd, 5));
  EXPECT_EQ(read_file(m_dir + "/f"), "hello");
  EXPECT_TRUE(resize_file(fd, 7));
  EXPECT_EQ(read_file(m_dir + "/f"), std::string("hello\0\0", 7));
  ::close(fd);
  EXPECT_FALSE(resize_file(-1, 0));
}

TEST_F(FsTest, SystemTempDirectoryIsTmpdirElseTmp) {
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", m_dir.c_str(), 1);
  EXPECT_EQ(system_temp_directory(), m_dir);
  ::setenv("TMPDIR", "", 1);
  EXPECT_EQ(system_temp_directory(), "/tmp");
  ::unsetenv("TMPDIR");
  EXPECT_EQ(system_temp_directory(), "/tmp");
  if (old) ::setenv("TMPDIR", saved.c_str(), 1);
}

TEST(Fs, HostNameIsTheSystemsName) {
  char expected[256] = {0};
  ASSERT_EQ(::gethostname(expected, sizeof expected - 1), 0);
  EXPECT_EQ(host_name(), expected);
}

}  // namespace
}  // namespace wyn
