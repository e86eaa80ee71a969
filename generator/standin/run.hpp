#pragma once
// `wyn run`'s second half: running the program it built as a supervised
// child, with the observable behaviour of the real compiler's (Wyn 1.20):
// exit status, signals, and what becomes of the program when `wyn run` dies.

#include <string>
#include <vector>

namespace wyn::standin {

/// Runs `argv` (argv[0]: the built program) with this process's stdin,
/// stdout and stderr, and returns what `wyn run` exits with: the program's
/// exit code, or 128+N when signal N killed it.
///
/// As the real one does, it puts a supervisor process between itself and
/// the program, which runs in a process group of its own (so a Ctrl-C at a
/// terminal reaches `wyn run`, not the program). SIGINT, SIGTERM and SIGHUP
/// kill `wyn run` itself by that signal (its status says 128+N); the
/// supervisor ignores them, notices that `wyn run` is gone, however it died
/// (SIGKILL included), by the end of a pipe only `wyn run` held, and
/// SIGKILLs the program's group. It does not wait for the program: the
/// program is left, dead or dying, to whoever adopts orphans (init, or a
/// subreaper such as a test harness). On Linux the program also gets
/// SIGKILL should the supervisor itself die (PR_SET_PDEATHSIG).
///
/// `cleanup` is a directory holding only the files named in `files`; it is
/// removed once the program is gone, or given up on.
int run_supervised(const std::vector<std::string>& argv, const std::string& cleanup,
                   const std::vector<std::string>& files);

}  // namespace wyn::standin
