/* The program's entry point: keeps argv for print_args() and makes the
 * translated `fn main`'s return value the exit status, as C's main does. */

#include "wyn_rt.h"

int wyn_rt_argc;
char** wyn_rt_argv;

int main(int argc, char** argv) {
#ifdef _WIN32
  if (wyn_rt_orphan()) return 0;
#endif
  wyn_rt_argc = argc;
  wyn_rt_argv = argv;
  return wyn_main();
}
