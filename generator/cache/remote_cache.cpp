#include "cache/remote_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <memory>

#ifdef WYN_HAVE_CURL
#include <curl/curl.h>
#endif

#include "util/fs.hpp"

namespace wyn {

namespace {

/// An entry bigger than this is not a compile outcome of ours.
constexpr size_t kMaxDownload = size_t{1} << 30;

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::string(value) : fallback;
}

#ifdef WYN_HAVE_CURL
size_t append_body(char* data, size_t size, size_t count, void* target) {
  auto* body = static_cast<std::string*>(target);
  const size_t n = size * count;
  if (body->size() + n > kMaxDownload) return 0;  // aborts the transfer
  body->append(data, n);
  return n;
}

struct Upload {
  const std::string* bytes;
  size_t offset = 0;
};

size_t read_body(char* buffer, size_t size, size_t count, void* source) {
  auto* upload = static_cast<Upload*>(source);
  const size_t n = std::min(size * count, upload->bytes->size() - upload->offset);
  upload->bytes->copy(buffer, n, upload->offset);
  upload->offset += n;
  return n;
}

size_t discard_body(char*, size_t size, size_t count, void*) { return size * count; }
#else
constexpr const char* kNoCurl =
    "wyn-ctest was built without libcurl (install libcurl4-openssl-dev and reconfigure)";
#endif

}  // namespace

bool remote_cache_speaks_http() {
#ifdef WYN_HAVE_CURL
  return true;
#else
  return false;
#endif
}

std::string remote_down_marker_path(const std::string& build_tree, const std::string& suite_dir) {
  return (build_tree.empty() ? suite_dir : build_tree + "/wyn") + "/remote-cache-down";
}

RemoteSettings remote_settings(const std::string& configured_url,
                               const std::string& configured_mode) {
  RemoteSettings s;
  s.url = env_or("WYN_REMOTE_CACHE", configured_url);
  while (!s.url.empty() && s.url.back() == '/') s.url.pop_back();
  s.read_only = env_or("WYN_REMOTE_CACHE_MODE", configured_mode) == "read-only";
  s.header = env_or("WYN_REMOTE_CACHE_HEADER", "");
  return s;
}

std::string remote_entry_url(const std::string& base, const std::string& key) {
  return base + "/wyn/ac/" + key;
}

std::string redact_url(std::string_view url) {
  const size_t scheme = url.find("://");
  const size_t start = scheme == std::string_view::npos ? 0 : scheme + 3;
  const size_t end = url.find_first_of("/?#", start);
  const std::string_view authority =
      url.substr(start, end == std::string_view::npos ? end : end - start);
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, start)) + std::string(url.substr(start + at + 1));
}

std::string bearer_token(std::string_view header) {
  constexpr std::string_view prefix = "authorization:";
  if (header.size() <= prefix.size()) return "";
  for (size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != prefix[i]) return "";
  std::string_view rest = header.substr(prefix.size());
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  if (rest.substr(0, 7) != "Bearer " && rest.substr(0, 7) != "bearer ") return "";
  rest.remove_prefix(7);
  while (!rest.empty() && rest.back() == ' ') rest.remove_suffix(1);
  return std::string(rest);
}

RemoteCache::RemoteCache(RemoteSettings settings) : m_settings(std::move(settings)) {
#ifdef WYN_HAVE_CURL
  curl_global_init(CURL_GLOBAL_DEFAULT);
  m_curl = curl_easy_init();
  curl_slist* headers = nullptr;
  // PUT at once, without waiting for "100 Continue".
  headers = curl_slist_append(headers, "Expect:");
  if (!m_settings.header.empty()) headers = curl_slist_append(headers, m_settings.header.c_str());
  m_headers = headers;
#endif
}

RemoteCache::~RemoteCache() {
#ifdef WYN_HAVE_CURL
  if (m_curl) curl_easy_cleanup(static_cast<CURL*>(m_curl));
  curl_slist_free_all(static_cast<curl_slist*>(m_headers));
#endif
}

void RemoteCache::configure(void* easy, const std::string& url, char* error) const {
#ifdef WYN_HAVE_CURL
  CURL* curl = static_cast<CURL*>(easy);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, static_cast<curl_slist*>(m_headers));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, m_settings.connect_timeout_ms);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, m_settings.timeout_ms);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1024L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, m_settings.low_speed_seconds);
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  (void)easy, (void)url, (void)error;
#endif
}

bool RemoteCache::request(const std::string& url, const std::string* upload, std::string* download,
                          long& status, std::string& problem) {
#ifdef WYN_HAVE_CURL
  CURL* curl = static_cast<CURL*>(m_curl);
  if (!curl) {
    problem = "libcurl could not be initialised";
    return false;
  }
  // Reset the request, not the handle: its connection cache stays.
  curl_easy_reset(curl);
  char error[CURL_ERROR_SIZE] = "";
  configure(curl, url, error);
  Upload source{upload};
  if (upload) {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(curl, CURLOPT_READDATA, &source);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(upload->size()));
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
  } else {
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, download);
  }
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    problem = error[0] ? error : curl_easy_strerror(code);
    return false;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  return true;
#else
  (void)url, (void)upload, (void)download, (void)status;
  problem = kNoCurl;
  return false;
#endif
}

RemoteFetch RemoteCache::judge_get(long status, std::string& bytes, std::string& problem) {
  if (status == 200) return RemoteFetch::hit;
  bytes.clear();
  if (status == 404) return RemoteFetch::miss;
  problem = "GET answered HTTP " + std::to_string(status);
  return RemoteFetch::error;
}

RemoteFetch RemoteCache::get(const std::string& key, std::string& bytes, std::string& problem) {
  bytes.clear();
  long status = 0;
  if (!request(remote_entry_url(m_settings.url, key), nullptr, &bytes, status, problem))
    return RemoteFetch::error;
  return judge_get(status, bytes, problem);
}

void RemoteCache::get_many(const std::vector<std::string>& keys, int parallel,
                           const RemoteFetched& done) {
#ifdef WYN_HAVE_CURL
  // One transfer per key in flight; the multi handle shares its connections
  // between them, so a few connections serve the whole batch.
  struct Transfer {
    CURL* curl = nullptr;
    std::string key;
    std::string body;
    char error[CURL_ERROR_SIZE] = "";
  };
  CURLM* multi = curl_multi_init();
  if (!multi) {
    std::string none;
    for (const std::string& key : keys)
      if (!done(key, RemoteFetch::error, none, "libcurl could not be initialised")) break;
    return;
  }
  parallel = std::max(parallel, 1);
  curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, static_cast<long>(parallel));
  std::vector<std::unique_ptr<Transfer>> running;
  size_t next = 0;
  bool go_on = true;
  const auto start_one = [&] {
    auto t = std::make_unique<Transfer>();
    t->key = keys[next++];
    t->curl = curl_easy_init();
    if (!t->curl) return false;
    configure(t->curl, remote_entry_url(m_settings.url, t->key), t->error);
    curl_easy_setopt(t->curl, CURLOPT_WRITEFUNCTION, append_body);
    curl_easy_setopt(t->curl, CURLOPT_WRITEDATA, &t->body);
    curl_easy_setopt(t->curl, CURLOPT_PRIVATE, t.get());
    curl_multi_add_handle(multi, t->curl);
    running.push_back(std::move(t));
    return true;
  };
  const auto finish = [&](CURL* curl, CURLcode code) {
    Transfer* t = nullptr;
    curl_easy_getinfo(curl, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
    std::string problem;
    RemoteFetch result = RemoteFetch::error;
    if (code != CURLE_OK) {
      problem = t->error[0] ? t->error : curl_easy_strerror(code);
      t->body.clear();
    } else {
      long status = 0;
      curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
      result = judge_get(status, t->body, problem);
    }
    if (go_on) go_on = done(t->key, result, t->body, problem);
    curl_multi_remove_handle(multi, curl);
    curl_easy_cleanup(curl);
    running.erase(std::find_if(running.begin(), running.end(),
                               [t](const std::unique_ptr<Transfer>& r) { return r.get() == t; }));
  };
  while (go_on && (next < keys.size() || !running.empty())) {
    while (go_on && next < keys.size() && running.size() < static_cast<size_t>(parallel)) {
      if (!start_one()) {
        std::string none;
        go_on = done(keys[next - 1], RemoteFetch::error, none, "libcurl could not be initialised");
      }
    }
    int still = 0;
    if (curl_multi_perform(multi, &still) != CURLM_OK) break;
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued))
      if (msg->msg == CURLMSG_DONE) finish(msg->easy_handle, msg->data.result);
    if (go_on && still > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  for (const auto& t : running) {
    curl_multi_remove_handle(multi, t->curl);
    curl_easy_cleanup(t->curl);
  }
  curl_multi_cleanup(multi);
#else
  (void)parallel;
  std::string none;
  for (const std::string& key : keys)
    if (!done(key, RemoteFetch::error, none, kNoCurl)) break;
#endif
}

bool RemoteCache::put(const std::string& key, const std::string& bytes, std::string& problem) {
  long status = 0;
  if (!request(remote_entry_url(m_settings.url, key), &bytes, nullptr, status, problem))
    return false;
  if (status >= 200 && status < 300) return true;
  problem = "PUT answered HTTP " + std::to_string(status);
  return false;
}

bool RemoteDownMarker::down() const {
  FileStat st;
  if (!stat_file(m_path, st)) return false;
  const std::time_t mtime = static_cast<std::time_t>(st.mtime_ns / 1'000'000'000);
  return std::difftime(std::time(nullptr), mtime) < kRemoteRetrySeconds;
}

bool RemoteDownMarker::mark(const std::string& reason) const {
  const std::string text =
      std::to_string(static_cast<long long>(std::time(nullptr))) + " " + reason + "\n";
  try {
    make_directories(parent_path(m_path));
    const int fd = open_file(m_path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd >= 0) {
      ::close(fd);
      write_file_atomic(m_path, text);
      return true;
    }
    if (down()) return false;         // another step noticed first
    write_file_atomic(m_path, text);  // an old marker: this is news again
    return true;
  } catch (const std::exception&) {
    return true;
  }
}

}  // namespace wyn
