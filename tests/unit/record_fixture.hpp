#pragma once
// A test record as the launcher writes one, for the report tests: the name
// gives the suite and the source, timings are the caller's.

#include <string>

#include "records/record.hpp"

namespace wyn {

inline TestRecord make_record(const std::string& name, Status status, const std::string& reason,
                              double compile_seconds, double run_seconds, double start_time) {
  TestRecord r;
  r.name = name;
  r.suite = name.substr(0, name.find('/'));
  r.source = "/src/" + name + ".wyn";
  r.labels = {r.suite};
  r.status = status;
  r.reason = reason;
  r.compile_seconds = compile_seconds;
  r.run_seconds = run_seconds;
  r.start_time = start_time;
  return r;
}

}  // namespace wyn
