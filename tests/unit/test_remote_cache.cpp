#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <string>

#include "cache/remote_cache.hpp"
#include "util/fs.hpp"

namespace wyn {
namespace {

TEST(RemoteSettings, TheEnvironmentOverridesTheConfiguration) {
  ::unsetenv("WYN_REMOTE_CACHE");
  ::unsetenv("WYN_REMOTE_CACHE_MODE");
  ::unsetenv("WYN_REMOTE_CACHE_HEADER");
  RemoteSettings s = remote_settings("http://a:1/base/", "read-write");
  EXPECT_EQ(s.url, "http://a:1/base");
  EXPECT_FALSE(s.read_only);
  EXPECT_EQ(s.header, "");
  ::setenv("WYN_REMOTE_CACHE", "http://b:2", 1);
  ::setenv("WYN_REMOTE_CACHE_MODE", "read-only", 1);
  ::setenv("WYN_REMOTE_CACHE_HEADER", "Authorization: Bearer t", 1);
  s = remote_settings("http://a:1", "read-write");
  EXPECT_EQ(s.url, "http://b:2");
  EXPECT_TRUE(s.read_only);
  EXPECT_EQ(s.header, "Authorization: Bearer t");
  ::unsetenv("WYN_REMOTE_CACHE");
  ::unsetenv("WYN_REMOTE_CACHE_MODE");
  ::unsetenv("WYN_REMOTE_CACHE_HEADER");
  EXPECT_EQ(remote_entry_url("http://b:2", "ab12"), "http://b:2/wyn/ac/ab12");
}

TEST(RemoteSettings, SecretsStayOutOfMessages) {
  EXPECT_EQ(redact_url("https://user:pw@cache.example:8443/wyn"), "https://cache.example:8443/wyn");
  EXPECT_EQ(redact_url("http://cache.example/a@b"), "http://cache.example/a@b");
  EXPECT_EQ(redact_url("http://127.0.0.1:80"), "http://127.0.0.1:80");
  EXPECT_EQ(bearer_token("Authorization: Bearer abc.def "), "abc.def");
  EXPECT_EQ(bearer_token("authorization:Bearer x"), "x");
  EXPECT_EQ(bearer_token("X-Token: Bearer abc"), "");
  EXPECT_EQ(bearer_token("Authorization: Basic abc"), "");
}

TEST(RemoteCache, AnUnreachableServerIsAnErrorNotAMiss) {
  RemoteSettings s;
  s.url = "http://127.0.0.1:1";  // nothing listens on port 1
  RemoteCache remote(s);
  std::string bytes, problem;
  EXPECT_EQ(remote.get(std::string(64, 'a'), bytes, problem), RemoteFetch::error);
  EXPECT_FALSE(problem.empty());
  problem.clear();
  EXPECT_FALSE(remote.put(std::string(64, 'a'), "x", problem));
  EXPECT_FALSE(problem.empty());
}

TEST(RemoteDownMarker, TheFirstToNoticeTellsAndItExpires) {
  char pattern[] = "/tmp/wyn-remote-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  const RemoteDownMarker marker(dir + "/wyn/remote-cache-down");
  EXPECT_FALSE(marker.down());
  EXPECT_TRUE(marker.mark("http://x: refused"));
  EXPECT_TRUE(marker.down());
  EXPECT_FALSE(marker.mark("http://x: refused"));  // already said
  // An old marker is not this build's: the remote is tried again.
  const time_t old =
      std::time(nullptr) - 2 * static_cast<time_t>(RemoteDownMarker::kRemoteRetrySeconds);
  const timespec times[2] = {{old, 0}, {old, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, marker.path().c_str(), times, 0), 0);
  EXPECT_FALSE(marker.down());
  EXPECT_TRUE(marker.mark("again"));
  remove_tree(dir);
}

}  // namespace
}  // namespace wyn
