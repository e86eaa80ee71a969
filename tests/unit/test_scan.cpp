#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "gen/scan.hpp"
#include "temp_dir.hpp"
#include "util/fs.hpp"

namespace wyn {
namespace {

class ScanTest : public ::testing::Test {
 protected:
  void write(const std::string& relative, const std::string& text = "fn main() -> int {\n}\n") {
    make_directories(parent_path(m_root + "/" + relative));
    std::ofstream(m_root + "/" + relative) << text;
  }
  TempDir m_temp;
  const std::string m_root = m_temp.path();
};

TEST_F(ScanTest, FindsWynFilesInByteOrderWithoutFollowingLinkedDirectories) {
  write("b.wyn");
  write("a/z.wyn");
  write("a/data.txt");
  write("B.wyn");
  write(".hidden/x.wyn");
  write("sub/x.wyn");
  ASSERT_EQ(::symlink((m_root + "/sub").c_str(), (m_root + "/linked").c_str()), 0);
  int hidden = 0;
  std::vector<Diagnostic> errors;
  const auto files = find_wyn_files(m_root, hidden, errors);
  ASSERT_TRUE(errors.empty());
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(f.relative);
  EXPECT_EQ(names, (std::vector<std::string>{"B.wyn", "a/z.wyn", "b.wyn", "sub/x.wyn"}));
  EXPECT_EQ(hidden, 1);
}

TEST_F(ScanTest, LinksLeadingOutAndLineBreaksAreErrorsNotDrops) {
  write("ok.wyn");
  write("bad\nname.wyn");
  ASSERT_EQ(::symlink("/etc/hostname", (m_root + "/out.wyn").c_str()), 0);
  ASSERT_EQ(::symlink((m_root + "/missing").c_str(), (m_root + "/dangling.wyn").c_str()), 0);
  int hidden = 0;
  std::vector<Diagnostic> errors;
  const auto files = find_wyn_files(m_root, hidden, errors);
  ASSERT_EQ(files.size(), 1u);
  ASSERT_EQ(errors.size(), 3u);
}

TEST(Scan, TestIdsAreSafeUniqueAndStable) {
  const std::string hostile = "x\"); execute_process(COMMAND touch pwned) #.wyn";
  const std::string id = test_id(hostile);
  EXPECT_EQ(
      id.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-"),
      std::string::npos);
  EXPECT_EQ(id, test_id(hostile));
  EXPECT_NE(test_id("A.wyn"), test_id("a.wyn"));
  EXPECT_NE(test_id("a/b.wyn"), test_id("a.b.wyn"));
  EXPECT_NE(test_id(".x.wyn")[0], '.');
  EXPECT_LE(test_id(std::string(200, 'n') + ".wyn").size(), 100u);
  EXPECT_EQ(test_name("regression", "sub/test_zip.wyn"), "regression/sub/test_zip");
}

TEST(Scan, BracketQuotingCannotBeClosedEarly) {
  EXPECT_EQ(cmake_bracket("plain"), "[=[plain]=]");
  EXPECT_EQ(cmake_bracket("a]=]b"), "[==[a]=]b]==]");
  EXPECT_EQ(cmake_bracket("ends]"), "[=[ends]]=]");
  EXPECT_EQ(cmake_bracket("x]="), "[==[x]=]==]");
}

}  // namespace
}  // namespace wyn
