// The codegen impact report (report/codegen.hpp): which tests' generated
// code differs from a baseline, the baselines themselves, and the sections
// of the reports that show it.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "record_fixture.hpp"
#include "report/codegen.hpp"
#include "report/html.hpp"
#include "report/markdown.hpp"
#include "report/summary.hpp"
#include "suite/test_spec.hpp"
#include "temp_dir.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"
#include "util/sha256.hpp"

namespace wyn {
namespace {

/// A build directory of tests, each with a compile record naming its
/// generated code, as the compile step leaves them.
class CodegenTest : public ::testing::Test {
 protected:
  std::string report_dir() const { return m_dir.path() + "/wyn-report"; }

  std::string test_dir(const std::string& name) const {
    return m_dir.path() + "/t/" + name.substr(name.find('/') + 1);
  }

  /// Compiles `name` to `code` ("executable": no text, the program is `code`).
  void compiled(const std::string& name, const std::string& code, const std::string& codegen = "c",
                const std::string& source = "source") {
    const std::string dir = test_dir(name);
    make_directories(dir);
    CompileRecord record;
    record.name = name;
    record.status = "compiled";
    record.source_hash = source;
    record.codegen = codegen;
    record.codegen_hash = sha256_hex(code);
    if (codegen != "executable") {
      record.codegen_file = dir + "/generated." + codegen;
      write_file_atomic(record.codegen_file, code);
    }
    write_json_file(dir + "/compile.json", record);
  }

  void failed(const std::string& name) {
    CompileRecord record;
    record.name = name;
    record.status = "failed";
    write_json_file(test_dir(name) + "/compile.json", record);
  }

  std::vector<TestRecord> records(const std::vector<std::string>& names) const {
    std::vector<TestRecord> out;
    for (const std::string& name : names) {
      TestRecord r = make_record(name, Status::passed, "", 0.1, 0.1, 100);
      r.test_dir = test_dir(name);
      out.push_back(r);
    }
    return out;
  }

  static std::vector<std::string> names(const CodegenImpact& impact) {
    std::vector<std::string> out;
    for (const CodegenChange& c : impact.changed) out.push_back(c.name);
    return out;
  }

  TempDir m_dir;
};

TEST_F(CodegenTest, TheFirstRunComparesNothingAndTheNextOnlyWhatChanged) {
  const std::vector<std::string> all = {"s/a", "s/b", "s/c"};
  compiled("s/a", "int a;\n");
  compiled("s/b", "int b;\n");
  compiled("s/c", "; ModuleID = 'c'\n", "ll");
  CodegenImpact impact = codegen_impact(records(all), report_dir(), "");
  EXPECT_TRUE(impact.computed);
  EXPECT_EQ(impact.compared, 0u) << "no previous run";
  EXPECT_TRUE(impact.changed.empty());

  compiled("s/b", "int b;\nint b2;\n");
  compiled("s/c", "; ModuleID = 'c'\ndefine i32 @main()\n", "ll");
  impact = codegen_impact(records(all), report_dir(), "");
  EXPECT_EQ(impact.baseline, "the previous run");
  EXPECT_FALSE(impact.pinned);
  EXPECT_EQ(impact.compared, 3u);
  ASSERT_EQ(names(impact), (std::vector<std::string>{"s/b", "s/c"}));
  EXPECT_EQ(impact.changed[0].diff,
            "--- s/b.wyn.c (the previous run)\n+++ s/b.wyn.c (this build)\n"
            "@@ -1 +1,2 @@\n int b;\n+int b2;\n");
  EXPECT_EQ(read_file(impact.changed[0].diff_file), impact.changed[0].diff);
  EXPECT_NE(impact.changed[1].diff.find("--- s/c.ll (the previous run)\n"), std::string::npos);
  EXPECT_FALSE(impact.changed[0].source_changed);

  // The baseline moved on: the same build reported again shows nothing, and
  // the diffs of the earlier report are gone.
  const std::string old_diff = impact.changed[0].diff_file;
  impact = codegen_impact(records(all), report_dir(), "");
  EXPECT_EQ(impact.compared, 3u);
  EXPECT_TRUE(impact.changed.empty());
  EXPECT_FALSE(path_exists(old_diff));
}

TEST_F(CodegenTest, OnlyTheTestsOfTheRunAreComparedAndMovedOn) {
  compiled("s/a", "int a;\n");
  compiled("s/b", "int b;\n");
  codegen_impact(records({"s/a", "s/b"}), report_dir(), "");
  compiled("s/a", "int a2;\n");
  compiled("s/b", "int b2;\n");
  // ctest -R a: only a is compared, and only a's baseline moves on.
  EXPECT_EQ(names(codegen_impact(records({"s/a"}), report_dir(), "")),
            std::vector<std::string>{"s/a"});
  EXPECT_EQ(names(codegen_impact(records({"s/a", "s/b"}), report_dir(), "")),
            std::vector<std::string>{"s/b"});
}

TEST_F(CodegenTest, AFailedCompileKeepsTheLastCodeToCompareWith) {
  compiled("s/a", "int a;\n");
  codegen_impact(records({"s/a"}), report_dir(), "");
  failed("s/a");
  CodegenImpact impact = codegen_impact(records({"s/a"}), report_dir(), "");
  EXPECT_EQ(impact.compared, 0u) << "no code now: nothing to compare";
  compiled("s/a", "int a;\n");
  impact = codegen_impact(records({"s/a"}), report_dir(), "");
  EXPECT_EQ(impact.compared, 1u);
  EXPECT_TRUE(impact.changed.empty()) << "the same code as before the failure";
}

TEST_F(CodegenTest, AnEditedSourceAndAProgramWithoutTextAreNamed) {
  compiled("s/a", "int a;\n");
  compiled("s/x",
           "\x7f"
           "ELF one",
           "executable");
  codegen_impact(records({"s/a", "s/x"}), report_dir(), "");
  compiled("s/a", "int a = 1;\n", "c", "edited source");
  compiled("s/x",
           "\x7f"
           "ELF two",
           "executable");
  const CodegenImpact impact = codegen_impact(records({"s/a", "s/x"}), report_dir(), "");
  ASSERT_EQ(names(impact), (std::vector<std::string>{"s/a", "s/x"}));
  EXPECT_TRUE(impact.changed[0].source_changed);
  EXPECT_FALSE(impact.changed[1].source_changed);
  EXPECT_EQ(impact.changed[1].codegen, "executable");
  EXPECT_EQ(impact.changed[1].diff, "") << "no text to compare";
  EXPECT_EQ(impact.changed[1].diff_file, "");
}

TEST_F(CodegenTest, ASavedBaselineStaysWhileThePreviousRunMovesOn) {
  const std::vector<std::string> all = {"s/a", "s/b"};
  compiled("s/a", "int a;\n");
  compiled("s/b", "int b;\n");
  // save_codegen_baseline reads the suite's manifest.
  TestSpec a{"s/a", "/src/s/a.wyn", "a.wyn", test_dir("s/a")};
  TestSpec b{"s/b", "/src/s/b.wyn", "b.wyn", test_dir("s/b")};
  write_json_file(m_dir.path() + "/manifest.json", nlohmann::json(std::vector<TestSpec>{a, b}));
  size_t saved = 0;
  const std::string dir = save_codegen_baseline({m_dir.path()}, report_dir(), "main", saved);
  EXPECT_EQ(dir, report_dir() + "/codegen/baselines/main");
  EXPECT_EQ(saved, 2u);
  codegen_impact(records(all), report_dir(), "");

  compiled("s/a", "int a2;\n");
  EXPECT_EQ(names(codegen_impact(records(all), report_dir(), "")), std::vector<std::string>{"s/a"});
  // The previous run has seen it; the saved baseline still tells.
  EXPECT_TRUE(codegen_impact(records(all), report_dir(), "").changed.empty());
  CodegenImpact impact = codegen_impact(records(all), report_dir(), "main");
  EXPECT_TRUE(impact.pinned);
  EXPECT_EQ(impact.baseline, "baseline main");
  EXPECT_EQ(impact.compared, 2u);
  ASSERT_EQ(names(impact), std::vector<std::string>{"s/a"});
  EXPECT_NE(impact.changed[0].diff.find("-int a;\n+int a2;\n"), std::string::npos);
  EXPECT_EQ(names(codegen_impact(records(all), report_dir(), dir)), std::vector<std::string>{"s/a"})
      << "a directory names the baseline too";

  EXPECT_THROW(codegen_impact(records(all), report_dir(), "nonesuch"), Error);
  EXPECT_THROW(codegen_baseline_dir(report_dir(), ".."), Error);
  EXPECT_EQ(codegen_baseline_dir(report_dir(), "/x/../y/z"), "/y/z");
}

TEST_F(CodegenTest, TheBaselineKeepsOneTextPerHashAndOnlyThoseInUse) {
  const std::string dir = m_dir.path() + "/baseline";
  compiled("s/a", "same\n");
  compiled("s/b", "same\n");
  update_codegen_baseline(dir, current_codegen({test_dir("s/a"), test_dir("s/b")}), false);
  const std::string texts = dir + "/texts/";
  EXPECT_TRUE(path_exists(texts + sha256_hex("same\n")));
  compiled("s/a", "other\n");
  update_codegen_baseline(dir, current_codegen({test_dir("s/a")}), false);
  EXPECT_TRUE(path_exists(texts + sha256_hex("same\n"))) << "still b's";
  compiled("s/b", "other\n");
  update_codegen_baseline(dir, current_codegen({test_dir("s/b")}), false);
  EXPECT_FALSE(path_exists(texts + sha256_hex("same\n")));
  EXPECT_EQ(read_codegen_baseline(dir).size(), 2u);

  // A text replaced after its record was written is not taken for it.
  compiled("s/a", "third\n");
  const CodegenStates now = current_codegen({test_dir("s/a")});
  write_file_atomic(test_dir("s/a") + "/generated.c", "fourth\n");
  update_codegen_baseline(dir, now, false);
  EXPECT_EQ(read_codegen_baseline(dir).at("s/a").hash, sha256_hex("other\n"));
}

TEST_F(CodegenTest, ADamagedPreviousRunStartsAfresh) {
  compiled("s/a", "int a;\n");
  make_directories(report_dir() + "/codegen/last");
  write_file_atomic(report_dir() + "/codegen/last/index.json", "{not json");
  const CodegenImpact impact = codegen_impact(records({"s/a"}), report_dir(), "");
  EXPECT_TRUE(impact.computed);
  EXPECT_EQ(impact.compared, 0u);
  EXPECT_EQ(read_codegen_baseline(report_dir() + "/codegen/last").size(), 1u);
}

// --- the report sections ---

Report report_with(CodegenImpact codegen) {
  MachineRun m;
  m.records = {make_record("s/a", Status::passed, "", 0.1, 0.1, 100),
               make_record("s/b", Status::passed, "", 0.1, 0.1, 100)};
  Report report = make_report({m});
  report.codegen = std::move(codegen);
  return report;
}

CodegenImpact one_change() {
  CodegenImpact impact;
  impact.computed = true;
  impact.baseline = "the previous run";
  impact.compared = 2;
  impact.changed = {{"s/b", "c", true, "--- s/b.wyn.c\n+++ s/b.wyn.c\n@@ -1 +1 @@\n-<old>\n+new\n",
                     "/build/wyn-report/codegen/diffs/s_b.diff"}};
  return impact;
}

TEST(CodegenSections, ChangesAreListedWithTheirDiffs) {
  const Report report = report_with(one_change());
  const std::string text = summary_text(report, "/build/wyn-report", {"report.html"});
  EXPECT_NE(text.find("Generated code changed: 1 of 2 programs differ from the previous run:\n"
                      "  s/b  (its source changed too)\n"
                      "  diffs in /build/wyn-report/codegen/diffs and report.html\n"),
            std::string::npos)
      << text;

  const nlohmann::json codegen = summary_json(report)["codegen"];
  EXPECT_EQ(codegen["baseline"], "the previous run");
  EXPECT_EQ(codegen["compared"], 2);
  ASSERT_EQ(codegen["changed"].size(), 1u);
  EXPECT_EQ(codegen["changed"][0]["name"], "s/b");
  EXPECT_EQ(codegen["changed"][0]["diff_file"], "/build/wyn-report/codegen/diffs/s_b.diff");
  EXPECT_EQ(codegen["changed"][0]["source_changed"], true);

  const std::string md = markdown_summary(report);
  EXPECT_NE(md.find("### Generated code changed\n\n1 of 2 programs differ from the previous run."),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("<details><summary>s/b: diff</summary>\n\n```diff\n--- s/b.wyn.c\n"),
            std::string::npos)
      << md;

  const std::string html = html_report(report);
  EXPECT_NE(html.find("<section id=\"codegen\">"), std::string::npos);
  EXPECT_NE(
      html.find(
          "<details class=\"codegen-change\"><summary>s/b (its source changed "
          "too)</summary><pre>--- s/b.wyn.c&#10;+++ s/b.wyn.c&#10;@@ -1 +1 @@&#10;-&lt;old&gt;"),
      std::string::npos)
      << html;
}

TEST(CodegenSections, NothingIsSaidWhenNothingChanged) {
  CodegenImpact unchanged = one_change();
  unchanged.changed.clear();
  Report report = report_with(unchanged);
  EXPECT_EQ(summary_text(report, "/r", {}).find("Generated code"), std::string::npos);
  EXPECT_EQ(markdown_summary(report).find("Generated code"), std::string::npos);
  EXPECT_EQ(html_report(report).find("id=\"codegen\""), std::string::npos);
  EXPECT_EQ(summary_json(report)["codegen"]["changed"].size(), 0u);

  // Asked for a saved baseline, the answer is one line.
  report.codegen.pinned = true;
  report.codegen.baseline = "baseline main";
  EXPECT_NE(summary_text(report, "/r", {})
                .find("Generated code: the same as in baseline main for all 2 programs\n"),
            std::string::npos);
  EXPECT_NE(html_report(report).find("The same as in baseline main for all 2 programs."),
            std::string::npos);

  // Not computed (a merge): no section, no key.
  EXPECT_FALSE(summary_json(report_with({})).contains("codegen"));
}

}  // namespace
}  // namespace wyn
