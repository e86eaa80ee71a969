#include "cache/compile/step_cache.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "cache/compile/prefetch.hpp"
#include "process/subprocess.hpp"
#include "util/file_lock.hpp"
#include "util/fs.hpp"
#include "util/json_io.hpp"

namespace wyn {

StepCache::StepCache(const SuiteConfig& suite, const std::string& suite_dir,
                     const std::string& test_dir)
    : m_cache(suite.compile_cache_dir),
      m_suite_dir(suite_dir),
      m_record_path(test_dir + "/compile-cache.json"),
      m_remote_settings(remote_settings(suite.remote_cache, suite.remote_cache_mode)),
      m_down(remote_down_marker_path(suite.build_tree, suite_dir)) {
  // "none" until a compile is looked up: modules, skips and faults never are.
  m_account["lookup"] = suite.compile_cache_dir.empty() ? "off" : "none";
  m_account["stored"] = false;
  m_account["remote"] = m_remote_settings.url.empty() ? "off" : "none";
}

void StepCache::set_key(const CacheKey& key, const std::string& unusable) {
  if (m_cache.dir().empty()) return;
  nlohmann::json parts = nlohmann::json::object();
  for (const auto& [name, value] : key.parts()) parts[name] = value;
  m_account["parts"] = parts;
  if (!unusable.empty()) {
    m_account["lookup"] = "off";
    m_account["note"] = unusable;
    return;
  }
  m_key = key.hex();
  m_account["key"] = m_key;
}

const RemoteSettings* StepCache::usable_remote() {
  if (m_remote_settings.url.empty()) return nullptr;
  if (!m_down_checked) {
    m_down_checked = true;
    m_remote_down = m_down.down();
    if (m_remote_down) m_account["remote"] = "down";
  }
  return m_remote_down ? nullptr : &m_remote_settings;
}

bool StepCache::lookup_local(CacheEntry& entry) {
  if (!enabled()) return false;
  m_account["lookup"] = "miss";
  if (!m_cache.lookup(m_key, entry)) return false;
  m_account["lookup"] = "hit";
  return true;
}

void StepCache::note_answer(const std::string& result, const std::string& problem, bool batch) {
  m_account["remote"] = result;
  if (batch) m_account["remote_batch"] = true;
  if (!problem.empty()) m_account["remote_problem"] = problem;
  if (result == "hit" || result == "local") m_account["lookup"] = "hit";
}

bool StepCache::fetch_one(CacheEntry& entry) {
  std::string bytes, problem;
  RemoteCounts counts;
  const RemoteFetch fetched = remote().get(m_key, bytes, problem);
  const RemoteAnswer answer =
      take_remote_answer(m_cache, m_key, fetched, bytes, problem, counts, &entry);
  m_cache.count_remote(counts);
  if (answer.result == "error") {
    remote_failed(answer.problem);
    return false;
  }
  note_answer(answer.result, answer.problem, false);
  return answer.result == "hit";
}

bool StepCache::lookup_remote(CacheEntry& entry,
                              const std::function<std::vector<std::string>()>& suite_keys) {
  if (!enabled() || !usable_remote()) return false;
  // One batch per suite at a time: the steps that miss meanwhile wait for
  // it, then find their entries locally.
  const FileLock lock(prefetch_lock_path(m_suite_dir));
  if (m_cache.lookup(m_key, entry)) {
    note_answer("hit", "", true);
    return true;
  }
  if (m_down.down()) {  // another step found the remote down meanwhile
    m_remote_down = true;
    m_account["remote"] = "down";
    return false;
  }
  const std::string record_path = prefetch_record_path(m_suite_dir);
  PrefetchRecord record = read_prefetch_record(record_path);
  if (record.find(m_key) == record.end()) {
    const std::vector<std::string> keys = suite_keys();
    if (std::find(keys.begin(), keys.end(), m_key) == keys.end()) return fetch_one(entry);
    RemoteCounts counts;
    std::string error;
    record = prefetch_entries(keys, m_cache, remote(), counts, error);
    m_cache.count_remote(counts);
    m_account["remote_batch_keys"] = keys.size();
    if (!error.empty()) {
      remote_failed(error);
      return false;
    }
    write_prefetch_record(record_path, record);
    if (m_cache.lookup(m_key, entry)) {
      note_answer("hit", "", true);
      return true;
    }
  }
  const auto it = record.find(m_key);
  if (it == record.end() || it->second.result == "hit" || it->second.result == "local")
    return fetch_one(entry);  // not in the batch, or gone from the local cache since
  note_answer(it->second.result, it->second.problem, true);
  return false;
}

void StepCache::store(const CacheEntry& entry) {
  if (!enabled()) return;
  std::string problem;
  if (m_cache.store(m_key, entry, problem)) {
    m_account["stored"] = true;
  } else {
    m_account["note"] = "not stored: " + problem;
    std::fprintf(stderr, "wyn-compile: warning: compile cache %s: %s\n", m_cache.dir().c_str(),
                 problem.c_str());
  }
  if (!usable_remote() || m_remote_settings.read_only) return;
  RemoteCounts counts;
  if (remote().put(m_key, encode_cache_entry(m_key, entry), problem)) {
    ++counts.uploads;
    m_account["uploaded"] = true;
  } else {
    ++counts.errors;
    remote_failed(problem);
  }
  m_cache.count_remote(counts);
}

void StepCache::not_stored(const std::string& why) {
  if (enabled()) m_account["note"] = "not stored: " + why;
}

void StepCache::write() const { write_json_file(m_record_path, m_account); }

RemoteCache& StepCache::remote() {
  if (!m_remote) m_remote = std::make_unique<RemoteCache>(m_remote_settings);
  return *m_remote;
}

void StepCache::remote_failed(const std::string& problem) {
  m_remote_down = true;
  m_account["remote"] = "error";
  m_account["remote_problem"] = problem;
  const std::string url = redact_url(m_remote_settings.url);
  if (m_down.mark(url + ": " + problem))
    std::fprintf(stderr,
                 "wyn-compile: warning: remote cache %s failed (%s); this build continues with "
                 "the local cache only (the remote is tried again in %d minutes)\n",
                 url.c_str(), problem.c_str(),
                 static_cast<int>(RemoteDownMarker::kRemoteRetrySeconds / 60));
}

std::string ccache_remote_storage(const RemoteSettings& remote) {
  std::string value = remote.url + "/ccache|connect-timeout=500|operation-timeout=10000";
  if (remote.read_only) value += "|read-only=true";
  const std::string token = bearer_token(remote.header);
  if (!token.empty()) value += "|bearer-token=" + token;
  return value;
}

void hand_to_remote_twin_if_needed(const std::string& test_dir) {
  if (remote_cache_speaks_http()) return;
  const std::string self = executable_path();
  if (self.empty()) return;
  const std::string twin = parent_path(self) + "/wyn-compile-remote" + kExecutableSuffix;
  if (!is_executable_file(twin)) return;
  exec_program({twin, test_dir});
}

}  // namespace wyn
