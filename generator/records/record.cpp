#include "records/record.hpp"

#include <sys/time.h>

namespace wyn {

double unix_time_now() {
  timeval tv;
  ::gettimeofday(&tv, nullptr);
  return static_cast<double>(tv.tv_sec) + tv.tv_usec / 1e6;
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(ExpectLine, line, text)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(EnvSetting, name, value)

void to_json(nlohmann::json& j, const Directives& d) {
  j = nlohmann::json{{"expect", d.expect},
                     {"expect_error", d.expect_error},
                     {"has_expect_error", d.has_expect_error},
                     {"expect_exit", d.expect_exit},
                     {"timeout_seconds", d.timeout_seconds},
                     {"skip", d.skip},
                     {"skip_reason", d.skip_reason},
                     {"xfail", d.xfail},
                     {"xfail_reason", d.xfail_reason},
                     {"labels", d.labels},
                     {"args", d.args},
                     {"env", d.env},
                     {"stdin_file", d.stdin_file},
                     {"no_cache", d.no_cache},
                     {"memory_limit_mb", d.memory_limit_mb},
                     {"cpu_limit_seconds", d.cpu_limit_seconds},
                     {"open_files", d.open_files},
                     {"output_limit_mb", d.output_limit_mb},
                     {"core_dumps", d.core_dumps}};
}

void from_json(const nlohmann::json& j, Directives& d) {
  const Directives defaults;
  d.expect = j.value("expect", defaults.expect);
  d.expect_error = j.value("expect_error", defaults.expect_error);
  d.has_expect_error = j.value("has_expect_error", defaults.has_expect_error);
  d.expect_exit = j.value("expect_exit", defaults.expect_exit);
  d.timeout_seconds = j.value("timeout_seconds", defaults.timeout_seconds);
  d.skip = j.value("skip", defaults.skip);
  d.skip_reason = j.value("skip_reason", defaults.skip_reason);
  d.xfail = j.value("xfail", defaults.xfail);
  d.xfail_reason = j.value("xfail_reason", defaults.xfail_reason);
  d.labels = j.value("labels", defaults.labels);
  d.args = j.value("args", defaults.args);
  d.env = j.value("env", defaults.env);
  d.stdin_file = j.value("stdin_file", defaults.stdin_file);
  d.no_cache = j.value("no_cache", defaults.no_cache);
  d.memory_limit_mb = j.value("memory_limit_mb", defaults.memory_limit_mb);
  d.cpu_limit_seconds = j.value("cpu_limit_seconds", defaults.cpu_limit_seconds);
  d.open_files = j.value("open_files", defaults.open_files);
  d.output_limit_mb = j.value("output_limit_mb", defaults.output_limit_mb);
  d.core_dumps = j.value("core_dumps", defaults.core_dumps);
}

const std::vector<Status>& all_statuses() {
  static const std::vector<Status> statuses = {
      Status::passed,      Status::flaky,   Status::failed,  Status::compile_error,
      Status::crashed,     Status::timeout, Status::xpass,   Status::harness_error,
      Status::interrupted, Status::xfail,   Status::skipped, Status::unknown,
  };
  return statuses;
}

std::string status_name(Status status) { return nlohmann::json(status).get<std::string>(); }

bool is_success(Status status) {
  return status == Status::passed || status == Status::flaky || status == Status::xfail ||
         status == Status::skipped;
}

// The JSON conversions the header declares. nlohmann's macro writes them
// inline: here, so that they are compiled once and not in every file that
// includes the header.
namespace json_fields {
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DiffLine, line, expected, actual, missing_actual)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(CompileRecord, schema, name, source, source_hash,
                                                kind, status, reason, directives, directive_errors,
                                                imports, command, exit_code, signal, timed_out,
                                                seconds, diagnostics, executable, codegen,
                                                codegen_hash, codegen_file)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Attempt, status, reason, start_time, run_seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(SubCheck, name, ok, details, line, skipped)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TestRecord, schema, name, suite, source, status,
                                                reason, labels, exit_code, signal, signals_sent,
                                                leaked, limit_exceeded, max_rss_kib, cpu_seconds,
                                                compile_seconds, run_seconds, start_time, output,
                                                output_bytes, output_hash, output_file, diff,
                                                diagnostics, test_dir, cached, attempts, subchecks,
                                                snapshot_file, snapshot_diff, snapshot_written,
                                                known_failure, fixed, launcher_version)
}  // namespace json_fields

void to_json(nlohmann::json& j, const DiffLine& value) { json_fields::to_json(j, value); }
void from_json(const nlohmann::json& j, DiffLine& value) { json_fields::from_json(j, value); }
void to_json(nlohmann::json& j, const CompileRecord& value) { json_fields::to_json(j, value); }
void from_json(const nlohmann::json& j, CompileRecord& value) { json_fields::from_json(j, value); }
void to_json(nlohmann::json& j, const Attempt& value) { json_fields::to_json(j, value); }
void from_json(const nlohmann::json& j, Attempt& value) { json_fields::from_json(j, value); }
void to_json(nlohmann::json& j, const SubCheck& value) { json_fields::to_json(j, value); }
void from_json(const nlohmann::json& j, SubCheck& value) { json_fields::from_json(j, value); }
void to_json(nlohmann::json& j, const TestRecord& value) { json_fields::to_json(j, value); }
void from_json(const nlohmann::json& j, TestRecord& value) { json_fields::from_json(j, value); }

}  // namespace wyn
