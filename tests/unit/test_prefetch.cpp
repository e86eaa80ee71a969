#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <ctime>
#include <string>
#include <vector>

#include "cache/compile/prefetch.hpp"
#include "temp_dir.hpp"
#include "util/fs.hpp"

namespace wyn {
namespace {

const std::string kKeyA(64, 'a');
const std::string kKeyB(64, 'b');

CacheEntry compiled(const std::string& program) {
  return {"compiled", 0, 0, 0.5, "log\n", program, "", ""};
}

TEST(PrefetchRecord, RoundTripsAndIsForgottenWhenOldOrUnreadable) {
  TempDir dir;
  const std::string path = prefetch_record_path(dir.path());
  EXPECT_TRUE(read_prefetch_record(path).empty());
  write_prefetch_record(path, {{kKeyA, {"miss", ""}}, {kKeyB, {"corrupt", "size mismatch"}}});
  const PrefetchRecord back = read_prefetch_record(path);
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back.at(kKeyA).result, "miss");
  EXPECT_EQ(back.at(kKeyB).result, "corrupt");
  EXPECT_EQ(back.at(kKeyB).problem, "size mismatch");
  // Older than kPrefetchRecordSeconds: the server may have the entries by now.
  const time_t old = std::time(nullptr) - 2 * static_cast<time_t>(kPrefetchRecordSeconds);
  const timespec times[2] = {{old, 0}, {old, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  EXPECT_TRUE(read_prefetch_record(path).empty());
  write_file_atomic(path, "{\"keys\": [1, 2");
  EXPECT_TRUE(read_prefetch_record(path).empty());
}

TEST(Prefetch, OnlyAVerifiedAnswerIsStoredAndEachIsCounted) {
  TempDir dir;
  CompileCache local(dir.path() + "/cache");
  RemoteCounts counts;
  CacheEntry entry;
  const std::string good = encode_cache_entry(kKeyA, compiled("program A"));
  RemoteAnswer a = take_remote_answer(local, kKeyA, RemoteFetch::hit, good, "", counts, &entry);
  EXPECT_EQ(a.result, "hit");
  EXPECT_EQ(entry.executable, "program A");
  CacheEntry stored;
  EXPECT_TRUE(local.lookup(kKeyA, stored));

  // The same bytes under another key (an entry swapped on the server), and a flipped byte.
  a = take_remote_answer(local, kKeyB, RemoteFetch::hit, good, "", counts);
  EXPECT_EQ(a.result, "corrupt");
  EXPECT_FALSE(a.problem.empty());
  std::string flipped = encode_cache_entry(kKeyB, compiled("program B"));
  flipped[flipped.size() - 3] ^= 0x40;
  EXPECT_EQ(take_remote_answer(local, kKeyB, RemoteFetch::hit, flipped, "", counts).result,
            "corrupt");
  EXPECT_FALSE(local.lookup(kKeyB, stored));

  EXPECT_EQ(take_remote_answer(local, kKeyB, RemoteFetch::miss, "", "", counts).result, "miss");
  const RemoteAnswer e =
      take_remote_answer(local, kKeyB, RemoteFetch::error, "", "refused", counts);
  EXPECT_EQ(e.result, "error");
  EXPECT_EQ(e.problem, "refused");
  EXPECT_EQ(counts.hits, 1u);
  EXPECT_EQ(counts.corrupt, 2u);
  EXPECT_EQ(counts.misses, 3u);  // the two corrupt answers are misses too
  EXPECT_EQ(counts.errors, 1u);
}

TEST(Prefetch, AServerThatIsDownStopsTheBatchWithOneError) {
  TempDir dir;
  CompileCache local(dir.path() + "/cache");
  std::string problem;
  ASSERT_TRUE(local.store(kKeyA, compiled("program A"), problem)) << problem;
  RemoteSettings s;
  s.url = "http://127.0.0.1:1";  // nothing listens on port 1
  RemoteCache remote(s);
  std::vector<std::string> keys = {kKeyA, kKeyB, kKeyA};
  for (char c = 'c'; c <= 'j'; ++c) keys.emplace_back(64, c);
  RemoteCounts counts;
  std::string error;
  const PrefetchRecord record = prefetch_entries(keys, local, remote, counts, error);
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(counts.errors, 1u);  // one for the batch, not one per key
  EXPECT_EQ(counts.hits + counts.misses, 0u);
  // What the local cache had is recorded; what was not fetched is not.
  ASSERT_EQ(record.size(), 1u);
  EXPECT_EQ(record.at(kKeyA).result, "local");
}

TEST(Prefetch, GetManyAsksNothingForNoKeysAndStopsWhenTold) {
  RemoteSettings s;
  s.url = "http://127.0.0.1:1";
  RemoteCache remote(s);
  int calls = 0;
  remote.get_many({}, 8, [&](const std::string&, RemoteFetch, std::string&, const std::string&) {
    ++calls;
    return true;
  });
  EXPECT_EQ(calls, 0);
  // After `done` says stop, no key is handed over again.
  remote.get_many({kKeyA, kKeyB}, 1,
                  [&](const std::string&, RemoteFetch, std::string&, const std::string&) {
                    ++calls;
                    return false;
                  });
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace wyn
