#pragma once
// One compile outcome as the compile cache keeps it, locally and on a
// remote: the same bytes in both places (docs/caching.md, "Entries").
//
//   wyn-compile-cache-entry/1
//   <SHA-256 of everything after this line>
//   {"key": ..., "status": ..., "log_bytes": N, "executable_bytes": M,
//    "codegen": ..., "generated_bytes": G, ...}
//   <N bytes of log><M bytes of executable><G bytes of generated code>

#include <string>
#include <string_view>

namespace wyn {

/// One compile outcome.
struct CacheEntry {
  std::string status;      ///< "compiled" or "failed"
  int exit_code = 0;       ///< the compiler's exit code when it exited
  int signal = 0;          ///< the signal that killed the compiler, or 0
  double seconds = 0;      ///< how long the compile took when it ran
  std::string log;         ///< the compiler's raw output
  std::string executable;  ///< the program, for "compiled"; empty for "failed"
  /// What the compiler generated on the way, so that a hit yields it as a
  /// compile does (compile.json's `codegen`): "c" (NAME.wyn.c), "ll"
  /// (NAME.ll) or "" when it left neither.
  std::string codegen;
  std::string generated;  ///< that code's text
};

/// The bytes of an entry file for `key`.
std::string encode_cache_entry(const std::string& key, const CacheEntry& entry);

/// Parses an entry file; false (with `problem` set) unless it is whole,
/// intact and made for `key`.
bool decode_cache_entry(const std::string& key, std::string_view bytes, CacheEntry& entry,
                        std::string& problem);

}  // namespace wyn
