#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "util/fs.hpp"
#include "util/sha256.hpp"

namespace wyn {
namespace {

// The examples of FIPS 180-4 (NIST's "SHA256.pdf" and the long-message test).
TEST(Sha256, StandardVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(
      sha256_hex(
          "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmno"
          "pqrlmnopqrsmnopqrstnopqrstu"),
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Lengths around the padding boundaries: 55 bytes still fit the length in the
// last block, 56 need another block; 64 is exactly one block.
TEST(Sha256, PaddingBoundaries) {
  const std::pair<size_t, const char*> cases[] = {
      {55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"},
      {56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"},
      {63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"},
      {64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"},
      {65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"},
      {119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"},
      {120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"},
      {128, "6836cf13bac400e9105071cd6af47084dfacad4e5e302c94bfed24e013afb73e"},
  };
  for (const auto& [length, digest] : cases)
    EXPECT_EQ(sha256_hex(std::string(length, 'a')), digest) << length;
}

TEST(Sha256, AnySplitIntoUpdatesGivesTheSameDigest) {
  std::string data;
  for (int i = 0; i < 3; ++i)
    for (int b = 0; b < 256; ++b) data += static_cast<char>(b);
  const std::string whole = "f3a25aa93aa2fbba28d79260535bbd6a5eb0fc1c24a8b0f04e12b484c1dfe363";
  ASSERT_EQ(sha256_hex(data), whole);
  for (size_t first = 0; first <= 130; ++first) {
    for (size_t step : {1, 7, 63, 64, 65, 500}) {
      Sha256 h;
      h.update(std::string_view(data).substr(0, first));
      for (size_t at = first; at < data.size(); at += step)
        h.update(std::string_view(data).substr(at, step));
      ASSERT_EQ(h.hex(), whole) << "first " << first << ", step " << step;
    }
  }
}

TEST(Sha256, DigestFinishes) {
  Sha256 h;
  h.update("abc");
  EXPECT_EQ(h.hex(), sha256_hex("abc"));
  EXPECT_THROW(h.update("more"), std::logic_error);
  EXPECT_THROW(h.digest(), std::logic_error);
}

TEST(Sha256, HashesFilesAndReportsUnreadableOnes) {
  char pattern[] = "/tmp/wyn-sha-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string dir = pattern;
  const std::string big(200000, 'x');  // several read() blocks
  write_file_atomic(dir + "/f", big);
  std::string hex;
  ASSERT_TRUE(sha256_file_hex(dir + "/f", hex));
  EXPECT_EQ(hex, sha256_hex(big));
  EXPECT_FALSE(sha256_file_hex(dir + "/missing", hex));
  EXPECT_FALSE(sha256_file_hex(dir, hex)) << "a directory is not a file";
  remove_tree(dir);
}

}  // namespace
}  // namespace wyn
