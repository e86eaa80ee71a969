#pragma once
// The compile cache's key (docs/caching.md): the compiler, the staged
// sources and a legacy runtime by content, the captured environment by value
// (the C toolchain the compiler drives enters only so: see "What the key
// does not see"), and nothing about where the checkout, the build tree or the
// home directory lies, so that two clones at different paths, configured
// alike, share entries (also through a remote cache). Pure: the caller hashes
// the files.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cache/cache_key.hpp"

namespace wyn {

/// Where this build's trees are. Paths inside them enter keys relative to
/// the placeholders `<source>`, `<build>` and `<home>`.
struct KeyLocations {
  std::string source_tree;  ///< the checkout (CMAKE_SOURCE_DIR); empty: unknown
  std::string build_tree;   ///< the build directory (CMAKE_BINARY_DIR); empty: unknown
  std::string home;         ///< the user's home directory ($HOME); empty: unknown
};

/// `text` with every path that starts with one of the trees written relative
/// to its placeholder: the deeper tree first (a build directory is often
/// inside the checkout). A tree matches only as whole path components, after
/// the start of the text or a separator (`:`, `;`, `,`, `=`, blank, or a
/// `-X` option letter such as `-I`), so `/src` never rewrites `/srcx` or `/a/src`.
std::string location_independent(std::string_view text, const KeyLocations& where);

/// Everything the key is made of, as the compile step found it.
struct CompileKeyInputs {
  std::string style;                 ///< "legacy" or "build"
  std::string compiler;              ///< its absolute path
  std::string compiler_sha256;       ///< its content
  std::vector<std::string> command;  ///< the command line without launcher and build paths
  /// Staged files (name, SHA-256): the source first, then its modules in any order.
  std::vector<std::pair<std::string, std::string>> stage;
  /// Legacy runtime files (name, SHA-256), in any order.
  std::vector<std::pair<std::string, std::string>> runtime;
  /// Environment the compiler sees (name, value); `unset` lists the names that are not set.
  std::vector<std::pair<std::string, std::string>> environment;
  std::vector<std::string> unset;
  KeyLocations where;
};

/// Changes whenever the key's composition or what an entry holds changes, so old
/// entries stop matching (3: entries hold the generated code).
constexpr const char* kCompileKeyFormat = "wyn-compile-cache-key/3";

/// The key of one compile. The compiler enters by content, plus its path
/// relative to a placeholder when it lies inside one of the trees (a
/// build-style compiler finds its runtime beside itself); outside them, by
/// content alone.
CacheKey compile_cache_key(const CompileKeyInputs& in);

}  // namespace wyn
