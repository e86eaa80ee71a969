#include "report/markdown.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "report/escape.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

constexpr size_t kFailureRows = 100;
constexpr size_t kFailureDetails = 30;
constexpr size_t kMarkdownOutputShown = 4 * 1024;
constexpr size_t kSlowestRows = 10;

std::string markdown_seconds(double s) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2f s", s);
  return buffer;
}

/// A fenced block that the text cannot close: the fence is longer than any
/// run of backticks inside.
std::string fenced(const std::string& text, const char* language = "text") {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  const std::string fence(std::max<size_t>(3, longest + 1), '`');
  return fence + language + "\n" + text + (text.empty() || text.back() == '\n' ? "" : "\n") +
         fence + "\n";
}

/// Text inside HTML (the <summary> of a collapsed section), on one line.
std::string one_line_html(const std::string& text) {
  return visible_text_with(
      text, [](char c) { return c == '\n' || c == '\r' ? " " : markup_reference(c); });
}

/// The programs whose generated code changed, each diff collapsed; quiet
/// unless some code changed or a saved baseline was asked for.
std::string markdown_codegen_section(const CodegenImpact& codegen) {
  if (!codegen.computed || (codegen.changed.empty() && !codegen.pinned)) return "";
  const std::string baseline = markdown_cell(codegen.baseline);
  if (codegen.changed.empty())
    return "\n### Generated code\n\nThe same as in " + baseline + " for all " +
           std::to_string(codegen.compared) + " programs.\n";
  std::string md = "\n### Generated code changed\n\n" + std::to_string(codegen.changed.size()) +
                   " of " + std::to_string(codegen.compared) + " programs differ from " + baseline +
                   ".\n\n| program | note |\n|---|---|\n";
  for (size_t i = 0; i < codegen.changed.size() && i < kFailureRows; ++i) {
    const CodegenChange& c = codegen.changed[i];
    md += "| " + markdown_cell(c.name) + " | " +
          (c.source_changed ? "its source changed too" : "") + " |\n";
  }
  if (codegen.changed.size() > kFailureRows)
    md += "\n... and " + std::to_string(codegen.changed.size() - kFailureRows) + " more.\n";
  md += "\n";
  for (size_t i = 0; i < codegen.changed.size() && i < kFailureDetails; ++i) {
    const CodegenChange& c = codegen.changed[i];
    if (c.diff.empty()) continue;
    md += "<details><summary>" + one_line_html(c.name) + ": diff</summary>\n\n" +
          fenced(visible_text(excerpt(c.diff, kMarkdownOutputShown)), "diff") + "\n</details>\n\n";
  }
  return md;
}

}  // namespace

std::string markdown_cell(const std::string& text) {
  return visible_text_with(text, [](char c) -> const char* {
    switch (c) {
      case '|':
        return "\\|";
      case '\n':
        return "<br>";
      case '\r':
        return "";
      // Characters Markdown would read as formatting, backslash-escaped.
      case '`':
        return "\\`";
      case '*':
        return "\\*";
      case '_':
        return "\\_";
      case '[':
        return "\\[";
      case ']':
        return "\\]";
      case '\\':
        return "\\\\";
      case '#':
        return "\\#";
      case '~':
        return "\\~";
      default:
        return markup_reference(c);
    }
  });
}

std::string markdown_summary(const Report& report) {
  std::map<Status, int> counts;
  std::vector<const TestRecord*> failures;
  for (const TestRecord& r : report.records) {
    ++counts[r.status];
    if (!is_success(r.status)) failures.push_back(&r);
  }
  const size_t total = report.records.size();
  std::string md = "## Wyn tests: ";
  md += failures.empty()
            ? "all " + std::to_string(total) + " passed"
            : std::to_string(failures.size()) + " of " + std::to_string(total) + " failed";
  md += "\n\n| status | tests |\n|---|---:|\n";
  for (Status s : all_statuses())
    if (counts[s]) md += "| " + status_name(s) + " | " + std::to_string(counts[s]) + " |\n";
  md += "| **total** | **" + std::to_string(total) + "** |\n";

  if (!failures.empty()) {
    md += "\n### Failures\n\n| test | status | reason |\n|---|---|---|\n";
    for (size_t i = 0; i < failures.size() && i < kFailureRows; ++i) {
      const TestRecord* r = failures[i];
      md += "| " + markdown_cell(r->name) + " | " + status_name(r->status) + " | " +
            markdown_cell(r->reason) + " |\n";
    }
    if (failures.size() > kFailureRows)
      md += "\n... and " + std::to_string(failures.size() - kFailureRows) + " more failures.\n";
    md += "\n";
    for (size_t i = 0; i < failures.size() && i < kFailureDetails; ++i) {
      const TestRecord* r = failures[i];
      std::string details =
          r->diagnostics.empty() ? "" : "compiler output:\n" + r->diagnostics + "\n";
      if (!r->subchecks.empty()) details += "sub-checks:\n" + subchecks_text(*r);
      if (!r->snapshot_diff.empty()) details += r->snapshot_diff;
      if (!r->output.empty()) details += "program output:\n" + r->output;
      if (details.empty()) continue;
      md += "<details><summary>" + one_line_html(r->name) + ": output</summary>\n\n" +
            fenced(visible_text(excerpt(details, kMarkdownOutputShown))) + "\n</details>\n\n";
    }
  }

  std::string flaky;
  for (const TestRecord& r : report.records)
    if (r.status == Status::flaky)
      flaky += "| " + markdown_cell(r.name) + " | " + markdown_cell(attempts_note(r)) + " |\n";
  if (!flaky.empty())
    md += "\n### Flaky tests (passed when run again)\n\n| test | earlier attempts |\n|---|---|\n" +
          flaky;

  std::string fixed;
  for (const TestRecord* r : fixed_tests(report.records))
    fixed += "| " + markdown_cell(r->name) + " | " + markdown_cell(r->known_failure) + " |\n";
  if (!fixed.empty())
    md +=
        "\n### Fixed (listed as known failures, now passing: delete these lines)\n\n"
        "| test | listed at |\n|---|---|\n" +
        fixed;

  md += markdown_codegen_section(report.codegen);

  std::vector<const TestRecord*> slowest;
  for (const TestRecord& r : report.records)
    if (!r.cached && r.status != Status::skipped) slowest.push_back(&r);
  std::sort(slowest.begin(), slowest.end(), [](const TestRecord* a, const TestRecord* b) {
    return a->run_seconds > b->run_seconds ||
           (a->run_seconds == b->run_seconds && a->name < b->name);
  });
  if (slowest.size() > kSlowestRows) slowest.resize(kSlowestRows);
  if (!slowest.empty()) {
    md += "\n### Slowest tests\n\n| test | run | compile |\n|---|---:|---:|\n";
    for (const TestRecord* r : slowest)
      md += "| " + markdown_cell(r->name) + " | " + markdown_seconds(r->run_seconds) + " | " +
            markdown_seconds(r->compile_seconds) + " |\n";
  }

  const TimeSplit t = time_split(report);
  md += "\n**Time:** compile ";
  md += t.compile_wall >= 0 ? markdown_seconds(t.compile_wall) + " wall"
                            : std::string("(no build in this run)");
  md += ", run " + (t.run_wall >= 0 ? markdown_seconds(t.run_wall) + " wall" : std::string("-"));
  md += "; summed over tests: compile " + markdown_seconds(t.compile_sum) + ", run " +
        markdown_seconds(t.run_sum) + ".\n";
  return md;
}

}  // namespace wyn
