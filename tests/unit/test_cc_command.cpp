// Tests of wyn-cc's command-line classifier: the exact command shapes the
// Wyn compilers (real and stand-in) run, split into compiles and a link in
// the same order with the same flags, and everything else passed through.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "toolchain/cc_command.hpp"

namespace wyn {
namespace {

using Args = std::vector<std::string>;

/// The 28 runtime sources of Wyn 1.6, under `root`.
Args legacy_runtime(const std::string& root) {
  Args sources;
  for (int i = 0; i < 28; ++i) sources.push_back(root + "/src/wyn_rt_" + std::to_string(i) + ".c");
  sources[0] = root + "/src/wyn_wrapper.c";
  sources[1] = root + "/src/wyn_interface.c";
  return sources;
}

/// The objects wyn-cc would name, one per source.
Args objects_for(const CcPlan& plan) {
  Args objects;
  for (size_t i = 0; i < plan.sources.size(); ++i)
    objects.push_back("/memo/" + std::to_string(i) + ".o");
  return objects;
}

TEST(CcCommand, LegacyLinkOfTwentyEightRuntimeSourcesIsSplitInOrder) {
  Args args = {"-o", "t.out", "t.o"};
  const Args runtime = legacy_runtime("/opt/wyn");
  args.insert(args.end(), runtime.begin(), runtime.end());
  args.push_back("-lm");
  const CcPlan plan = plan_cc_command(args);
  ASSERT_TRUE(plan.split) << plan.reason;
  EXPECT_EQ(plan.sources, runtime);
  EXPECT_TRUE(plan.compile_flags.empty());
  EXPECT_EQ(compile_arguments(plan, 0, "/memo/0.o"),
            (Args{"-c", "/opt/wyn/src/wyn_wrapper.c", "-o", "/memo/0.o"}));
  Args expected_link = {"-o", "t.out", "t.o"};
  for (int i = 0; i < 28; ++i) expected_link.push_back("/memo/" + std::to_string(i) + ".o");
  expected_link.push_back("-lm");
  EXPECT_EQ(link_arguments(plan, objects_for(plan)), expected_link);
}

TEST(CcCommand, BuildGenerationCommandKeepsCompileFlagsForTheCompileAndLinkFlagsForTheLink) {
  const Args args = {"-std=c11",
                     "-O0",
                     "-w",
                     "-ffunction-sections",
                     "-fdata-sections",
                     "-I",
                     "/opt/wyn/src",
                     "-Wl,--allow-multiple-definition,--gc-sections",
                     "-o",
                     "/b/t/bin/program.new",
                     "name.wyn.c",
                     "/opt/wyn/runtime/libwyn_rt.a",
                     "-lpthread",
                     "-lm"};
  const CcPlan plan = plan_cc_command(args);
  ASSERT_TRUE(plan.split) << plan.reason;
  EXPECT_EQ(plan.sources, (Args{"name.wyn.c"}));
  EXPECT_EQ(compile_arguments(plan, 0, "o.o"),
            (Args{"-std=c11", "-O0", "-w", "-ffunction-sections", "-fdata-sections", "-I",
                  "/opt/wyn/src", "-c", "name.wyn.c", "-o", "o.o"}));
  EXPECT_EQ(link_arguments(plan, {"o.o"}),
            (Args{"-Wl,--allow-multiple-definition,--gc-sections", "-o", "/b/t/bin/program.new",
                  "o.o", "/opt/wyn/runtime/libwyn_rt.a", "-lpthread", "-lm"}));
}

TEST(CcCommand, StandInLinkWithObjectAndSourcesIsSplit) {
  // cc -O1 -I dir a.o b.c c.c -o out
  const CcPlan plan = plan_cc_command({"-O1", "-I", "/rt", "./-x.o", "/rt/wyn_io.c",
                                       "/rt/wyn_wrapper.c", "-o", "dir with space/-x.out"});
  ASSERT_TRUE(plan.split) << plan.reason;
  EXPECT_EQ(plan.sources, (Args{"/rt/wyn_io.c", "/rt/wyn_wrapper.c"}));
  EXPECT_EQ(plan.compile_flags, (Args{"-O1", "-I", "/rt"}));
  EXPECT_EQ(link_arguments(plan, {"1.o", "2.o"}),
            (Args{"./-x.o", "1.o", "2.o", "-o", "dir with space/-x.out"}));
}

TEST(CcCommand, StandInBuildCommandWithHostileFileNamesIsSplit) {
  const std::string name = "./-it's \"quoted\" & spaced.wyn.c";
  const CcPlan plan = plan_cc_command({"-O1", "-I", "/rt", name, "/rt/wyn_io.c", "-o", "/out/p"});
  ASSERT_TRUE(plan.split) << plan.reason;
  EXPECT_EQ(plan.sources, (Args{name, "/rt/wyn_io.c"}));
  EXPECT_EQ(compile_arguments(plan, 0, "a.o"), (Args{"-O1", "-I", "/rt", "-c", name, "-o", "a.o"}));
}

TEST(CcCommand, JoinedValuesAndFlagsForBothSidesKeepTheirOrder) {
  const CcPlan plan = plan_cc_command(
      {"-I/inc", "-DX=a b", "-UY", "-pthread", "-L/lib", "-lfoo", "a.c", "-g", "b.c", "-static"});
  ASSERT_TRUE(plan.split) << plan.reason;
  EXPECT_EQ(plan.compile_flags, (Args{"-I/inc", "-DX=a b", "-UY", "-pthread", "-g"}));
  EXPECT_EQ(link_arguments(plan, {"A.o", "B.o"}),
            (Args{"-pthread", "-L/lib", "-lfoo", "A.o", "B.o", "-static"}));
}

TEST(CcCommand, StandInCompileOfItsIrWithDashXIsPassedThrough) {
  // cc -O1 -I runtime -x c -c NAME.ll -o NAME.o
  const CcPlan plan =
      plan_cc_command({"-O1", "-I", "runtime", "-x", "c", "-c", "t.ll", "-o", "t.o"});
  EXPECT_FALSE(plan.split);
  EXPECT_NE(plan.reason.find("-x"), std::string::npos) << plan.reason;
}

TEST(CcCommand, WhatItDoesNotFullyUnderstandIsPassedThrough) {
  const std::vector<Args> commands = {
      {"-frobnicate", "a.c", "-o", "a"},  // unknown flag
      {"-flto", "a.c", "-o", "a"},        // matters to the link
      {"-fsanitize=address", "a.c"},      // likewise
      {"@args.rsp"},                      // response file
      {"-", "-o", "a"},                   // stdin
      {"-E", "a.c"},                      // preprocess only
      {"-S", "a.c"},                      // assembly only
      {"-M", "a.c"},                      // dependencies only
      {"-MD", "a.c", "-o", "a"},          // our own dependency flags
      {"-c", "a.c", "-o", "a.o"},         // compile only
      {"-xc", "a.ll"},                    // joined -x
      {"a.cpp", "-o", "a"},               // another language
      {"a.ll", "-o", "a"},                // unknown input
      {"a.o", "-o", "a"},                 // nothing to compile
      {"--version"},                      // a question
      {"-o", "a", "-o", "b", "a.c"},      // two outputs
      {"a.c", "-o"},                      // -o without a file
      {"-I"},                             // flag without its value
      {"-Wa,--noexecstack", "a.c"},       // assembler options
      {""},                               // empty argument
      {},                                 // nothing at all
  };
  for (const Args& args : commands) {
    const CcPlan plan = plan_cc_command(args);
    std::string shown;
    for (const std::string& a : args) shown += "'" + a + "' ";
    EXPECT_FALSE(plan.split) << shown;
    EXPECT_FALSE(plan.reason.empty()) << shown;
  }
}

TEST(CcCommand, WarningsAreCompileFlagsButLinkerOptionsAreNot) {
  const CcPlan plan = plan_cc_command({"-Wall", "-Werror=format", "-Wl,-z,now", "a.c"});
  ASSERT_TRUE(plan.split) << plan.reason;
  EXPECT_EQ(plan.compile_flags, (Args{"-Wall", "-Werror=format"}));
  EXPECT_EQ(link_arguments(plan, {"a.o"}), (Args{"-Wl,-z,now", "a.o"}));
}

TEST(CcCommand, OptimisationLevelsAreKnownOthersAreNot) {
  for (const char* level : {"-O", "-O0", "-O1", "-O2", "-O3", "-Os", "-Og", "-Oz", "-Ofast"})
    EXPECT_TRUE(plan_cc_command({level, "a.c"}).split) << level;
  EXPECT_FALSE(plan_cc_command({"-O9", "a.c"}).split);
}

TEST(CcCommand, ASourceNamedTwiceIsCompiledTwiceAndLinkedTwice) {
  const CcPlan plan = plan_cc_command({"a.c", "a.c", "-o", "x"});
  ASSERT_TRUE(plan.split);
  EXPECT_EQ(plan.sources.size(), 2u);
  EXPECT_EQ(link_arguments(plan, {"1.o", "2.o"}), (Args{"1.o", "2.o", "-o", "x"}));
}

}  // namespace
}  // namespace wyn
