#include <gtest/gtest.h>

#include <csignal>

#include "launcher/check.hpp"

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

TEST(Check, LeakPolicyWarnKeepsThePass) {
  RunOutcome leaky = exited(0);
  leaky.leaked = true;
  leaky.leaked_processes = 2;
  const Verdict failed = judge_run({}, "zero", leaky);
  EXPECT_EQ(failed.status, Status::failed);
  EXPECT_NE(failed.reason.find("left 2 processes behind"), std::string::npos) << failed.reason;
  leaky.limits.leak_policy = "warn";
  const Verdict warned = judge_run({}, "zero", leaky);
  EXPECT_EQ(warned.status, Status::passed);
  EXPECT_EQ(warned.reason.rfind("warning: ", 0), 0u) << warned.reason;
}

TEST(Check, OutputLimitFailsEvenWithTheRightOutput) {
  RunOutcome flood = exited(-1, "a\n");
  flood.signal = SIGTERM;
  flood.output_limit_exceeded = true;
  flood.output_bytes = 12345678;
  flood.limits.output_bytes = 10 << 20;
  const Verdict v = judge_run(expecting({"a"}), "zero", flood);
  EXPECT_EQ(v.status, Status::failed);
  EXPECT_EQ(v.limit, "output");
  EXPECT_NE(v.reason.find("output limit of 10 MiB (12345678 bytes"), std::string::npos) << v.reason;
}

TEST(Check, CpuLimitIsNamedForSigxcpuAndTheHardLimitsSigkill) {
  RunOutcome burn = exited(-1);
  burn.signal = SIGXCPU;
  burn.limits.cpu_seconds = 2;
  Verdict v = judge_run({}, "zero", burn);
  EXPECT_EQ(v.status, Status::failed);
  EXPECT_EQ(v.limit, "cpu");
  EXPECT_NE(v.reason.find("CPU limit of 2 s (killed by SIGXCPU"), std::string::npos) << v.reason;

  burn.signal = SIGKILL;  // the program caught SIGXCPU; the kernel killed it a second later
  burn.cpu_seconds = 3.01;
  EXPECT_EQ(judge_run({}, "zero", burn).limit, "cpu");
  burn.sent_sigkill = true;  // the harness's own SIGKILL is not the CPU limit
  EXPECT_EQ(judge_run({}, "zero", burn).status, Status::crashed);

  burn = exited(-1);
  burn.signal = SIGXCPU;  // without a CPU limit SIGXCPU is just a signal
  EXPECT_EQ(judge_run({}, "zero", burn).status, Status::crashed);
}

TEST(Check, MemoryLimitIsNamedOnlyForFailures) {
  RunOutcome hog = exited(1, "alloc_mb: Cannot allocate memory\n");
  hog.limits.memory_mb = 4096;
  Verdict v = judge_run({}, "zero", hog);
  EXPECT_EQ(v.status, Status::failed);
  EXPECT_EQ(v.limit, "memory");
  EXPECT_NE(v.reason.find("memory limit of 4096 MiB (an allocation failed"), std::string::npos)
      << v.reason;
  EXPECT_NE(v.reason.find("exit code 1"), std::string::npos) << "the original reason is kept";

  RunOutcome big = exited(-1);
  big.signal = SIGSEGV;
  big.limits.memory_mb = 100;
  big.max_rss_kib = 95 * 1024;
  v = judge_run({}, "zero", big);
  EXPECT_EQ(v.limit, "memory");
  EXPECT_EQ(v.status, Status::failed);
  big.max_rss_kib = 20 * 1024;
  EXPECT_EQ(judge_run({}, "zero", big).status, Status::crashed);

  // A test that expects the message and exits as expected still passes.
  Directives d = expecting({"alloc_mb: Cannot allocate memory"});
  d.expect_exit = 1;
  EXPECT_EQ(judge_run(d, "zero", hog).status, Status::passed);
  hog.limits.memory_mb = 0;  // no limit: nothing to blame
  EXPECT_EQ(judge_run({}, "zero", hog).limit, "");
}

TEST(Check, TooManyOpenFilesNamesTheLimit) {
  RunOutcome r = exited(1, "open: Too many open files\n");
  r.limits.open_files = 64;
  EXPECT_EQ(judge_run({}, "zero", r).limit, "open_files");
}

TEST(Check, SigkillNotSentByTheHarnessSaysSo) {
  RunOutcome r = exited(-1);
  r.signal = SIGKILL;
  EXPECT_NE(judge_run({}, "zero", r).reason.find("not sent by the harness"), std::string::npos);
}

TEST(Check, DiffStopsAtTheLastExpectLineOnHugeOutput) {
  std::string output;
  for (int i = 0; i < 200000; ++i) output += "line\n";
  const auto diff = diff_expectations({{1, "line"}, {2, "nope"}}, output);
  ASSERT_EQ(diff.size(), 1u);
  EXPECT_EQ(diff[0].line, 2);
  EXPECT_EQ(diff[0].actual, "line");
  const auto missing = diff_expectations({{1, "a"}, {2, "b"}}, "a\r\nBuilding x\n");
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_TRUE(missing[0].missing_actual);
}

TEST(Check, AttemptsMakeAPassAfterAFailureFlaky) {
  const Verdict pass{Status::passed, "", {}, {}};
  EXPECT_EQ(judge_attempts({}, pass).status, Status::passed);

  const std::vector<Attempt> failed_once = {{Status::failed, "exit code 1", 0, 0}};
  const Verdict v = judge_attempts(failed_once, pass);
  EXPECT_EQ(v.status, Status::flaky);
  EXPECT_TRUE(is_success(v.status));
  EXPECT_EQ(v.reason, "passed on attempt 2 after 1 failed; first failure: failed: exit code 1");

  // ctest --repeat until-fail: passes, then a failure.
  const std::vector<Attempt> passed_twice = {{Status::passed, "", 0, 0},
                                             {Status::passed, "", 0, 0}};
  const Verdict f = judge_attempts(passed_twice, {Status::failed, "exit code 3", {}, {}});
  EXPECT_EQ(f.status, Status::failed);
  EXPECT_EQ(f.reason, "exit code 3 (attempt 3; 2 earlier attempts passed: the test is flaky)");
  EXPECT_EQ(judge_attempts(passed_twice, pass).status, Status::passed);
}

TEST(Check, CompileFailures) {
  CompileRecord c;
  c.status = "failed";
  c.reason = "the compiler exited with status 1";
  c.diagnostics = "\n\x1b[31mError at line 2:\x1b[0m Undefined function 'foo'\nmore\n";
  Verdict v = judge_compile_failure({}, c);
  EXPECT_EQ(v.status, Status::compile_error);
  EXPECT_EQ(v.reason,
            "the compiler exited with status 1: Error at line 2: Undefined function 'foo'");

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
