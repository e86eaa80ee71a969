// Entry point of both stand-in compiler binaries; the build defines which
// command-line generation this one is.

#include "standin/cli.hpp"

int main(int argc, char** argv) {
#if defined(WYN_STANDIN_LEGACY)
  return wyn::standin::run_legacy_cli(argc, argv);
#elif defined(WYN_STANDIN_BUILD)
  return wyn::standin::run_build_cli(argc, argv);
#else
#error "define WYN_STANDIN_LEGACY or WYN_STANDIN_BUILD"
#endif
}
