"""Script tests share the toolchain cache: every C compile and link a
script's processes run (the Wyn compiler's, and `cc` called by the script
itself) goes through wyn-cc. Verdicts and everything the script prints are
the same with the cache on and off; what wyn-cc does not understand runs
unchanged; a second run takes every object and program from the memo
although each run writes its programs into a fresh temporary directory; the
scripts' compiles are counted apart; a damaged cache changes no verdict;
scripts sharing programs compile each once when run in parallel; and the
result cache of scripts does not depend on the toolchain cache."""

import glob
import json
import os
import shutil
import unittest

from wyn_e2e import BUILD_WYN, REPO, TOOLS, Workspace, ctest_properties, run

PROJECT = """cmake_minimum_required(VERSION 3.25)
project(gate NONE)
list(APPEND CMAKE_MODULE_PATH "{repo}/cmake")
include(WynTests)
enable_testing()
wyn_add_script_tests(GLOB scripts/run_*_test.sh NAME scripts)
wyn_add_script_tests(GLOB env/run_*_test.sh NAME env ENV "CC={cc}" "WYN_CC={cc}")
"""

# Builds three programs with the Wyn compiler (the stand-in runs `cc` found
# on PATH) in a fresh mktemp -d directory, as the real gate scripts do, and
# runs them. --debug: the generated C then names the program's path, which
# differs at every run, in #line lines and comments, as the real compiler's
# always does.
BUILD_SCRIPT = r"""#!/bin/bash
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
for n in 1 2 3; do
  printf 'fn main() -> int {\n    println("program %s of {tag}")\n    return 0\n}\n' "$n" > "$TMP/p$n.wyn"
  if out=$("$WYN" build "$TMP/p$n.wyn" --debug -o "$TMP/p$n" 2>&1) && [ "$("$TMP/p$n")" = "program $n of {tag}" ]; then
    echo "  ok    p$n builds and runs"
  else
    echo "  FAIL  p$n builds and runs ($out)"; fails=1
  fi
done
exit $fails
"""

# Calls the C compiler itself: a compile and link the wrapper splits, and
# the commands it must pass through untouched.
CC_SCRIPT = r"""#!/bin/bash
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
check() { if eval "$2"; then echo "  ok    $1"; else echo "  FAIL  $1"; fails=1; fi; }
printf '#include <stdio.h>\nint main(void) { puts("hello from " __FILE__); return 3; }\n' > "$TMP/hello.c"
printf 'int main(void) { return undefined_name; }\n' > "$TMP/bad.c"
cd "$TMP"
check "compile and link" 'cc -O0 -o hello hello.c && { ./hello > /dev/null; [ $? = 3 ]; } && [ "$(./hello)" = "hello from hello.c" ]'
# __FILE__ names the fresh directory: another program at every run.
check "absolute paths" 'cc -o "$TMP/abs" "$TMP/hello.c" && "$TMP/abs" | grep -qx "hello from $TMP/hello.c"'
check "its own CC" 'CC=cc; $CC -O0 -o own hello.c && [ "$(./own)" = "hello from hello.c" ]'
check "--version" 'cc --version | head -1 | grep -q .'
check "-x c - from stdin" "printf 'int main(void){return 0;}\n' | cc -x c - -o /dev/null"
check "/dev/null stays a device" 'cc -O0 hello.c -o /dev/null && [ -c /dev/null ]'
check "-E" 'cc -E hello.c | grep -q "int main"'
check "-c" 'cc -c hello.c -o hello.o && [ -s hello.o ]'
check "a response file" 'echo "-o resp hello.c" > args.rsp && cc @args.rsp && [ -x resp ]'
check "an odd flag" 'cc -fno-ident hello.c -o odd && [ "$(./odd)" = "hello from hello.c" ]'
check "a compile error fails naming the file" '! cc bad.c -o bad 2> err.txt && grep -q "bad.c" err.txt && [ ! -e bad ]'
exit $fails
"""

# What a script sees: the compiler, where it runs, and its environment but
# for the variables that find a C compiler.
SEES_SCRIPT = r"""#!/bin/bash
echo "WYN=$WYN"
echo "PWD=$PWD"
env | grep -Ev '^(PATH|CC|WYN_CC|WYN_CTEST_CC_[A-Z_]*|TMPDIR|_|SHLVL|OLDPWD)=' | sort | sha256sum
echo "  ok    looked"
"""

# CC and WYN_CC set to a path (ENV of the suite) reach the wrapper too.
ENV_SCRIPT = r"""#!/bin/bash
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
printf 'int main(void) { return 5; }\n' > "$TMP/five.c"
"$CC" -o "$TMP/five" "$TMP/five.c" && "$TMP/five"; echo "  ok    \$CC builds (status $?)"
printf 'fn main() -> int {\n    println("via WYN_CC")\n    return 0\n}\n' > "$TMP/w.wyn"
"$WYN" build "$TMP/w.wyn" --debug -o "$TMP/w" > /dev/null && "$TMP/w" && echo "  ok    WYN_CC builds"
"""

SCRIPTS = 6  # build x3, cc, sees, and the env suite's one


def real_cc():
    return os.path.realpath(shutil.which("cc"))


class ScriptToolchain(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        ws = cls.ws = Workspace(cls)
        ws.write("CMakeLists.txt", PROJECT.format(repo=REPO, cc=real_cc()))
        # Three scripts build the same three programs: run in parallel, each
        # program is compiled once (the wrapper locks a key while compiling).
        for name in ("a", "b", "c"):
            ws.write(f"scripts/run_build_{name}_test.sh", BUILD_SCRIPT.replace("{tag}", "the gate"))
        ws.write("scripts/run_cc_test.sh", CC_SCRIPT)
        ws.write("scripts/run_sees_test.sh", SEES_SCRIPT)
        ws.write("env/run_env_test.sh", ENV_SCRIPT)
        cls.toolchain = os.path.join(ws.cache_dir, "toolchain")

    def configure(self, setting):
        self.ws.configure([], f"-DWYN_COMPILER={BUILD_WYN}", f"-DWYN_TOOLCHAIN_CACHE={setting}",
                          source=os.path.join(self.ws.root, "src"), count=False)

    def run_scripts(self):
        run([os.path.join(TOOLS, "bin", "wyn-cache"), "zero", self.ws.cache_dir], check=True)
        proc = self.ws.ctest("-j4")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        results = {t["name"]: {k: t.get(k) for k in ("status", "exit_code", "output", "subchecks")}
                   for t in self.ws.summary()["tests"]}
        self.assertEqual(len(results), SCRIPTS)
        return results

    def memo_files(self):
        return sorted(os.path.relpath(p, self.ws.build_dir) for p in glob.glob(
            os.path.join(self.ws.build_dir, "wyn", "*", "toolchain", "memo", "**"), recursive=True)
            if os.path.isfile(p))

    def stats(self):
        proc = run([os.path.join(TOOLS, "bin", "wyn-cache"), "stats", "--json", self.ws.cache_dir],
                   check=True)
        return json.loads(proc.stdout)["toolchain"]

    @ctest_properties(timeout=600, processors=2)
    def test_on_twice_then_off_same_verdicts_and_output_hits_counted_as_scripts(self):
        for memo in glob.glob(os.path.join(self.ws.build_dir, "wyn", "*", "toolchain", "memo")):
            shutil.rmtree(memo)
        self.configure("ON")
        first = self.run_scripts()
        for name, result in first.items():
            self.assertEqual(result["status"], "passed", (name, result["output"]))
        stats = self.stats()
        scripts = stats["scripts"]
        # 3 scripts x 3 programs of 3 distinct texts, the cc script's hello
        # (relative and absolute), the WYN_CC build and the $CC build: every
        # program lies at a fresh path; each distinct text is compiled once.
        self.assertEqual(scripts["compiles"] - scripts["compile_failures"], 3 + 2 + 1 + 1, scripts)
        self.assertEqual(scripts["compile_failures"], 1)  # bad.c
        # b's and c's builds, and hello.c again for its own CC and /dev/null.
        self.assertEqual(scripts["memo_hits"], 6 + 2, scripts)
        self.assertEqual(scripts["link_hits"], 6 + 1, scripts)
        # --version, -x c -, -E, -c, @file, the odd flag: passed through as they are.
        self.assertEqual(scripts["pass_throughs"], 6, scripts)
        # The compile steps' own counters saw none of it.
        self.assertEqual((stats["compiles"], stats["memo_hits"], stats["pass_throughs"]), (0, 0, 0))
        # The wrapper's links are in the suite's build directory, first on PATH.
        self.assertTrue(glob.glob(os.path.join(self.ws.build_dir, "wyn", "scripts-*", "toolchain",
                                               "bin", "cc")))

        # The second run writes every program into new directories again, and
        # takes every object and every program from the memo; the one holding
        # its path in the test's TMPDIR left nothing there and leaves nothing.
        remembered = self.memo_files()
        self.assertFalse([f for f in remembered if "transient" in f], remembered)
        os.utime(BUILD_WYN)  # a rebuilt compiler of the same content
        second = self.run_scripts()
        self.assertEqual(second, first)
        self.assertEqual(self.memo_files(), remembered)
        scripts = self.stats()["scripts"]
        # Only the program holding its own path, and bad.c, which failed again.
        self.assertEqual(scripts["compiles"], 2, scripts)
        self.assertEqual(scripts["compile_failures"], 1)
        self.assertEqual(scripts["memo_hits"], 9 + 3 + 2, scripts)
        self.assertEqual(scripts["link_hits"], 9 + 2 + 2, scripts)
        self.assertEqual(scripts["links"], 2, scripts)  # that one, and -o /dev/null: never restored

        # A damaged cache: every memo entry, object and stored program
        # overwritten or cut short, and ccache's directory full of garbage.
        damaged = 0
        for path in glob.glob(os.path.join(self.ws.build_dir, "wyn", "*", "toolchain", "memo", "**"),
                              recursive=True):
            if os.path.isfile(path) and path.endswith((".memo", ".o", ".out")):
                with open(path, "r+b") as f:
                    f.truncate(max(0, os.path.getsize(path) // 2))
                damaged += 1
        self.assertGreater(damaged, 20)
        for path in glob.glob(os.path.join(self.toolchain, "ccache", "**"), recursive=True):
            if os.path.isfile(path):
                with open(path, "wb") as f:
                    f.write(b"garbage")
        self.assertEqual(self.run_scripts(), first)

        # Off: the scripts run the compilers themselves, and see the same.
        self.configure("OFF")
        self.assertEqual(self.run_scripts(), first)
        scripts = self.stats()["scripts"]
        self.assertEqual(sum(scripts.values()), 0, scripts)

    @ctest_properties(timeout=600, processors=2)
    def test_the_result_cache_of_scripts_ignores_the_toolchain_cache(self):
        self.configure("ON")
        self.ws.configure([], "-DWYN_RESULT_CACHE=ON", source=os.path.join(self.ws.root, "src"),
                          count=False)
        self.run_scripts()
        self.configure("OFF")
        proc = self.ws.ctest("-j4", "-R", "^scripts/run_build_a_test$")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertTrue(self.ws.record("scripts/run_build_a_test")["cached"])
        self.ws.configure([], "-DWYN_RESULT_CACHE=OFF", source=os.path.join(self.ws.root, "src"),
                          count=False)


if __name__ == "__main__":
    unittest.main()
