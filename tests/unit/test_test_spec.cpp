#include <gtest/gtest.h>
#include <unistd.h>

#include "suite/test_spec.hpp"
#include "temp_dir.hpp"
#include "util/fs.hpp"

namespace wyn {
namespace {

/// A suite build directory as WynTests.cmake and wyn-gen lay it out: suite.json, t/<id>/.
class SuiteDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_suite = m_temp.path() + "/wyn/examples-1234";
    make_directories(m_suite + "/t/hello-abc");
    write_file_atomic(m_suite + "/suite.json", "{}");
  }

  TempDir m_temp;
  std::string m_suite;
};

TEST_F(SuiteDirTest, FoundTwoLevelsUpFromATestDirectory) {
  EXPECT_EQ(suite_dir_of(m_suite + "/t/hello-abc"), m_suite);
  EXPECT_EQ(suite_dir_of(m_suite + "/t/hello-abc/"), m_suite);
  EXPECT_EQ(suite_dir_of(m_suite + "/t/./hello-abc"), m_suite);
}

TEST_F(SuiteDirTest, ARelativeTestDirectoryIsResolvedAgainstTheWorkingDirectory) {
  char* saved = ::getcwd(nullptr, 0);
  ASSERT_EQ(::chdir((m_suite + "/t/hello-abc").c_str()), 0);
  std::string found;
  try {
    found = suite_dir_of(".");
  } catch (...) {
  }
  ASSERT_EQ(::chdir(saved), 0);
  ::free(saved);
  // getcwd may name the temporary directory through a different spelling.
  EXPECT_EQ(base_name(found), "examples-1234");
}

TEST_F(SuiteDirTest, ADirectoryOutsideTheLayoutIsAnErrorNamingIt) {
  make_directories(m_suite + "/other/x");
  try {
    suite_dir_of(m_suite + "/other/x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(m_suite + "/other/x"), std::string::npos) << e.what();
  }
  remove_tree(m_suite + "/suite.json");
  EXPECT_THROW(suite_dir_of(m_suite + "/t/hello-abc"), Error);
}

}  // namespace
}  // namespace wyn
