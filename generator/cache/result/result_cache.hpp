#pragma once
// The result cache (docs/caching.md): a test that passed is not run again
// while nothing it is judged on has changed. Off by default; the suite's
// WYN_RESULT_CACHE setting turns it on, and WYN_RESULT_CACHE=1|0 in the
// environment of ctest overrides the setting for one run.
//
// The key covers the executable's bytes, the directives (expectations,
// arguments, ENV, timeout, XFAIL...), the STDIN file's bytes, the suite's
// judging and limit settings, the environment the program inherits and the
// launcher's version and binary. It cannot cover files a program reads on
// its own: such tests should say `// NO_CACHE:`. The programs of a suite
// with a WORKING_DIRECTORY share it and may read anything in it, so their
// results are never reused.

#include <string>
#include <utility>
#include <vector>

#include "records/record.hpp"
#include "suite/test_spec.hpp"

namespace wyn {

class ResultCache {
 public:
  /// Decides whether the cache applies to this test at all.
  ResultCache(const SuiteConfig& suite, const TestSpec& spec, const CompileRecord& compile);

  /// Makes the bytes of `path` (or its absence) part of the key: a
  /// script's compiler, a snapshot file. Call before replay().
  void add_input(const std::string& name, const std::string& path);

  /// When a passing record for the same key is stored, fills `record` from it
  /// (marked `cached`, with no run time) and returns true: the program is not run.
  bool replay(TestRecord& record);

  /// After the verdict: remembers a pass that really ran, forgets anything else.
  void update(const TestRecord& record);

 private:
  std::string key() const;

  bool m_enabled = false;
  std::string m_path;  ///< <test dir>/result-cache.json
  const SuiteConfig& m_suite;
  const TestSpec& m_spec;
  const CompileRecord& m_compile;
  mutable std::string m_key;
  std::vector<std::pair<std::string, std::string>> m_inputs;  ///< name, path
};

/// Whether result caching is on: WYN_RESULT_CACHE in the environment
/// (1/ON/YES/TRUE or 0/OFF/NO/FALSE) overrides `setting`.
bool result_cache_enabled(bool setting);

}  // namespace wyn
