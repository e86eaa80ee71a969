#pragma once
// The compile cache as seen by one compile step (docs/caching.md): the
// local cache, then the remote tier behind it, and the step's account of
// both in TEST_DIR/compile-cache.json.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cache/compile_cache.hpp"
#include "cache/remote_cache.hpp"
#include "suite/test_spec.hpp"

namespace wyn {

/// The key, what the lookups (local, then remote) found and whether the
/// outcome was stored, recorded in compile-cache.json so that a person can
/// see why a test recompiled. The record never names the remote's URL or its
/// header.
class StepCache {
 public:
  StepCache(const SuiteConfig& suite, const std::string& suite_dir, const std::string& test_dir);
  bool enabled() const { return !m_cache.dir().empty() && !m_key.empty(); }
  /// The key, or "" when the step does not use the cache.
  const std::string& key() const { return m_key; }

  /// Sets the key; an empty `unusable` reason means caching goes ahead.
  void set_key(const CacheKey& key, const std::string& unusable);

  /// The remote, for ccache too, unless there is none or it is down for this build.
  const RemoteSettings* usable_remote();

  /// The local cache.
  bool lookup_local(CacheEntry& entry);
  /// The remote, after a local miss; a verified remote entry is kept
  /// locally. The first step of a suite to get here fetches the entries of
  /// all `suite_keys()` in one batch (cache/compile/prefetch.hpp); a step whose
  /// key a recent batch covered takes that batch's answer.
  bool lookup_remote(CacheEntry& entry,
                     const std::function<std::vector<std::string>()>& suite_keys);
  /// Locally, then (read-write mode) remotely.
  void store(const CacheEntry& entry);
  void not_stored(const std::string& why);

  /// Writes compile-cache.json.
  void write() const;

 private:
  RemoteCache& remote();
  /// One GET of this step's key.
  bool fetch_one(CacheEntry& entry);
  /// Notes in the account what the remote gave for this step's key.
  void note_answer(const std::string& result, const std::string& problem, bool batch);
  /// The remote is down for this build: later steps skip it, and the first
  /// step to notice tells the user (once).
  void remote_failed(const std::string& problem);

  CompileCache m_cache;
  std::string m_suite_dir;
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

/// When this program cannot speak HTTP, runs the step again as
/// wyn-compile-remote, the twin beside this program that has libcurl (see
/// generator/CMakeLists.txt); called after a local miss, with the remote
/// usable. Returns when there is no need or no twin; the step then goes on,
/// and its remote lookup fails saying why.
void hand_to_remote_twin_if_needed(const std::string& test_dir);

}  // namespace wyn
