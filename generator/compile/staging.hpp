#pragma once
// The stage: what the compiler reads, gathered before it runs. The source
// and the modules it imports are copied into TEST_DIR/stage, so that the
// compiler's by-products never land in the source tree and no two compiles
// share a file; each of them, and a legacy compiler's runtime, is also a
// dependency of the step and a part of its cache key.

#include <set>
#include <string>
#include <vector>

#include "compile/depfile.hpp"
#include "records/record.hpp"
#include "suite/directives.hpp"

namespace wyn {

/// A file the compiler reads from the stage: its name there and its bytes.
struct StagedFile {
  std::string name;
  std::string text;
};

/// Collects the test's imports (and theirs) from the test's directory for
/// the stage. Imports name modules beside the importing file, so every module
/// of a test lives in the test's own directory. Returns false when one is missing.
bool collect_modules(const std::string& source_dir, const std::string& suite_root,
                     const std::vector<Import>& imports, std::vector<StagedFile>& files,
                     std::set<std::string>& staged, DepLinks& deps, CompileRecord& record);

/// The runtime sources of a legacy compiler, which it compiles into every
/// program: dependencies, and parts of the cache key. Returns their paths.
std::vector<std::string> add_runtime_deps(const std::string& wyn_root, DepLinks& deps);

/// Writes `files` into the fresh directory `stage`.
void write_stage(const std::string& stage, const std::vector<StagedFile>& files);

}  // namespace wyn
