#pragma once
// The remote tier behind the compile cache (docs/caching.md, "Remote cache"):
// plain HTTP GET and PUT of entry files under <url>/wyn/ac/<key>, as nginx
// WebDAV, bazel-remote or an object store serve them. The bytes are those of
// a local entry file, which carries its own size and SHA-256 and names its
// key: whatever comes from the wire is verified (decode_cache_entry) before
// use, so a truncated, corrupt or swapped entry is a miss, never a wrong
// program, and a partial upload is harmless.
//
// One libcurl handle per process: the GET and the PUT of a compile step reuse
// one connection. After a failure the build directory remembers, in a marker
// file, that the remote is down, so that later compile steps skip it at once;
// the step that found it down says so, once.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace wyn {

/// What a build uses of the remote: the suite's settings with the
/// environment's overrides. `url` empty: no remote.
struct RemoteSettings {
  std::string url;         ///< without a trailing slash
  bool read_only = false;  ///< WYN_REMOTE_CACHE_MODE=read-only: never PUT
  /// "Name: value" from WYN_REMOTE_CACHE_HEADER; never written anywhere.
  std::string header;
  long connect_timeout_ms = 2000;
  long low_speed_seconds = 5;  ///< a transfer slower than 1 KiB/s for this long fails
  long timeout_ms = 30000;     ///< a whole request
};

/// The settings from the suite's (configured) url and mode, overridden by the
/// environment variables WYN_REMOTE_CACHE and WYN_REMOTE_CACHE_MODE; the
/// header comes from WYN_REMOTE_CACHE_HEADER only.
RemoteSettings remote_settings(const std::string& configured_url,
                               const std::string& configured_mode);

/// Where the entry of `key` lives on the server.
std::string remote_entry_url(const std::string& base, const std::string& key);

/// `url` without user information (`user:password@`), for messages.
std::string redact_url(std::string_view url);

/// The bearer token of an `Authorization: Bearer TOKEN` header, else "".
std::string bearer_token(std::string_view header);

/// True when this program was built with libcurl (wyn-compile-remote);
/// false in the static wyn-compile, which hands remote work to it.
bool remote_cache_speaks_http();

/// Where a build directory keeps its "remote is down" marker.
std::string remote_down_marker_path(const std::string& build_tree, const std::string& suite_dir);

enum class RemoteFetch { hit, miss, error };

/// Called for each finished GET of RemoteCache::get_many, in the order they
/// finish: the key, the result, the body (for `hit`) and the problem (for
/// `error`). The body is freed when it returns. Returning false stops the
/// transfers not yet finished.
using RemoteFetched = std::function<bool(const std::string& key, RemoteFetch result,
                                         std::string& bytes, const std::string& problem)>;

/// An HTTP connection to the remote cache. Never throws.
class RemoteCache {
 public:
  explicit RemoteCache(RemoteSettings settings);
  ~RemoteCache();
  RemoteCache(const RemoteCache&) = delete;
  RemoteCache& operator=(const RemoteCache&) = delete;

  /// GET: `hit` with the body in `bytes`, `miss` on 404, else `error` with `problem` set.
  RemoteFetch get(const std::string& key, std::string& bytes, std::string& problem);
  /// GETs of many keys at once, at most `parallel` at a time over reused
  /// connections (libcurl's multi interface), each handed to `done` as it
  /// finishes. Keys not handed to `done` (after it returned false) were not fetched.
  void get_many(const std::vector<std::string>& keys, int parallel, const RemoteFetched& done);
  /// PUT; false with `problem` set unless the server answered 2xx.
  bool put(const std::string& key, const std::string& bytes, std::string& problem);

  const RemoteSettings& settings() const { return m_settings; }

 private:
  bool request(const std::string& url, const std::string* upload, std::string* download,
               long& status, std::string& problem);
  /// Sets the options every request of ours has on an easy handle.
  void configure(void* easy, const std::string& url, char* error) const;
  /// What a finished GET means: `hit` for 200, `miss` for 404, else `error`.
  static RemoteFetch judge_get(long status, std::string& bytes, std::string& problem);

  RemoteSettings m_settings;
  void* m_curl = nullptr;     ///< CURL*
  void* m_headers = nullptr;  ///< curl_slist*
};

/// "The remote is down" for one build directory: a marker file holding when
/// and why. Younger than `kRemoteRetrySeconds`, it makes compile steps skip
/// the remote; older, the next step tries again.
class RemoteDownMarker {
 public:
  static constexpr double kRemoteRetrySeconds = 300;
  explicit RemoteDownMarker(std::string path) : m_path(std::move(path)) {}
  bool down() const;
  /// Records the failure. True for the step that recorded it first (which
  /// tells the user); false when another step already had.
  bool mark(const std::string& reason) const;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

}  // namespace wyn
