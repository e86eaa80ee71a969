#pragma once
// junit.xml: one <testsuite> per Wyn suite, one <testcase> per test.

#include <cstddef>
#include <string>

#include "report/run.hpp"

namespace wyn {

struct JunitOptions {
  /// "default": what Jenkins and GitLab read, with per-testcase extensions
  /// (a `file` attribute, <properties>, <system-out> and <system-err>).
  /// "strict": only what Apache Ant's JUnit.xsd allows; per-test details
  /// move to suite-level properties and output.
  std::string flavor = "default";
  /// Bytes of captured output kept per test case and stream (head and tail):
  /// one large output must not push the file past what CI servers accept.
  size_t output_cap = 16 * 1024;
};

/// The JUnit XML document. Every text is passed through xml_text or
/// xml_attribute, so any output makes a well-formed file.
std::string junit_xml(const Report& report, const JunitOptions& options);

/// The `message` attribute of a failing test's <failure>: its reason, which
/// names the actual cause (the first differing line, the signal, the
/// compiler's first error, ...), not just "Failed".
std::string failure_message(const TestRecord& record);

/// The text inside <failure>/<error>: the reason, the source, how the
/// program ended, the differing lines and the compiler's diagnostics.
std::string failure_details(const TestRecord& record, size_t cap);

}  // namespace wyn
