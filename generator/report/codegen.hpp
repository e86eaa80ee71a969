#pragma once
// Codegen impact: after an edit of the compiler, which tests' generated code
// (compile.json's `codegen_hash`) differs from a baseline, with a unified
// diff of the texts. A baseline is a directory:
//
//   index.json      {"schema": "wyn-ctest/codegen/1", "tests": {"<test>":
//                    {"codegen": "c", "hash": "<sha256>", "source_hash": "..."}}}
//   texts/<sha256>  the generated text of that hash (none for "executable")
//
// After every run the reporter compares the tests that ran with the code
// the previous report saw (<report dir>/codegen/last), or with a baseline
// saved by `wyn-report codegen-baseline save` when WYN_CODEGEN_BASELINE
// names one, then makes <report dir>/codegen/last what this run saw
// (docs/reports.md). Verdicts never depend on it.

#include <map>
#include <string>
#include <vector>

#include "records/record.hpp"
#include "report/run.hpp"

namespace wyn {

/// One test's generated code.
struct CodegenState {
  std::string codegen;  ///< "c", "ll" or "executable"
  std::string hash;     ///< SHA-256 of the text (of the program for "executable")
  std::string source_hash;
  std::string file;  ///< where its text is now; "" in a baseline and for "executable"
};
/// By test name.
using CodegenStates = std::map<std::string, CodegenState>;

/// The generated code the compile records in `test_dirs` name; tests that
/// did not compile (or have no compile step) are left out.
CodegenStates current_codegen(const std::vector<std::string>& test_dirs);

/// The index of the baseline in `dir`; empty when there is none.
CodegenStates read_codegen_baseline(const std::string& dir);

/// The tests of `now` whose code differs from the baseline in `dir`, with a
/// diff of the texts when both are there. `label` names the baseline.
CodegenImpact compare_codegen(const CodegenStates& now, const std::string& dir,
                              const std::string& label);

/// Records `states` in the baseline in `dir` with their texts: on top of
/// what it holds, or `replace`d whole. Texts no entry names are removed.
void update_codegen_baseline(const std::string& dir, const CodegenStates& states, bool replace);

/// Writes each change's diff into `dir` (emptied first) and sets its diff_file.
void write_codegen_diffs(CodegenImpact& impact, const std::string& dir);

/// The directory of the saved baseline `name`: `name` itself when it holds
/// a '/', else <report dir>/codegen/baselines/<name>. Throws Error on an
/// empty name, "." or "..".
std::string codegen_baseline_dir(const std::string& report_dir, const std::string& name);

/// The codegen section of a report of `records`: compared with the saved
/// baseline `pinned` (a name or directory, see codegen_baseline_dir) or,
/// when it is empty, with the previous report's; then the previous report's
/// baseline becomes what these tests have now. Throws Error when `pinned`
/// names no baseline.
CodegenImpact codegen_impact(const std::vector<TestRecord>& records, const std::string& report_dir,
                             const std::string& pinned);

/// Saves the generated code of every compiled test of the suites (their
/// build directories) as the baseline `name`; returns its directory.
std::string save_codegen_baseline(const std::vector<std::string>& suite_dirs,
                                  const std::string& report_dir, const std::string& name,
                                  size_t& saved);

}  // namespace wyn
