#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <string>

#include "cache/compile_cache.hpp"
#include "util/fs.hpp"
#include "util/sha256.hpp"

namespace wyn {
namespace {

std::string key_of(const std::string& name) { return sha256_hex(name); }

/// A compiled entry whose bytes are derived from `name`, so a reader can tell
/// a right answer from a wrong one.
CacheEntry program_for(const std::string& name, size_t size = 1000) {
  CacheEntry e;
  e.status = "compiled";
  e.seconds = 1.5;
  e.log = "Building " + name + "...\nBuilt\n";
  std::mt19937 random(static_cast<unsigned>(std::hash<std::string>()(name)));
  for (size_t i = 0; i < size; ++i) e.executable += static_cast<char>(random() & 0xff);
  return e;
}

void set_mtime(const std::string& path, time_t seconds) {
  const timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

class CompileCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/wyn-cache-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    m_dir = pattern;
    ::unsetenv("WYN_COMPILE_CACHE_MAX_SIZE");
  }
  void TearDown() override { remove_tree(m_dir); }
  std::string m_dir;
};

TEST(CacheKey, DependsOnEveryPartItsOrderAndItsBoundaries) {
  CacheKey a, b, c, d, e;
  a.add("source", "abc");
  a.add("compiler", "x");
  b.add("source", "abc");
  b.add("compiler", "x");
  EXPECT_EQ(a.hex(), b.hex());
  EXPECT_EQ(a.hex().size(), 64u);
  c.add("compiler", "x");
  c.add("source", "abc");
  EXPECT_NE(a.hex(), c.hex()) << "order matters";
  d.add("source", "ab");
  d.add("ccompiler", "x");
  EXPECT_NE(a.hex(), d.hex()) << "moving a byte between parts changes the key";
  e.add("source", "abc");
  e.add("compiler", "y");
  EXPECT_NE(a.hex(), e.hex());
  EXPECT_EQ(a.parts().size(), 2u);
  EXPECT_EQ(a.parts()[0].first, "source");
}

TEST(CacheEntryFormat, RoundTripsCompiledAndFailedOutcomes) {
  const std::string key = key_of("t");
  CacheEntry compiled = program_for("t");
  compiled.executable += std::string("\0\n\xff", 3);
  CacheEntry back;
  std::string problem;
  ASSERT_TRUE(decode_cache_entry(key, encode_cache_entry(key, compiled), back, problem)) << problem;
  EXPECT_EQ(back.status, "compiled");
  EXPECT_EQ(back.log, compiled.log);
  EXPECT_EQ(back.executable, compiled.executable);
  EXPECT_EQ(back.seconds, 1.5);
  EXPECT_EQ(back.codegen, "");
  EXPECT_EQ(back.generated, "");

  // With the code the compiler generated on the way (compile.json's codegen).
  compiled.codegen = "c";
  compiled.generated = "int main(void) { return 0; }\n";
  ASSERT_TRUE(decode_cache_entry(key, encode_cache_entry(key, compiled), back, problem)) << problem;
  EXPECT_EQ(back.executable, compiled.executable);
  EXPECT_EQ(back.codegen, "c");
  EXPECT_EQ(back.generated, compiled.generated);

  CacheEntry failed;
  failed.status = "failed";
  failed.exit_code = 1;
  failed.log = "t.wyn:2: \x1b[1;31merror:\x1b[0m undefined variable 'x'\n";
  ASSERT_TRUE(decode_cache_entry(key, encode_cache_entry(key, failed), back, problem)) << problem;
  EXPECT_EQ(back.status, "failed");
  EXPECT_EQ(back.exit_code, 1);
  EXPECT_EQ(back.log, failed.log);
  EXPECT_TRUE(back.executable.empty());

  failed.exit_code = -1;
  failed.signal = 11;
  ASSERT_TRUE(decode_cache_entry(key, encode_cache_entry(key, failed), back, problem));
  EXPECT_EQ(back.signal, 11);
}

TEST(CacheEntryFormat, EveryTruncationAndEveryFlippedByteIsRejected) {
  const std::string key = key_of("t");
  const std::string bytes = encode_cache_entry(key, program_for("t", 200));
  CacheEntry back;
  std::string problem;
  for (size_t n = 0; n < bytes.size(); ++n)
    ASSERT_FALSE(decode_cache_entry(key, bytes.substr(0, n), back, problem))
        << "truncated to " << n;
  for (size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x04);
    ASSERT_FALSE(decode_cache_entry(key, damaged, back, problem)) << "byte " << i << " flipped";
  }
  EXPECT_FALSE(decode_cache_entry(key, bytes + "x", back, problem)) << "trailing garbage";
  EXPECT_FALSE(decode_cache_entry(key_of("other"), bytes, back, problem)) << "another key's entry";
  EXPECT_NE(problem, "");
}

TEST_F(CompileCacheTest, StoresLooksUpAndCounts) {
  CompileCache cache(m_dir + "/c");
  CacheEntry entry;
  EXPECT_FALSE(cache.lookup(key_of("a"), entry));
  std::string problem;
  ASSERT_TRUE(cache.store(key_of("a"), program_for("a"), problem)) << problem;
  ASSERT_TRUE(cache.lookup(key_of("a"), entry));
  EXPECT_EQ(entry.executable, program_for("a").executable);
  EXPECT_FALSE(cache.lookup(key_of("b"), entry));
  const CacheStats s = cache.stats();
  EXPECT_EQ(s.hits, 1u);
  EXPECT_EQ(s.misses, 2u);
  EXPECT_EQ(s.stores, 1u);
  EXPECT_EQ(s.entries, 1u);
  EXPECT_GT(s.size_bytes, 1000u);
  EXPECT_EQ(s.max_size_bytes, CompileCache::kDefaultMaxSize);
  EXPECT_FALSE(cache.lookup("not-a-key", entry));
  EXPECT_FALSE(cache.store("../../escape", program_for("x"), problem));
}

TEST_F(CompileCacheTest, DamagedEntriesAreMissesAndAreRemoved) {
  CompileCache cache(m_dir + "/c");
  std::string problem;
  const std::vector<std::string> names = {"truncated", "flipped", "empty", "garbage", "swapped"};
  for (const std::string& n : names) ASSERT_TRUE(cache.store(key_of(n), program_for(n), problem));
  const auto path = [&](const std::string& n) { return cache.entry_path(key_of(n)); };
  std::string bytes = read_file(path("truncated"));
  ASSERT_EQ(::truncate(path("truncated").c_str(), static_cast<off_t>(bytes.size() / 2)), 0);
  bytes = read_file(path("flipped"));
  bytes[bytes.size() - 10] ^= 1;
  write_file_atomic(path("flipped"), bytes);
  write_file_atomic(path("empty"), "");
  write_file_atomic(path("garbage"), "wyn-compile-cache-entry/1\nnot a checksum\n{}\n");
  // A whole, intact entry of another key under this key's name: still a miss.
  ASSERT_TRUE(cache.store(key_of("x"), program_for("x"), problem));
  copy_file_atomic(path("x"), path("swapped"));

  CacheEntry entry;
  for (const std::string& n : names) {
    EXPECT_FALSE(cache.lookup(key_of(n), entry)) << n;
    EXPECT_FALSE(path_exists(path(n))) << n << " should have been removed";
  }
  EXPECT_EQ(cache.stats().corrupt, names.size());
  EXPECT_TRUE(cache.lookup(key_of("x"), entry)) << "the original is untouched";
  // The next compile stores a good entry again.
  ASSERT_TRUE(cache.store(key_of("flipped"), program_for("flipped"), problem));
  EXPECT_TRUE(cache.lookup(key_of("flipped"), entry));
}

TEST_F(CompileCacheTest, ADirectoryOrUnreadableAccountIsNoCrash) {
  CompileCache cache(m_dir + "/c");
  std::string problem;
  ASSERT_TRUE(cache.store(key_of("a"), program_for("a"), problem));
  write_file_atomic(m_dir + "/c/stats.json", "{\"hits\": \"many\"");
  write_file_atomic(m_dir + "/c/config.json", "[");
  make_directories(cache.entry_path(key_of("dir")));
  CacheEntry entry;
  EXPECT_FALSE(cache.lookup(key_of("dir"), entry));
  EXPECT_TRUE(cache.lookup(key_of("a"), entry));
  const CacheStats s = cache.stats();
  EXPECT_EQ(s.entries, 1u) << "the account was rebuilt from the entries on disk";
  EXPECT_EQ(s.max_size_bytes, CompileCache::kDefaultMaxSize);
}

TEST_F(CompileCacheTest, EvictsTheLeastRecentlyUsedBeyondTheBound) {
  CompileCache cache(m_dir + "/c");
  std::string problem;
  const uint64_t one = encode_cache_entry(key_of("a"), program_for("a")).size();
  cache.set_max_size(one * 7 / 2);  // room for three and a half entries
  for (const char* n : {"a", "b", "c"})
    ASSERT_TRUE(cache.store(key_of(n), program_for(n), problem));
  const time_t now = ::time(nullptr);
  set_mtime(cache.entry_path(key_of("a")), now - 300);
  set_mtime(cache.entry_path(key_of("b")), now - 200);
  set_mtime(cache.entry_path(key_of("c")), now - 100);
  CacheEntry entry;
  ASSERT_TRUE(cache.lookup(key_of("a"), entry));  // the oldest stored, but just used

  ASSERT_TRUE(cache.store(key_of("d"), program_for("d"), problem));
  EXPECT_TRUE(path_exists(cache.entry_path(key_of("a"))));
  EXPECT_FALSE(path_exists(cache.entry_path(key_of("b")))) << "least recently used";
  EXPECT_TRUE(path_exists(cache.entry_path(key_of("c"))));
  EXPECT_TRUE(path_exists(cache.entry_path(key_of("d"))));
  CacheStats s = cache.stats();
  EXPECT_EQ(s.entries, 3u);
  EXPECT_LE(s.size_bytes, s.max_size_bytes);
  EXPECT_EQ(s.evictions, 1u);

  // An entry bigger than the whole bound is still kept until the next store.
  cache.set_max_size(one / 2);
  ASSERT_TRUE(cache.store(key_of("e"), program_for("e"), problem));
  EXPECT_TRUE(path_exists(cache.entry_path(key_of("e"))));
  EXPECT_EQ(cache.stats().entries, 1u);
}

TEST_F(CompileCacheTest, ScanRemovesStaleTemporariesAmongTheEntriesOnly) {
  CompileCache cache(m_dir + "/c");
  const time_t old = ::time(nullptr) - 7200;
  const std::string shard = parent_path(cache.entry_path(key_of("a")));
  make_directories(shard);
  write_file_atomic(shard + "/left.store.1.0", "partial");
  set_mtime(shard + "/left.store.1.0", old);
  // Beside the entries, not among them: the scan of a shard's ".." must not reach it.
  write_file_atomic(m_dir + "/c/notes", "kept");
  set_mtime(m_dir + "/c/notes", old);
  std::string problem;
  // The first store finds no account, and scans the entries to make one.
  ASSERT_TRUE(cache.store(key_of("a"), program_for("a"), problem)) << problem;
  EXPECT_FALSE(path_exists(shard + "/left.store.1.0"));
  EXPECT_TRUE(path_exists(m_dir + "/c/notes"));
  EXPECT_EQ(cache.stats().entries, 1u);
}

TEST_F(CompileCacheTest, MaxSizeFromTheEnvironmentOverridesTheConfiguration) {
  CompileCache cache(m_dir + "/c");
  cache.set_max_size(123456);
  EXPECT_EQ(cache.max_size(), 123456u);
  ::setenv("WYN_COMPILE_CACHE_MAX_SIZE", "2M", 1);
  EXPECT_EQ(cache.max_size(), 2u << 20);
  ::unsetenv("WYN_COMPILE_CACHE_MAX_SIZE");
}

TEST_F(CompileCacheTest, ClearRemovesEntriesAndZeroResetsCounters) {
  CompileCache cache(m_dir + "/c");
  std::string problem;
  for (const char* n : {"a", "b"}) ASSERT_TRUE(cache.store(key_of(n), program_for(n), problem));
  CacheEntry entry;
  ASSERT_TRUE(cache.lookup(key_of("a"), entry));
  cache.clear();
  EXPECT_FALSE(cache.lookup(key_of("a"), entry));
  CacheStats s = cache.stats();
  EXPECT_EQ(s.entries, 0u);
  EXPECT_EQ(s.size_bytes, 0u);
  EXPECT_EQ(s.hits, 1u);
  cache.zero_stats();
  s = cache.stats();
  EXPECT_EQ(s.hits + s.misses + s.stores, 0u);
}

// Writers, readers and a vandal truncating and corrupting entries at once, in
// separate processes like parallel compile steps: a hit is always the right
// program, nothing crashes, and the account still adds up to the files.
TEST_F(CompileCacheTest, ConcurrentWritersReadersAndCorruptionNeverGiveAWrongProgram) {
  const std::string dir = m_dir + "/c";
  constexpr int kKeys = 12, kRounds = 60;
  const auto worker = [&](int seed, bool vandal) {
    CompileCache cache(dir);
    std::mt19937 random(static_cast<unsigned>(seed));
    if (vandal) {
      // Start once there is something to damage.
      for (int i = 0; i < 2000 && cache.stats().entries < 3; ++i) ::usleep(5000);
    }
    for (int round = 0; round < (vandal ? 4 * kRounds : kRounds); ++round) {
      const std::string name = "k" + std::to_string(random() % kKeys);
      const std::string path = cache.entry_path(key_of(name));
      if (vandal) {
        std::string bytes;
        if (!try_read_file(path, bytes) || bytes.empty()) continue;
        if (random() % 2) {
          if (::truncate(path.c_str(), static_cast<off_t>(random() % bytes.size())) != 0) continue;
        } else {
          const int fd = ::open(path.c_str(), O_WRONLY);
          if (fd < 0) continue;
          const char junk = static_cast<char>(random());
          if (::pwrite(fd, &junk, 1, static_cast<off_t>(random() % bytes.size())) < 0) _exit(3);
          ::close(fd);
        }
        continue;
      }
      CacheEntry entry;
      if (cache.lookup(key_of(name), entry)) {
        if (entry.executable != program_for(name).executable) _exit(2);  // a wrong program
      } else {
        std::string problem;
        if (!cache.store(key_of(name), program_for(name), problem)) _exit(4);
      }
    }
    _exit(0);
  };
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) worker(i + 1, i == 3);
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status)) << "a worker crashed";
    EXPECT_EQ(WEXITSTATUS(status), 0) << "2: wrong program, 3: I/O, 4: store failed";
  }
  CompileCache cache(dir);
  const CacheStats s = cache.stats();
  EXPECT_EQ(s.hits + s.misses, 3u * kRounds);
  EXPECT_LE(s.entries, static_cast<uint64_t>(kKeys));
  CacheEntry entry;
  for (int k = 0; k < kKeys; ++k) {
    const std::string name = "k" + std::to_string(k);
    if (cache.lookup(key_of(name), entry)) {
      EXPECT_EQ(entry.executable, program_for(name).executable);
    }
  }
  EXPECT_GT(cache.stats().corrupt, 0u) << "the vandal damaged nothing: the test proved nothing";
}

TEST_F(CompileCacheTest, FileHashMemoRemembersByIdentityAndNoticesChanges) {
  const std::string file = m_dir + "/compiler";
  write_file_atomic(file, "version 1");
  std::string hex;

  // A file that changed just now is hashed but not remembered.
  const FileHashMemo cautious(m_dir + "/memo");
  ASSERT_TRUE(cautious.hash(file, hex));
  EXPECT_EQ(hex, sha256_hex("version 1"));
  EXPECT_FALSE(path_exists(cautious.memo_path(file)));

  const FileHashMemo memo(m_dir + "/memo", -60);  // remember even fresh files
  ASSERT_TRUE(memo.hash(file, hex));
  ASSERT_TRUE(path_exists(memo.memo_path(file)));
  // The memo is what answers next time: make it say something recognisable.
  std::string text = read_file(memo.memo_path(file));
  const std::string fake(64, 'f');
  text.replace(text.find('\n') + 1, 64, fake);
  write_file_atomic(memo.memo_path(file), text);
  ASSERT_TRUE(memo.hash(file, hex));
  EXPECT_EQ(hex, fake);

  // Same size, new content: the identity changed, so the file is hashed again.
  write_file_atomic(file, "version 2");
  ASSERT_TRUE(memo.hash(file, hex));
  EXPECT_EQ(hex, sha256_hex("version 2"));

  // A damaged memo is ignored.
  write_file_atomic(memo.memo_path(file), "junk");
  ASSERT_TRUE(memo.hash(file, hex));
  EXPECT_EQ(hex, sha256_hex("version 2"));
  EXPECT_FALSE(memo.hash(m_dir + "/missing", hex));
}

TEST(CacheSizes, ParseAndFormat) {
  uint64_t bytes = 0;
  ASSERT_TRUE(parse_size("5G", bytes));
  EXPECT_EQ(bytes, 5ull << 30);
  ASSERT_TRUE(parse_size("500M", bytes));
  EXPECT_EQ(bytes, 500ull << 20);
  ASSERT_TRUE(parse_size("64KiB", bytes));
  EXPECT_EQ(bytes, 64ull << 10);
  ASSERT_TRUE(parse_size("1.5g", bytes));
  EXPECT_EQ(bytes, 3ull << 29);
  ASSERT_TRUE(parse_size("12345", bytes));
  EXPECT_EQ(bytes, 12345u);
  for (const char* bad : {"", "G", "-1", "5X", "5GG", " 5"})
    EXPECT_FALSE(parse_size(bad, bytes)) << bad;
  EXPECT_EQ(format_size(512), "512 bytes");
  EXPECT_EQ(format_size(3ull << 29), "1.5 GiB");
}

}  // namespace
}  // namespace wyn
