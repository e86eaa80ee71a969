#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

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

}  // namespace
}  // namespace wyn
