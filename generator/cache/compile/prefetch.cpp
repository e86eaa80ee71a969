#include "cache/compile/prefetch.hpp"

#include <ctime>
#include <exception>
#include <nlohmann/json.hpp>
#include <set>

#include "util/fs.hpp"
#include "util/json_io.hpp"

namespace wyn {

std::string prefetch_lock_path(const std::string& suite_dir) {
  return suite_dir + "/remote-prefetch.lock";
}

std::string prefetch_record_path(const std::string& suite_dir) {
  return suite_dir + "/remote-prefetch.json";
}

PrefetchRecord read_prefetch_record(const std::string& path) {
  PrefetchRecord record;
  const double mtime = mtime_of(path);
  if (mtime < 0 || static_cast<double>(std::time(nullptr)) - mtime > kPrefetchRecordSeconds)
    return record;
  try {
    const nlohmann::json j = read_json_file(path);
    for (const auto& [key, answer] : j.at("keys").items())
      record[key] = {answer.at("result").get<std::string>(), answer.value("problem", "")};
  } catch (const std::exception&) {
    record.clear();  // unreadable: as if there were none, and the batch runs again
  }
  return record;
}

void write_prefetch_record(const std::string& path, const PrefetchRecord& record) {
  nlohmann::json keys = nlohmann::json::object();
  for (const auto& [key, answer] : record) {
    nlohmann::json a = {{"result", answer.result}};
    if (!answer.problem.empty()) a["problem"] = answer.problem;
    keys[key] = a;
  }
  try {
    write_json_file(path, {{"keys", keys}});
  } catch (const std::exception&) {
    // Without the record a later step asks the server again; nothing worse.
  }
}

RemoteAnswer take_remote_answer(CompileCache& local, const std::string& key, RemoteFetch fetched,
                                const std::string& bytes, const std::string& problem,
                                RemoteCounts& counts, CacheEntry* entry) {
  if (fetched == RemoteFetch::error) {
    ++counts.errors;
    return {"error", problem};
  }
  if (fetched == RemoteFetch::miss) {
    ++counts.misses;
    return {"miss", ""};
  }
  CacheEntry decoded;
  std::string why;
  if (!decode_cache_entry(key, bytes, decoded, why)) {
    // Whatever the wire brought is not trusted: a miss, and the compiler runs.
    ++counts.misses;
    ++counts.corrupt;
    return {"corrupt", why};
  }
  ++counts.hits;
  std::string ignored;
  local.store(key, decoded, ignored);
  if (entry) *entry = std::move(decoded);
  return {"hit", ""};
}

PrefetchRecord prefetch_entries(const std::vector<std::string>& keys, CompileCache& local,
                                RemoteCache& remote, RemoteCounts& counts, std::string& error) {
  PrefetchRecord record;
  std::vector<std::string> wanted;
  std::set<std::string> seen;
  for (const std::string& key : keys) {
    if (!seen.insert(key).second) continue;
    if (path_exists(local.entry_path(key)))
      record[key] = {"local", ""};
    else
      wanted.push_back(key);
  }
  remote.get_many(wanted, kPrefetchParallel,
                  [&](const std::string& key, RemoteFetch fetched, std::string& bytes,
                      const std::string& problem) {
                    RemoteCounts one;
                    RemoteAnswer answer =
                        take_remote_answer(local, key, fetched, bytes, problem, one);
                    if (answer.result == "error") {
                      // Counted once for the batch, and not recorded: the
                      // remote is down, and a later build asks again.
                      if (error.empty()) {
                        error = answer.problem;
                        ++counts.errors;
                      }
                      return false;
                    }
                    counts.hits += one.hits;
                    counts.misses += one.misses;
                    counts.corrupt += one.corrupt;
                    record[key] = std::move(answer);
                    return true;
                  });
  return record;
}

}  // namespace wyn
