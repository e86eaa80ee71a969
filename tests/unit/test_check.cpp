#include "launcher/check.hpp"

#include <csignal>

#include <gtest/gtest.h>

namespace wyn {
namespace {

Directives expecting(std::vector<std::string> lines) {
  Directives d;
  int n = 0;
  for (auto& l : lines) d.expect.push_back({++n, l});
  return d;
}

RunOutcome exited(int code, std::string output = "") {
  RunOutcome r;
  r.exit_code = code;
  r.output = std::move(output);
  return r;
}

TEST(Check, ChatterLinesAreDroppedLikeTheReferenceRunner) {
  EXPECT_EQ(comparable_lines("Building x\nhello\nBuilt: y\nWarning: z\nCompiled in 3ms\nbye\n"),
            (std::vector<std::string>{"hello", "bye"}));
}

TEST(Check, MatchingOutputPassesAndTrailingOutputIsIgnored) {
  const Verdict v = judge_run(expecting({"a", "b"}), "zero", exited(0, "a\nb\nextra\n"));
  EXPECT_EQ(v.status, Status::passed);
  EXPECT_TRUE(v.diff.empty());
}

TEST(Check, WrongOutputFailsWithADiff) {
  const Verdict v = judge_run(expecting({"a", "b", "c"}), "zero", exited(0, "a\nB\n"));
  EXPECT_EQ(v.status, Status::failed);
  ASSERT_EQ(v.diff.size(), 2u);
  EXPECT_EQ(v.diff[0].line, 2);
  EXPECT_EQ(v.diff[0].expected, "b");
  EXPECT_EQ(v.diff[0].actual, "B");
  EXPECT_TRUE(v.diff[1].missing_actual);
  EXPECT_EQ(v.reason, "output line 2 is 'B', expected 'b' (and 1 more lines differ)");
}

TEST(Check, ExitPolicy) {
  EXPECT_EQ(judge_run({}, "zero", exited(3)).status, Status::failed);
  EXPECT_NE(judge_run({}, "zero", exited(3)).reason.find("EXPECT_EXIT: 3"), std::string::npos);
  EXPECT_EQ(judge_run({}, "any", exited(3)).status, Status::passed);
  Directives d;
  d.expect_exit = 3;
  EXPECT_EQ(judge_run(d, "zero", exited(3)).status, Status::passed);
  EXPECT_EQ(judge_run(d, "any", exited(4)).status, Status::failed);
}

TEST(Check, SignalsTimeoutsAndLeaks) {
  RunOutcome crashed = exited(-1, "a\n");
  crashed.signal = SIGSEGV;
  const Verdict c = judge_run(expecting({"a"}), "any", crashed);
  EXPECT_EQ(c.status, Status::crashed);  // the right output does not save a crash
  EXPECT_EQ(c.reason, "the program was killed by SIGSEGV");

  RunOutcome slow = exited(-1);
  slow.timed_out = true;
  slow.timeout_seconds = 2;
  EXPECT_EQ(judge_run({}, "any", slow).status, Status::timeout);

  RunOutcome leaky = exited(0);
  leaky.leaked = true;
  EXPECT_EQ(judge_run({}, "zero", leaky).status, Status::failed);

  RunOutcome unstarted;
  unstarted.started = false;
  unstarted.spawn_error = "cannot execute";
  EXPECT_EQ(judge_run({}, "zero", unstarted).status, Status::harness_error);
}

TEST(Check, CompileFailures) {
  CompileRecord c;
  c.status = "failed";
  c.reason = "the compiler exited with status 1";
  c.diagnostics = "\n\x1b[31mError at line 2:\x1b[0m Undefined function 'foo'\nmore\n";
  Verdict v = judge_compile_failure({}, c);
  EXPECT_EQ(v.status, Status::compile_error);
  EXPECT_EQ(v.reason, "the compiler exited with status 1: Error at line 2: Undefined function 'foo'");

  Directives d;
  d.has_expect_error = true;
  d.expect_error = "Undefined function 'foo'";
  EXPECT_EQ(judge_compile_failure(d, c).status, Status::passed);
  d.expect_error = "something else";
  EXPECT_EQ(judge_compile_failure(d, c).status, Status::failed);

  // A compiler crash is never the expected diagnostic, whatever it printed.
  d.expect_error = "Undefined";
  c.signal = "SIGABRT";
  EXPECT_EQ(judge_compile_failure(d, c).status, Status::failed);
  EXPECT_EQ(judge_unexpected_success(d).status, Status::failed);
}

TEST(Check, XfailInvertsOnlyTestOutcomes) {
  Directives d;
  d.xfail = true;
  d.xfail_reason = "bug 7";
  EXPECT_EQ(apply_xfail(d, {Status::failed, "x", {}}).status, Status::xfail);
  EXPECT_EQ(apply_xfail(d, {Status::crashed, "x", {}}).status, Status::xfail);
  EXPECT_EQ(apply_xfail(d, {Status::passed, "", {}}).status, Status::xpass);
  EXPECT_EQ(apply_xfail(d, {Status::harness_error, "x", {}}).status, Status::harness_error);
  EXPECT_EQ(apply_xfail({}, {Status::failed, "x", {}}).status, Status::failed);
}

}  // namespace
}  // namespace wyn
