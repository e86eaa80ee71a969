#include <gtest/gtest.h>

#include <string>

#include "cache/compile/compile_key.hpp"

namespace wyn {
namespace {

/// The inputs of one compile in a clone at `checkout`, built in `build`.
CompileKeyInputs clone_at(const std::string& checkout, const std::string& build) {
  CompileKeyInputs in;
  in.style = "build";
  in.compiler = checkout + "/tools/wyn";
  in.compiler_sha256 = std::string(64, 'c');
  in.command = {"build", "t.wyn", "-o", "<output>"};
  in.stage = {{"t.wyn", std::string(64, '1')},
              {"b.wyn", std::string(64, '3')},
              {"a.wyn", std::string(64, '2')}};
  in.environment = {{"PATH", build + "/bin:" + checkout + "/ccbin:/usr/bin:/bin"},
                    {"CFLAGS", "-O0 -I" + checkout + "/include"},
                    {"WYN_ROOT", checkout}};
  in.unset = {"CC", "NO_COLOR"};
  in.where = {checkout, build, ""};
  return in;
}

TEST(LocationIndependent, ReplacesWholeTreesOnlyDeeperFirst) {
  const KeyLocations where{"/work/src", "/work/src/build"};
  EXPECT_EQ(location_independent("/work/src/build/x:/work/src/y:/usr/bin", where),
            "<build>/x:<source>/y:/usr/bin");
  EXPECT_EQ(location_independent("/work/src", where), "<source>");
  EXPECT_EQ(location_independent("-I/work/src/inc -L/work/src/build", where),
            "-I<source>/inc -L<build>");
  // Not whole components, or not the start of a path: left alone.
  EXPECT_EQ(location_independent("/work/srcx:/a/work/src:/work/src2/b", where),
            "/work/srcx:/a/work/src:/work/src2/b");
  EXPECT_EQ(location_independent("/x", KeyLocations{"/", ""}), "/x");
  EXPECT_EQ(location_independent("/work/src/", KeyLocations{"/work/src/", ""}), "<source>/");
  const KeyLocations with_home{"/home/ann/wyn", "/tmp/b", "/home/ann"};
  EXPECT_EQ(location_independent("/home/ann/wyn/x:/home/ann/.local/bin:/home/annex", with_home),
            "<source>/x:<home>/.local/bin:/home/annex");
}

TEST(CompileCacheKey, TwoClonesConfiguredAlikeShareTheKey) {
  const CacheKey a = compile_cache_key(clone_at("/home/ann/wyn", "/home/ann/wyn/build"));
  const CacheKey b = compile_cache_key(clone_at("/ci/work/checkout-2", "/tmp/b"));
  EXPECT_EQ(a.hex(), b.hex());
  for (const auto& [name, value] : a.parts()) {
    EXPECT_EQ(value.find("/home/ann"), std::string::npos) << name << "=" << value;
  }
}

TEST(CompileCacheKey, ModuleAndRuntimeOrderDoNotMatter) {
  CompileKeyInputs a = clone_at("/s", "/b"), b = a;
  std::swap(b.stage[1], b.stage[2]);
  b.runtime = {{"y.c", "2"}, {"x.c", "1"}};
  a.runtime = {{"x.c", "1"}, {"y.c", "2"}};
  EXPECT_EQ(compile_cache_key(a).hex(), compile_cache_key(b).hex());
}

TEST(CompileCacheKey, EveryRealDifferenceChangesTheKey) {
  const CompileKeyInputs base = clone_at("/s", "/b");
  const std::string key = compile_cache_key(base).hex();
  std::vector<CompileKeyInputs> changed(11, base);
  changed[0].style = "legacy";
  changed[1].compiler_sha256 = std::string(64, 'd');
  changed[2].compiler = "/s/other/wyn";  // another place in the tree
  changed[3].command = {"build", "t.wyn", "--debug", "-o", "<output>"};
  changed[4].stage[0].second = std::string(64, '9');
  changed[5].stage[2].second = std::string(64, '9');  // a module
  changed[6].stage[0].first = "u.wyn";
  changed[7].runtime = {{"x.c", "1"}};
  changed[8].environment[1].second = "-O2 -I/s/include";
  changed[9].environment[0].second = "/usr/local/bin:/usr/bin:/bin";  // PATH outside the trees
  changed[10].unset = {"CC"};  // NO_COLOR set to ... nothing listed: a different account
  for (size_t i = 0; i < changed.size(); ++i)
    EXPECT_NE(compile_cache_key(changed[i]).hex(), key) << "change " << i;
  // A path outside the trees stays what it is: /opt/x on one machine is not /opt/y on another.
  CompileKeyInputs a = base, b = base;
  a.environment[1].second = "-I/opt/x";
  b.environment[1].second = "-I/opt/y";
  EXPECT_NE(compile_cache_key(a).hex(), compile_cache_key(b).hex());
}

TEST(CompileCacheKey, CompilerOutsideTheTreesEntersByContent) {
  CompileKeyInputs a = clone_at("/s", "/b"), b = a;
  a.compiler = "/opt/wyn-1/wyn";
  b.compiler = "/usr/local/bin/wyn";
  EXPECT_EQ(compile_cache_key(a).hex(), compile_cache_key(b).hex());
  b.compiler_sha256 = std::string(64, 'e');
  EXPECT_NE(compile_cache_key(a).hex(), compile_cache_key(b).hex());
}

}  // namespace
}  // namespace wyn
