"""Scale and concurrency control: thousands of tests configure, build and
list; compiles run in a Ninja pool of their own whatever `-j` says; a
compiler or program that cannot be started is a harness error naming errno.

The timings of 200, 2,000 and 10,000 tests belong to the benchmark (bench/,
using gen_suite.py); these tests only check that the work is done, and done
once."""

import json
import os
import re
import stat
import unittest

from wyn_e2e import CMAKE, CTEST, Workspace, ctest_properties, run
from gen_suite import generate

# A compiler launcher that records how many compiles run at once: each one
# holds an entry in RUNNING while the compiler runs, and logs how many
# entries it saw when it started (itself included).
CONCURRENCY = """#!/bin/sh
mkdir "{running}/$$"
ls "{running}" | wc -l >> "{log}"
"$@"
status=$?
rmdir "{running}/$$"
exit $status
"""

HELLO = '// EXPECT: {text}\nfn main() -> int {{\n    println("{text}")\n    return 0\n}}\n'


def executable(path, text):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o755)
    return path


class Scale(unittest.TestCase):
    @ctest_properties(processors=2, timeout=900)
    def test_two_thousand_tests_configure_build_once_and_list(self):
        ws = Workspace(self)
        suite = os.path.join(ws.root, "src", "scale")
        # SKIP tests: the same graph and registration, without 2,000 compiles.
        count = generate(suite, 2000, per_dir=200, modules=5, skip=True)
        configure = ws.configure([suite], count=False)
        # The configure account names a few modules, not fifty.
        self.assertRegex(configure.stdout, r"50 modules \([^)]* and 40 more\)")
        first = ws.build()
        self.assertEqual(len(re.findall(r"Compiling Wyn test", first.stdout)), count + 10 * 5)
        noop = ws.build()
        self.assertNotIn("Compiling Wyn test", noop.stdout)
        self.assertNotIn("Registering", noop.stdout)
        listed = ws.ctest("-N", check=True)
        self.assertIn(f"Total Tests: {count}", listed.stdout)
        # Re-configuring an unchanged suite rewrites nothing a compile step depends on.
        ws.configure([suite], count=False)
        self.assertNotIn("Compiling Wyn test", ws.build().stdout)


class Concurrency(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ws = Workspace(cls)
        cls.suite = cls.ws.suite("pool", {f"t{i}.wyn": HELLO.format(text=f"t{i}") for i in range(6)})

    def max_concurrent_compiles(self, jobs):
        ws = self.ws
        running = os.path.join(ws.root, f"running-{jobs}")
        log = os.path.join(ws.root, f"concurrency-{jobs}.log")
        os.makedirs(running)
        launcher = executable(os.path.join(ws.root, f"concurrency-{jobs}.sh"),
                              CONCURRENCY.format(running=running, log=log))
        ws.build_dir = os.path.join(ws.root, f"build-{jobs}")
        ws.configure([self.suite], f"-DWYN_COMPILER_LAUNCHER={launcher}", f"-DWYN_COMPILE_JOBS={jobs}",
                     "-DWYN_COMPILE_CACHE=OFF", count=False)
        # -j16: Ninja may run 16 jobs, but compiles only as many as the pool allows.
        run([CMAKE, "--build", ws.build_dir, "-j16"], env={"WYN_STANDIN_CPU_MS": "400"}, check=True)
        with open(log) as f:
            seen = [int(line) for line in f.read().split()]
        self.assertEqual(len(seen), 6, "one compile per test, each through the launcher")
        record = os.path.join(ws.build_dir, "wyn")
        for dirpath, _, names in os.walk(record):
            if "compile.json" in names:
                with open(os.path.join(dirpath, "compile.json")) as f:
                    command = json.load(f)["command"]
                self.assertEqual(command[0], launcher, "the launcher comes first")
                self.assertTrue(command[1].endswith("wyn"), command)
        return max(seen)

    @ctest_properties(processors=2)  # compiles of 400 ms of CPU each, counted while they overlap
    def test_the_compile_pool_limits_compiles_whatever_ninja_may_run(self):
        self.assertEqual(self.max_concurrent_compiles(1), 1)
        # Two at once shows the pool is not a global lock; three or more would break it.
        self.assertEqual(self.max_concurrent_compiles(2), 2)

    def test_a_program_or_compiler_that_cannot_start_is_a_harness_error_naming_errno(self):
        ws = self.ws
        ws.build_dir = os.path.join(ws.root, "build-spawn")
        ws.configure([self.suite])
        ws.build()
        program = os.path.join(ws.build_dir, "wyn")
        programs = [os.path.join(d, "program") for d, _, names in os.walk(program)
                    if "program" in names and d.endswith("bin")]
        self.assertEqual(len(programs), 6)
        os.chmod(programs[0], stat.S_IRUSR)  # no longer executable
        proc = ws.ctest("-j4")
        self.assertNotEqual(proc.returncode, 0)
        broken = [r for r in ws.summary()["tests"] if r["status"] != "passed"]
        self.assertEqual(len(broken), 1, ws.verdicts())
        self.assertEqual(broken[0]["status"], "harness_error")
        self.assertIn("EACCES", broken[0]["reason"])

        # The same for the compiler (here: a launcher that cannot be executed).
        unusable = os.path.join(ws.root, "not-executable.sh")
        with open(unusable, "w") as f:
            f.write("#!/bin/sh\nexec \"$@\"\n")
        ws.build_dir = os.path.join(ws.root, "build-spawn-compiler")
        ws.configure([self.suite], f"-DWYN_COMPILER_LAUNCHER={unusable}", "-DWYN_COMPILE_CACHE=OFF",
                     count=False)
        ws.build()
        ws.ctest("-j4")
        statuses = set(ws.verdicts().values())
        self.assertEqual(statuses, {"harness_error"})
        self.assertIn("the compiler could not be started", ws.record("pool/t0")["reason"])
        self.assertIn("EACCES", ws.record("pool/t0")["reason"])


if __name__ == "__main__":
    unittest.main()
