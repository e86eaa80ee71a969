// wyn-compile: the build step of one test, run by Ninja.
//
//   wyn-compile TEST_DIR
//
// Reads TEST_DIR/test.json, stages the source and the modules it imports into
// TEST_DIR/stage (so the compiler's by-products never land in the source
// tree and no two compiles share a file), runs the compiler there, and writes
// TEST_DIR/compile.json plus a depfile naming everything the result depends
// on. A compile error is an outcome recorded for the launcher, not a build
// failure, unless the suite asked for a strict build. So are faults of the
// test's own directives: the test fails as a harness_error naming the line.
//
// With the compile cache on (docs/caching.md), the step first looks up a key
// made of everything the compiler reads, by content; a hit restores the
// executable (or the failure and its diagnostics) without running the
// compiler. Ninja decides whether this step runs, the cache whether the
// compiler does. TEST_DIR/compile-cache.json says what the lookup found.
//
//   wyn-compile --capture-environment SUITE_DIR
//
// Run at configure time: records the environment variables the compiler
// reads in SUITE_DIR/compile.env, rewriting it only when one changed. Every
// compile step depends on that file and runs the compiler with the recorded
// values, as CMake does with CC: a build sees the environment of the last
// configure, so Ninja needs no step that runs on every build.
//
// The work is in the wyncompile library beside this file: compile.cpp (the
// step), staging.cpp, depfile.cpp, environment.cpp, outcome.cpp (what may be
// cached), step_cache.cpp (the local and remote cache) and prefetch.cpp (the
// remote tier's batches).

#include <cstdio>
#include <exception>
#include <string>

#include "compile/compile.hpp"
#include "compile/environment.hpp"

int main(int argc, char** argv) {
  const bool capture = argc == 3 && std::string(argv[1]) == "--capture-environment";
  if (argc != 2 && !capture) {
    std::fprintf(
        stderr,
        "usage: wyn-compile TEST_DIR\n       wyn-compile --capture-environment SUITE_DIR\n");
    return 2;
  }
  try {
    return capture ? wyn::capture_environment(argv[2]) : wyn::compile(argv[1]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "wyn-compile: error: %s\n", e.what());
    return 1;
  }
}
