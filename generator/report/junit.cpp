#include "report/junit.hpp"

#include <cstdio>
#include <ctime>
#include <map>

#include "report/escape.hpp"
#include "util/text.hpp"

namespace wyn {

namespace {

constexpr size_t kDiffLinesShown = 20;

std::string decimal(double seconds) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3f", seconds < 0 ? 0.0 : seconds);
  return buffer;
}

/// The Ant schema's timestamp: no zone. It is UTC.
std::string timestamp(double unix_seconds) { return format_utc(unix_seconds, "%Y-%m-%dT%H:%M:%S"); }

/// Jenkins splits the class name at its last dot into package and class:
/// the suite, then the test's directories.
std::string classname(const TestRecord& r) {
  std::string name = suite_of(r);
  const std::string rest = name_in_suite(r);
  const size_t slash = rest.rfind('/');
  if (slash != std::string::npos) {
    std::string dirs = rest.substr(0, slash);
    for (char& c : dirs)
      if (c == '/') c = '.';
    name += "." + dirs;
  }
  return name;
}

std::string case_name(const TestRecord& r) {
  const std::string rest = name_in_suite(r);
  const size_t slash = rest.rfind('/');
  return slash == std::string::npos ? rest : rest.substr(slash + 1);
}

std::string property(const std::string& name, const std::string& value, const char* indent) {
  return std::string(indent) + "<property name=\"" + xml_attribute(name) + "\" value=\"" +
         xml_attribute(value) + "\"/>\n";
}

/// Facts about a test that have no JUnit element of their own.
std::vector<std::pair<std::string, std::string>> test_properties(const TestRecord& r) {
  std::vector<std::pair<std::string, std::string>> props = {
      {"wyn.test", r.name},
      {"wyn.status", status_name(r.status)},
      {"wyn.compile_seconds", decimal(r.compile_seconds)},
      {"wyn.run_seconds", decimal(r.run_seconds)},
  };
  if (r.status == Status::xfail) props.push_back({"wyn.xfail_reason", r.reason});
  if (!r.attempts.empty()) {
    props.push_back({"wyn.attempts", std::to_string(r.attempts.size())});
    props.push_back({"wyn.earlier_attempts", attempts_note(r)});
  }
  if (!r.labels.empty()) props.push_back({"wyn.labels", join(r.labels, " ")});
  if (r.cached) props.push_back({"wyn.cached", "true"});
  return props;
}

struct Suite {
  std::vector<const TestRecord*> tests;
  int failures = 0, errors = 0, skipped = 0;
  double time = 0, first_start = 0;
};

std::string output_of(const TestRecord& r, size_t cap) {
  const std::string checks = subchecks_text(r);
  if (checks.empty()) return excerpt(r.output, cap);
  return "sub-checks:\n" + checks + (r.output.empty() ? "" : "output:\n" + excerpt(r.output, cap));
}

std::string errors_of(const TestRecord& r, size_t cap) {
  std::string text;
  if (!r.diagnostics.empty()) text += "compiler output:\n" + r.diagnostics;
  if (!r.signals_sent.empty()) {
    if (!text.empty() && text.back() != '\n') text += "\n";
    text += "the harness sent " + join(r.signals_sent, ", ") + "\n";
  }
  return excerpt(text, cap);
}

}  // namespace

std::string failure_message(const TestRecord& r) {
  if (!r.reason.empty()) return r.reason;
  return status_name(r.status);
}

std::string failure_details(const TestRecord& r, size_t cap) {
  std::string text = status_name(r.status) + ": " + failure_message(r) + "\n";
  text += "source: " + r.source + "\n";
  if (r.exit_code >= 0 && r.start_time > 0)
    text += "exit code: " + std::to_string(r.exit_code) + "\n";
  if (!r.signal.empty()) text += "terminated by: " + r.signal + "\n";
  if (!r.signals_sent.empty()) text += "the harness sent: " + join(r.signals_sent, ", ") + "\n";
  for (size_t i = 0; i < r.diff.size() && i < kDiffLinesShown; ++i) {
    const DiffLine& d = r.diff[i];
    text += "line " + std::to_string(d.line) + ": expected '" + d.expected + "'\n";
    text += d.missing_actual ? "         output ended\n" : "         actual   '" + d.actual + "'\n";
  }
  if (r.diff.size() > kDiffLinesShown)
    text += "(" + std::to_string(r.diff.size() - kDiffLinesShown) + " more differing lines)\n";
  if (!r.diagnostics.empty()) text += "compiler output:\n" + excerpt(r.diagnostics, cap) + "\n";
  if (!r.snapshot_diff.empty()) text += excerpt(r.snapshot_diff, cap);
  return text;
}

std::string junit_xml(const Report& report, const JunitOptions& options) {
  const bool strict = options.flavor == "strict";
  std::map<std::string, std::string> host_of;  // test name -> machine
  for (const MachineRun& m : report.machines)
    for (const TestRecord& r : m.records) host_of[r.name] = m.hostname;

  std::vector<std::string> order;
  std::map<std::string, Suite> suites;
  for (const TestRecord& r : report.records) {
    const std::string suite = suite_of(r);
    if (!suites.count(suite)) order.push_back(suite);
    Suite& s = suites[suite];
    s.tests.push_back(&r);
    const std::string kind = present(r.status).junit;
    s.failures += kind == "failure";
    s.errors += kind == "error";
    s.skipped += kind == "skipped";
    s.time += r.compile_seconds + r.run_seconds;
    if (r.start_time > 0 && (s.first_start == 0 || r.start_time < s.first_start))
      s.first_start = r.start_time;
  }

  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  if (strict) {
    xml += "<testsuites>\n";
  } else {
    int failures = 0, errors = 0, skipped = 0;
    double time = 0;
    for (const auto& [name, s] : suites) {
      failures += s.failures, errors += s.errors, skipped += s.skipped, time += s.time;
    }
    xml += "<testsuites name=\"wyn-ctest\" tests=\"" + std::to_string(report.records.size()) +
           "\" failures=\"" + std::to_string(failures) + "\" errors=\"" + std::to_string(errors) +
           "\" skipped=\"" + std::to_string(skipped) + "\" time=\"" + decimal(time) + "\">\n";
  }
  for (size_t id = 0; id < order.size(); ++id) {
    const Suite& s = suites[order[id]];
    std::string host = host_of[s.tests.front()->name];
    if (host.empty()) host = local_hostname();
    xml += "  <testsuite name=\"" + xml_attribute(order[id]) + "\" tests=\"" +
           std::to_string(s.tests.size()) + "\" failures=\"" + std::to_string(s.failures) +
           "\" errors=\"" + std::to_string(s.errors) + "\" skipped=\"" + std::to_string(s.skipped) +
           "\" time=\"" + decimal(s.time) + "\" timestamp=\"" +
           timestamp(s.first_start > 0 ? s.first_start : std::time(nullptr)) + "\" hostname=\"" +
           xml_attribute(host) + "\" id=\"" + std::to_string(id) + "\" package=\"" +
           xml_attribute(order[id]) + "\">\n";

    xml += "    <properties>\n";
    if (strict) {
      // The schema allows no per-testcase properties: they go here, keyed by test.
      for (const TestRecord* r : s.tests) {
        xml += property(r->name + ".file", r->source, "      ");
        for (const auto& [key, value] : test_properties(*r))
          if (key != "wyn.test") xml += property(r->name + "." + key.substr(4), value, "      ");
      }
    }
    xml += "    </properties>\n";

    std::string suite_out, suite_err;
    for (const TestRecord* r : s.tests) {
      const Presentation p = present(r->status);
      const std::string kind = p.junit;
      xml += "    <testcase name=\"" + xml_attribute(case_name(*r)) + "\" classname=\"" +
             xml_attribute(classname(*r)) + "\" time=\"" +
             decimal(r->compile_seconds + r->run_seconds) + "\"";
      if (!strict) xml += " file=\"" + xml_attribute(r->source) + "\"";
      xml += ">\n";
      if (!strict) {
        xml += "      <properties>\n";
        for (const auto& [key, value] : test_properties(*r))
          xml += property(key, value, "        ");
        xml += "      </properties>\n";
      }
      if (kind == "skipped") {
        xml += "      <skipped message=\"" + xml_attribute(r->reason) + "\"/>\n";
      } else if (!kind.empty()) {
        xml += "      <" + kind + " message=\"" + xml_attribute(failure_message(*r)) +
               "\" type=\"" + xml_attribute(status_name(r->status)) + "\">" +
               xml_text(failure_details(*r, options.output_cap)) + "</" + kind + ">\n";
      }
      const std::string out = output_of(*r, options.output_cap);
      const std::string err = errors_of(*r, options.output_cap);
      if (strict) {
        // One suite-level stream for all: each test's part under a heading.
        const std::string heading = "===== " + r->name + " (" + status_name(r->status) + ")\n";
        if (!out.empty()) suite_out += heading + out + (out.back() == '\n' ? "" : "\n");
        if (!err.empty()) suite_err += heading + err + (err.back() == '\n' ? "" : "\n");
      } else {
        if (!out.empty()) xml += "      <system-out>" + xml_text(out) + "</system-out>\n";
        if (!err.empty()) xml += "      <system-err>" + xml_text(err) + "</system-err>\n";
      }
      xml += "    </testcase>\n";
    }
    xml += "    <system-out>" + xml_text(suite_out) + "</system-out>\n";
    xml += "    <system-err>" + xml_text(suite_err) + "</system-err>\n";
    xml += "  </testsuite>\n";
  }
  xml += "</testsuites>\n";
  return xml;
}

}  // namespace wyn
