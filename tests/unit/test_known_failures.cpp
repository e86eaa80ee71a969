#include <gtest/gtest.h>

#include "launcher/check.hpp"
#include "suite/known_failures.hpp"

namespace wyn {
namespace {

TEST(KnownFailures, ParsesNamesKindsAndLinesSkippingComments) {
  const KnownFailureList list = parse_known_failures(
      "# stdlib known failures\n\nstring_split.wyn fail\n  map_iter.wyn   hang  # since 1.19\r\n"
      "net.wyn flaky\n",
      "known_failures.txt");
  ASSERT_EQ(list.entries.size(), 3u);
  EXPECT_TRUE(list.problems.empty());
  EXPECT_EQ(list.entries[0].file_name, "string_split.wyn");
  EXPECT_EQ(list.entries[0].kind, "fail");
  EXPECT_EQ(list.entries[0].line, 3);
  EXPECT_EQ(list.entries[1].file_name, "map_iter.wyn");
  EXPECT_EQ(list.entries[1].kind, "hang");
  EXPECT_EQ(list.entries[1].line, 4);
  EXPECT_EQ(list.entries[2].kind, "flaky");
}

TEST(KnownFailures, MalformedLinesAreProblemsWithTheirLineAndTheRestIsKept) {
  const KnownFailureList list = parse_known_failures(
      "a.wyn fail\nb.wyn\nc.wyn broken\nd.wyn fail extra\na.wyn hang\ne.wyn hang\n", "k.txt");
  ASSERT_EQ(list.entries.size(), 2u);
  EXPECT_EQ(list.entries[0].file_name, "a.wyn");
  EXPECT_EQ(list.entries[1].file_name, "e.wyn");
  ASSERT_EQ(list.problems.size(), 4u);
  EXPECT_EQ(list.problems[0].str().rfind("k.txt:2: ", 0), 0u) << list.problems[0].str();
  EXPECT_NE(list.problems[1].str().find("k.txt:3: unknown kind 'broken'"), std::string::npos);
  EXPECT_EQ(list.problems[2].line, 4);
  EXPECT_NE(list.problems[3].str().find("k.txt:5: 'a.wyn' is listed twice"), std::string::npos);
}

Verdict verdict(Status status, std::string reason = "") { return {status, std::move(reason), {}}; }

TEST(KnownFailures, UnlistedVerdictsAreUnchanged) {
  bool fixed = true;
  EXPECT_EQ(apply_known_failure("", false, verdict(Status::failed), fixed).status, Status::failed);
  EXPECT_FALSE(fixed);
  EXPECT_EQ(apply_known_failure("", true, verdict(Status::passed), fixed).status, Status::passed);
  EXPECT_FALSE(fixed);
}

TEST(KnownFailures, AListedFailureOfAnyKindIsXfailNamingTheLine) {
  for (Status s : {Status::failed, Status::timeout, Status::crashed, Status::compile_error}) {
    bool fixed = true;
    const Verdict v =
        apply_known_failure("/t/known.txt:4", false, verdict(s, "exit code 3"), fixed);
    EXPECT_EQ(v.status, Status::xfail) << status_name(s);
    EXPECT_EQ(v.reason, "known failure, listed at /t/known.txt:4: exit code 3");
    EXPECT_FALSE(fixed);
  }
}

TEST(KnownFailures, AListedPassIsFixedOrUnderStrictAnXpass) {
  bool fixed = false;
  Verdict v = apply_known_failure("/t/known.txt:4", false, verdict(Status::passed), fixed);
  EXPECT_EQ(v.status, Status::passed);
  EXPECT_TRUE(fixed);
  EXPECT_NE(v.reason.find("/t/known.txt:4"), std::string::npos);
  v = apply_known_failure("/t/known.txt:4", true, verdict(Status::passed), fixed);
  EXPECT_EQ(v.status, Status::xpass);
  EXPECT_FALSE(fixed);
  EXPECT_FALSE(is_success(v.status));
}

TEST(KnownFailures, SkipsHarnessErrorsAndInterruptsSayNothingOfTheTest) {
  bool fixed = false;
  for (Status s : {Status::skipped, Status::harness_error, Status::interrupted})
    EXPECT_EQ(apply_known_failure("k:1", false, verdict(s), fixed).status, s);
}

}  // namespace
}  // namespace wyn
