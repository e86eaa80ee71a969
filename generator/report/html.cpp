#include "report/html.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "report/escape.hpp"
#include "report/timeline.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

constexpr size_t kFailuresShown = 200;
constexpr size_t kOutputShown = 16 * 1024;
constexpr size_t kSlowestBars = 15;
constexpr size_t kTestRows = 10000;
constexpr double kChartWidth = 1000;

const char* const kStyle = R"(
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1f2328; background: #fff; }
h1 { margin: 0 0 4px; } h2 { margin-top: 28px; border-bottom: 1px solid #d0d7de; }
.verdict { font-size: 18px; font-weight: 600; margin: 0 0 12px; }
.verdict.bad { color: #cf222e; } .verdict.good { color: #1a7f37; }
#counts { display: flex; flex-wrap: wrap; gap: 8px; }
.count { border: 1px solid #d0d7de; border-radius: 6px; padding: 6px 12px; min-width: 80px; }
.count b { display: block; font-size: 22px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; color: #fff; font-size: 12px; }
.s-passed { background: #1a7f37; } .s-xfail { background: #9a6700; } .s-skipped { background: #6e7781; }
.s-flaky { background: #bc4c00; }
.s-unknown { background: #6e7781; } .s-fail { background: #cf222e; }
.count.s-passed, .count.s-xfail, .count.s-flaky, .count.s-skipped, .count.s-unknown,
.count.s-fail { color: #fff; }
.failure { border-left: 4px solid #cf222e; padding: 4px 12px; margin: 12px 0; background: #fff8f8; }
.failure h3 { margin: 4px 0; font-size: 15px; }
.reason { font-weight: 600; } .source { color: #57606a; font-size: 12px; }
pre { background: #f6f8fa; padding: 8px; overflow: auto; max-height: 360px; white-space: pre-wrap; }
table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: 2px 8px; text-align: left; }
td.num { text-align: right; }
svg text { font: 11px system-ui, sans-serif; fill: #1f2328; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; vertical-align: middle; }
#test-controls { margin: 8px 0; display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
#test-controls[hidden] { display: none; }
#test-search { width: 280px; padding: 3px 6px; }
#test-controls button { border: 1px solid #d0d7de; border-radius: 6px; background: #f6f8fa; padding: 2px 10px; }
#test-controls button[aria-pressed="true"] { background: #0969da; border-color: #0969da; color: #fff; }
)";

// Search and status filters for the table of every test. The page is
// complete without it (the controls stay hidden where scripts are blocked,
// as CI servers serving artifacts often do). A row is shown when its status
// matches the pressed filter and its name and reason contain every word
// typed.
const char* const kScript = R"js(
(function () {
  const controls = document.getElementById("test-controls");
  const table = document.getElementById("test-table");
  if (!controls || !table) return;
  const rows = Array.from(table.querySelectorAll("tr[data-status]"));
  const search = document.getElementById("test-search");
  const shown = document.getElementById("test-shown");
  const buttons = Array.from(controls.querySelectorAll("button[data-filter]"));
  let filter = "all";
  function update() {
    const words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    let count = 0;
    for (const row of rows) {
      const status = row.dataset.status;
      const text = (row.cells[0].textContent + " " + row.cells[4].textContent).toLowerCase();
      const show = (filter === "all" || filter === status ||
                    (filter === "failing" && row.dataset.failing === "1")) &&
                   words.every(word => text.includes(word));
      row.hidden = !show;
      if (show) ++count;
    }
    shown.textContent = count + " of " + rows.length + " shown";
    if (words.length || filter !== "all") document.getElementById("all-tests").open = true;
  }
  for (const button of buttons) {
    button.addEventListener("click", () => {
      filter = button.dataset.filter;
      for (const other of buttons) other.setAttribute("aria-pressed", String(other === button));
      update();
    });
  }
  search.addEventListener("input", update);
  controls.hidden = false;
  update();
})();
)js";

std::string svg_number(double value, const char* format = "%.2f") {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

/// CSS class of a status: the failing ones share one colour.
std::string status_class(Status s) {
  switch (s) {
    case Status::passed:
      return "s-passed";
    case Status::xfail:
      return "s-xfail";
    case Status::flaky:
      return "s-flaky";
    case Status::skipped:
      return "s-skipped";
    case Status::unknown:
      return "s-unknown";
    default:
      return "s-fail";
  }
}

std::string span_colour(const Span& span) {
  if (span.category == "compile") return "#8250df";
  if (span.category == "build") return "#6e7781";
  if (span.status == "passed") return "#1a7f37";
  if (span.status == "xfail") return "#9a6700";
  if (span.status == "flaky") return "#bc4c00";
  return "#cf222e";
}

std::string badge(Status s) {
  return "<span class=\"badge " + status_class(s) + "\">" + status_name(s) + "</span>";
}

std::string counts_section(const Report& report) {
  std::map<Status, int> counts;
  for (const TestRecord& r : report.records) ++counts[r.status];
  std::string html = "<section id=\"counts\">\n";
  html += "<div class=\"count\" id=\"count-total\"><b>" + std::to_string(report.records.size()) +
          "</b>total</div>\n";
  for (Status s : all_statuses()) {
    if (!counts[s]) continue;
    html += "<div class=\"count " + status_class(s) + "\" id=\"count-" + status_name(s) + "\"><b>" +
            std::to_string(counts[s]) + "</b>" + status_name(s) + "</div>\n";
  }
  return html + "</section>\n";
}

std::string failure_article(const TestRecord& r) {
  std::string html =
      "<article class=\"failure\">\n<h3>" + badge(r.status) + " " + html_escape(r.name) + "</h3>\n";
  html += "<p class=\"reason\">" + html_escape(r.reason) + "</p>\n";
  html += "<p class=\"source\">" + html_escape(r.source) + "</p>\n";
  if (!r.diff.empty()) {
    html += "<table class=\"diff\"><tr><th>line</th><th>expected</th><th>actual</th></tr>\n";
    for (size_t i = 0; i < r.diff.size() && i < 20; ++i) {
      const DiffLine& d = r.diff[i];
      html += "<tr><td class=\"num\">" + std::to_string(d.line) + "</td><td>" +
              html_escape(d.expected) + "</td><td>" +
              (d.missing_actual ? "<i>output ended</i>" : html_escape(d.actual)) + "</td></tr>\n";
    }
    html += "</table>\n";
  }
  if (!r.subchecks.empty()) {
    html += "<table class=\"subchecks\"><tr><th>sub-check</th><th>result</th></tr>\n";
    for (const SubCheck& c : r.subchecks) {
      std::string result = "ok";
      if (c.skipped) result = "skipped " + html_escape(c.details);
      if (!c.ok) result = "<b>FAIL</b> " + html_escape(c.details);
      html += "<tr><td>" + html_escape(c.name) + "</td><td>" + result + "</td></tr>\n";
    }
    html += "</table>\n";
  }
  if (!r.snapshot_diff.empty())
    html += "<details open><summary>snapshot diff</summary><pre>" +
            html_escape(excerpt(r.snapshot_diff, kOutputShown)) + "</pre></details>\n";
  if (!r.diagnostics.empty())
    html += "<details open><summary>compiler output</summary><pre>" +
            html_escape(excerpt(r.diagnostics, kOutputShown)) + "</pre></details>\n";
  if (!r.output.empty())
    html += "<details><summary>program output (" + std::to_string(r.output_bytes) +
            " bytes)</summary><pre>" + html_escape(excerpt(r.output, kOutputShown)) +
            "</pre></details>\n";
  return html + "</article>\n";
}

std::string failures_section(const std::vector<const TestRecord*>& failures) {
  std::string html =
      "<section id=\"failures\">\n<h2>Failures (" + std::to_string(failures.size()) + ")</h2>\n";
  if (failures.empty()) html += "<p>None.</p>\n";
  for (size_t i = 0; i < failures.size() && i < kFailuresShown; ++i)
    html += failure_article(*failures[i]);
  if (failures.size() > kFailuresShown)
    html += "<p>" + std::to_string(failures.size() - kFailuresShown) +
            " more failures are listed under All tests.</p>\n";
  return html + "</section>\n";
}

std::string truncated(const std::string& text, size_t max_chars) {
  if (text.size() <= max_chars) return text;
  size_t cut = max_chars - 1;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  return text.substr(0, cut) + "\xe2\x80\xa6";
}

std::string flaky_section(const Report& report) {
  std::string rows;
  for (const TestRecord& r : report.records)
    if (r.status == Status::flaky)
      rows += "<tr><td>" + html_escape(r.name) + "</td><td>" + html_escape(attempts_note(r)) +
              "</td></tr>\n";
  if (rows.empty()) return "";
  return "<section id=\"flaky\">\n<h2>Flaky tests</h2>\n<p>Passed when CTest ran them again "
         "(<code>--repeat until-pass</code>).</p>\n<table>\n<tr><th>test</th><th>earlier "
         "attempts</th></tr>\n" +
         rows + "</table>\n</section>\n";
}

std::string fixed_section(const Report& report) {
  std::string rows;
  for (const TestRecord* r : fixed_tests(report.records))
    rows += "<tr><td>" + html_escape(r->name) + "</td><td>" + html_escape(r->known_failure) +
            "</td></tr>\n";
  if (rows.empty()) return "";
  return "<section id=\"fixed\">\n<h2>Fixed</h2>\n<p>Listed as known failures, now passing: "
         "delete these lines from the list.</p>\n<table>\n<tr><th>test</th><th>listed "
         "at</th></tr>\n" +
         rows + "</table>\n</section>\n";
}

/// The programs whose generated code changed, each with its diff folded;
/// nothing unless some code changed or a saved baseline was asked for.
std::string codegen_section(const CodegenImpact& codegen) {
  constexpr size_t kDiffsShown = 100;
  if (!codegen.computed || (codegen.changed.empty() && !codegen.pinned)) return "";
  const std::string compared = std::to_string(codegen.compared);
  std::string html = "<section id=\"codegen\">\n<h2>Generated code</h2>\n<p>";
  if (codegen.changed.empty())
    return html + "The same as in " + html_escape(codegen.baseline) + " for all " + compared +
           " programs.</p>\n</section>\n";
  html += std::to_string(codegen.changed.size()) + " of " + compared + " programs differ from " +
          html_escape(codegen.baseline) + ".</p>\n";
  for (size_t i = 0; i < codegen.changed.size() && i < kDiffsShown; ++i) {
    const CodegenChange& c = codegen.changed[i];
    html += "<details class=\"codegen-change\"><summary>" + html_escape(c.name) +
            (c.source_changed ? " (its source changed too)" : "") + "</summary>";
    html += c.diff.empty() ? std::string(
                                 "<p>No diff: the compiler left no generated code (the programs "
                                 "differ), or the baseline has no text of it.</p>")
                           : "<pre>" + html_escape(excerpt(c.diff, kOutputShown)) + "</pre>";
    html += "</details>\n";
  }
  if (codegen.changed.size() > kDiffsShown)
    html += "<p>" + std::to_string(codegen.changed.size() - kDiffsShown) +
            " more are listed in summary.json.</p>\n";
  return html + "</section>\n";
}

/// Horizontal bars of the longest times, longest first; `seconds` picks the time.
std::string bar_chart(const Report& report, const std::string& id, const char* colour,
                      double (*seconds)(const TestRecord&)) {
  std::vector<const TestRecord*> longest;
  for (const TestRecord& r : report.records)
    if (!r.cached && seconds(r) > 0) longest.push_back(&r);
  std::sort(longest.begin(), longest.end(), [&](const TestRecord* a, const TestRecord* b) {
    return seconds(*a) > seconds(*b) || (seconds(*a) == seconds(*b) && a->name < b->name);
  });
  if (longest.size() > kSlowestBars) longest.resize(kSlowestBars);
  if (longest.empty()) return "<p>None.</p>\n";
  const double scale = seconds(*longest.front());
  const double label = 300, bars = kChartWidth - label - 80, row = 22;
  std::string html = "<svg id=\"" + id + "\" width=\"" + svg_number(kChartWidth, "%.0f") +
                     "\" height=\"" + svg_number(row * longest.size() + 6, "%.0f") +
                     "\" role=\"img\">\n";
  for (size_t i = 0; i < longest.size(); ++i) {
    const TestRecord& r = *longest[i];
    const double y = i * row + 4, w = std::max(bars * seconds(r) / scale, 1.0);
    html += "<g><title>" + html_escape(r.name) + ": run " + svg_number(r.run_seconds) +
            " s, compile " + svg_number(r.compile_seconds) + " s</title>\n";
    html += "<text x=\"" + svg_number(label - 6, "%.0f") + "\" y=\"" + svg_number(y + 13, "%.0f") +
            "\" text-anchor=\"end\">" + html_escape(truncated(r.name, 48)) + "</text>\n";
    html += "<rect x=\"" + svg_number(label, "%.0f") + "\" y=\"" + svg_number(y, "%.0f") +
            "\" width=\"" + svg_number(w, "%.1f") + "\" height=\"16\" fill=\"" + colour + "\"/>\n";
    html += "<text x=\"" + svg_number(label + w + 6, "%.1f") + "\" y=\"" +
            svg_number(y + 13, "%.0f") + "\">" + svg_number(seconds(r)) + " s</text></g>\n";
  }
  return html + "</svg>\n";
}

double run_time(const TestRecord& r) { return r.run_seconds; }
double compile_time(const TestRecord& r) { return r.compile_seconds; }

std::string slowest_section(const Report& report) {
  return "<section id=\"slowest\">\n<h2>Slowest tests</h2>\n" +
         bar_chart(report, "slowest-chart", "#0969da", run_time) + "<h3>Slowest compiles</h3>\n" +
         bar_chart(report, "compile-chart", "#8250df", compile_time) + "</section>\n";
}

std::string timeline_chart(const Report& report) {
  const std::vector<Track> tracks = timeline(report);
  std::string html = "<section id=\"timeline\">\n<h2>Timeline</h2>\n";
  if (tracks.empty()) return html + "<p>Nothing was built or run.</p>\n</section>\n";
  const double origin = timeline_origin(tracks);
  double last = origin;
  int lanes = 0;
  for (const Track& t : tracks) {
    lanes += t.lanes;
    for (const Span& s : t.spans) last = std::max(last, s.end);
  }
  const double left = 130, width = kChartWidth - left - 40, lane_height = 12, top = 20, gap = 8;
  const double span_seconds = std::max(last - origin, 1e-3);
  const double height = top + lanes * lane_height + tracks.size() * gap + 4;
  html += "<svg id=\"timeline-chart\" width=\"" + svg_number(kChartWidth, "%.0f") + "\" height=\"" +
          svg_number(height, "%.0f") + "\" role=\"img\">\n";
  for (int tick = 0; tick <= 5; ++tick) {
    const double x = left + width * tick / 5;
    html += "<line x1=\"" + svg_number(x, "%.1f") + "\" y1=\"" + svg_number(top - 4, "%.0f") +
            "\" x2=\"" + svg_number(x, "%.1f") + "\" y2=\"" + svg_number(height, "%.0f") +
            "\" stroke=\"#d0d7de\"/>\n";
    html += "<text x=\"" + svg_number(x, "%.1f") + "\" y=\"12\" text-anchor=\"middle\">" +
            svg_number(span_seconds * tick / 5) + " s</text>\n";
  }
  double y = top;
  for (const Track& t : tracks) {
    html += "<text x=\"0\" y=\"" + svg_number(y + 10, "%.0f") + "\" font-weight=\"600\">" +
            html_escape(t.title) + "</text>\n";
    for (const Span& s : t.spans) {
      const double x = left + width * (s.start - origin) / span_seconds;
      const double w = std::max(width * (s.end - s.start) / span_seconds, 1.0);
      html += "<rect x=\"" + svg_number(x, "%.1f") + "\" y=\"" +
              svg_number(y + s.lane * lane_height, "%.0f") + "\" width=\"" + svg_number(w, "%.1f") +
              "\" height=\"" + svg_number(lane_height - 2, "%.0f") + "\" fill=\"" + span_colour(s) +
              "\"><title>" + html_escape(s.name) + " (" +
              (s.status.empty() ? s.category : s.status) + "): " + svg_number(s.end - s.start) +
              " s</title></rect>\n";
    }
    y += t.lanes * lane_height + gap;
    html += "<line x1=\"0\" y1=\"" + svg_number(y - gap / 2, "%.0f") + "\" x2=\"" +
            svg_number(kChartWidth, "%.0f") + "\" y2=\"" + svg_number(y - gap / 2, "%.0f") +
            "\" stroke=\"#8c959f\"/>\n";
  }
  html +=
      "</svg>\n<p class=\"legend\"><span style=\"background:#8250df\"></span>compile"
      "<span style=\"background:#6e7781\"></span>other build step"
      "<span style=\"background:#1a7f37\"></span>passed run"
      "<span style=\"background:#cf222e\"></span>failed run"
      "<span style=\"background:#9a6700\"></span>expected failure"
      "<span style=\"background:#bc4c00\"></span>flaky</p>\n"
      "<p>One row per job Ninja or CTest ran at once; trace.json has the same timeline for "
      "Perfetto (ui.perfetto.dev) or chrome://tracing.</p>\n";
  return html + "</section>\n";
}

/// The search box and one filter button per status present (kScript).
std::string test_controls(const Report& report) {
  std::map<Status, int> counts;
  bool failing = false;
  for (const TestRecord& r : report.records) {
    ++counts[r.status];
    failing = failing || !is_success(r.status);
  }
  std::string html =
      "<div id=\"test-controls\" hidden>\n<input type=\"search\" id=\"test-search\" "
      "placeholder=\"Search names and reasons\" aria-label=\"Search names and reasons\">\n"
      "<span id=\"test-filters\" role=\"group\" aria-label=\"Show\">"
      "<button type=\"button\" data-filter=\"all\" aria-pressed=\"true\">all</button>";
  if (failing)
    html +=
        "<button type=\"button\" data-filter=\"failing\" aria-pressed=\"false\">failing</button>";
  for (Status s : all_statuses())
    if (counts[s])
      html += "<button type=\"button\" data-filter=\"" + status_name(s) +
              "\" aria-pressed=\"false\">" + status_name(s) + "</button>";
  return html + "</span>\n<span id=\"test-shown\"></span>\n</div>\n";
}

std::string all_tests_section(const Report& report) {
  std::string html = "<section id=\"all\">\n<h2>All tests</h2>\n" + test_controls(report);
  html += "<details id=\"all-tests\"><summary>" + std::to_string(report.records.size()) +
          " tests</summary>\n<table id=\"test-table\">\n";
  html += "<tr><th>test</th><th>status</th><th>compile</th><th>run</th><th>reason</th></tr>\n";
  for (size_t i = 0; i < report.records.size() && i < kTestRows; ++i) {
    const TestRecord& r = report.records[i];
    html += "<tr data-status=\"" + status_name(r.status) + "\"" +
            (is_success(r.status) ? "" : " data-failing=\"1\"") + "><td>" + html_escape(r.name) +
            "</td><td>" + badge(r.status) + "</td><td class=\"num\">" +
            svg_number(r.compile_seconds) + "</td><td class=\"num\">" + svg_number(r.run_seconds) +
            "</td><td>" + html_escape(r.reason) + "</td></tr>\n";
  }
  html += "</table>\n</details>\n";
  if (report.records.size() > kTestRows)
    html += "<p>" + std::to_string(report.records.size() - kTestRows) +
            " more tests are in summary.json.</p>\n";
  return html + "</section>\n";
}

}  // namespace

std::string html_escape(const std::string& text) { return xml_attribute(text); }

std::string html_report(const Report& report) {
  std::vector<const TestRecord*> failures;
  for (const TestRecord& r : report.records)
    if (!is_success(r.status)) failures.push_back(&r);
  const std::string verdict = failures.empty()
                                  ? "all " + std::to_string(report.records.size()) + " tests passed"
                                  : std::to_string(failures.size()) + " of " +
                                        std::to_string(report.records.size()) + " tests failed";
  const TimeSplit t = time_split(report);
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>Wyn tests: " +
      verdict + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  html += "<h1>Wyn tests</h1>\n<p class=\"verdict " +
          std::string(failures.empty() ? "good" : "bad") + "\" id=\"verdict\">" + verdict +
          "</p>\n";
  html += "<p>Time: compile " +
          (t.compile_wall >= 0 ? svg_number(t.compile_wall) + " s wall"
                               : std::string("(no build in this run)")) +
          ", run " + (t.run_wall >= 0 ? svg_number(t.run_wall) + " s wall" : std::string("-")) +
          "; summed over tests: compile " + svg_number(t.compile_sum) + " s, run " +
          svg_number(t.run_sum) + " s.</p>\n";
  html += counts_section(report);
  html += failures_section(failures);
  html += flaky_section(report);
  html += fixed_section(report);
  html += codegen_section(report.codegen);
  html += slowest_section(report);
  html += timeline_chart(report);
  html += all_tests_section(report);
  html += "<p class=\"source\">wyn-ctest " WYN_CTEST_VERSION "</p>\n<script>" +
          std::string(kScript) + "</script>\n</body>\n</html>\n";
  return html;
}

}  // namespace wyn
