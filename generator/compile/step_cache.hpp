#pragma once
// The compile cache as seen by one compile step (docs/caching.md): the
// local cache, then the remote tier behind it, and the step's account of
// both in TEST_DIR/compile-cache.json.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/compile_cache.hpp"
#include "core/remote_cache.hpp"
#include "core/test_spec.hpp"

namespace wyn {

/// The key, what the lookups (local, then remote) found and whether the
/// outcome was stored, recorded in compile-cache.json so that a person can
/// see why a test recompiled. The record never names the remote's URL or its
/// header.
class StepCache {
 public:
  StepCache(const SuiteConfig& suite, const std::string& suite_dir, const std::string& test_dir);
  bool enabled() const { return !m_cache.dir().empty() && !m_key.empty(); }

  /// Sets the key; an empty `unusable` reason means caching goes ahead.
  void set_key(const CacheKey& key, const std::string& unusable);

  /// The remote, for ccache too, unless there is none or it is down for this build.
  const RemoteSettings* usable_remote();

  /// Local, then remote; a verified remote entry is kept locally.
  bool lookup(CacheEntry& entry);
  /// Locally, then (read-write mode) remotely.
  void store(const CacheEntry& entry);
  void not_stored(const std::string& why);

  /// Writes compile-cache.json.
  void write() const;

 private:
  RemoteCache& remote();
  /// The remote is down for this build: later steps skip it, and the first
  /// step to notice tells the user (once).
  void remote_failed(const std::string& problem);

  CompileCache m_cache;
  std::string m_record_path;
  std::string m_key;
  RemoteSettings m_remote_settings;
  RemoteDownMarker m_down;
  std::unique_ptr<RemoteCache> m_remote;
  bool m_down_checked = false;
  bool m_remote_down = false;
  nlohmann::json m_account = nlohmann::json::object();
};

/// The remote storage setting ccache gets (`CCACHE_REMOTE_STORAGE`): the
/// same server under /ccache, with short timeouts, read-only when we are,
/// and the bearer token of the authentication header (ccache's http backend
/// takes no other header; user:password in the URL works for both).
std::string ccache_remote_storage(const RemoteSettings& remote);

/// When this program cannot speak HTTP and the suite has a remote cache that
/// is not marked down, runs the step as wyn-compile-remote, the twin beside
/// this program that has libcurl (see generator/CMakeLists.txt). Returns
/// when there is no need or no twin; the step then goes on without the
/// remote and says why.
void hand_to_remote_twin_if_needed(const SuiteConfig& suite, const std::string& suite_dir,
                                   const std::string& test_dir);

}  // namespace wyn
