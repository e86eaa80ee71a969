"""Hostile input to the generator: file names and directive values made to
break quoting, inject CMake or shell code, collide, or reach outside the
suite. Each is a working test registered exactly once, or a test that fails
saying why (file:line), or a configure warning naming a file that cannot be
registered; never a silent drop, never a side effect, and never a reason for
the rest of the suite not to run."""

import os
import shutil
import unittest

from wyn_e2e import REPO, Workspace, ctest_properties, run

OK = '// EXPECT: ok\nfn main() -> int {\n    println("ok")\n    return 0\n}\n'

# Every one a valid test name.
HOSTILE_NAMES = [
    "with space", " leading space", "trailing space ", "semi;colon", "[bracket", "a]==]b", "x]=]y]==]z]===]",
    "genex $<1:x>", "var ${HOME}", "env $ENV{PATH}", 'double"quote', "single'quote", "back\\slash",
    "ends with backslash\\", "hash #comment", "regex a+b(c)|d.^$", "-j8", "tab\there", "ünïcödé",
    "emoji 🎉", "Case", "case", "L" * 200, "é" * 100, "dir ;[x]/nested $<1:y>",
    # Injection attempts: harmless tests, nothing runs.
    'x"); execute_process(COMMAND touch pwned1) #',
    "]==] execute_process(COMMAND touch pwned2) #[==[",
    "$(touch pwned3)", "`touch pwned4`", "; touch pwned5 ;",
]

ARGS_TEST = """// ARGS: '$(touch pwned6)' ';' "`touch pwned7`" ${HOME} \\$<1:x>
// ENV: WYN_HOSTILE=$(touch pwned8) ${HOME}
// EXPECT: $(touch pwned6)
// EXPECT: ;
// EXPECT: `touch pwned7`
// EXPECT: ${HOME}
// EXPECT: $<1:x>
// EXPECT: $(touch pwned8) ${HOME}
fn main() -> int {
    print_args()
    print_env("WYN_HOSTILE")
    return 0
}
"""

STDIN_TEST = '// STDIN: data.txt\n// EXPECT: inside\nfn main() -> int {\n    read_stdin()\n    return 0\n}\n'


def pwned_files(*roots):
    found = []
    for root in roots:
        for dirpath, _, filenames in os.walk(root):
            found += [os.path.join(dirpath, n) for n in filenames if n.startswith("pwned")]
    return found


class HostileNames(unittest.TestCase):
    @classmethod
    @ctest_properties(processors=2)  # a ctest -j8
    def setUpClass(cls):
        cls.ws = Workspace(cls)
        files = {f"{name}.wyn": OK for name in HOSTILE_NAMES}
        files["injection args.wyn"] = ARGS_TEST
        cls.suite = cls.ws.suite("hostile", files)
        cls.expected = sorted(f"hostile/{name}" for name in HOSTILE_NAMES + ["injection args"])
        # A directory link loop: not followed, and said so.
        os.symlink(".", os.path.join(cls.suite, "loop"))
        os.symlink("..", os.path.join(cls.suite, "dir ;[x]", "up"))
        cls.stdin_suite = cls.ws.suite("stdin", {"reads.wyn": STDIN_TEST})
        with open(os.path.join(cls.stdin_suite, "data.txt"), "w") as f:
            f.write("inside\n")
        cls.configure = cls.ws.configure([cls.suite, cls.stdin_suite])
        cls.ws.build()
        cls.proc = cls.ws.ctest("-j8", "--output-on-failure")

    def test_ctest_lists_each_file_exactly_once(self):
        listing = self.ws.ctest("-N").stdout
        self.assertIn(f"Total Tests: {len(self.expected) + 1}", listing)
        names = sorted(n for n in self.ws.ctest_names() if n.startswith("hostile/"))
        self.assertEqual(names, self.expected)

    def test_each_one_runs_and_is_judged(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stdout)
        records = {t["name"]: t for t in self.ws.summary()["tests"]}
        self.assertEqual(sorted(n for n in records if n.startswith("hostile/")), self.expected)
        for name in HOSTILE_NAMES:
            record = records[f"hostile/{name}"]
            self.assertEqual(record["status"], "passed", record)
            self.assertEqual(record["source"], os.path.join(self.suite, name + ".wyn"))
            self.assertEqual(record["output"], "ok\n")
        self.assertEqual(records["hostile/injection args"]["status"], "passed",
                         records["hostile/injection args"])

    def test_injection_attempts_have_no_side_effect(self):
        home = os.path.expanduser("~")
        roots = [self.ws.root, REPO, os.getcwd()]
        self.assertEqual(pwned_files(*roots), [])
        self.assertEqual([n for n in os.listdir(home) if n.startswith("pwned")], [])

    def test_linked_directories_are_not_followed_and_are_named(self):
        self.assertIn("2 linked directories not followed", self.configure.stdout)
        self.assertIn("loop", self.configure.stdout)

    def test_stdin_swapped_for_a_link_outside_after_configure_is_refused(self):
        self.assertEqual(self.ws.verdicts()["stdin/reads"], "passed")
        data = os.path.join(self.stdin_suite, "data.txt")
        os.remove(data)
        os.symlink("/etc/passwd", data)
        self.addCleanup(lambda: (os.remove(data), open(data, "w").write("inside\n")))
        self.ws.ctest("-R", "^stdin/")
        record = self.ws.record("stdin/reads")
        self.assertEqual(record["status"], "harness_error", record)
        self.assertIn("lies outside the suite", record["reason"])
        self.assertNotIn("root:", record["output"])


class HostileErrors(unittest.TestCase):
    def test_each_bad_file_is_a_warning_and_the_rest_of_the_suite_runs(self):
        ws = Workspace(self)
        suite = ws.suite("bad", {
            "stdin_escape.wyn": "fn main() -> int {\n// STDIN: ../../etc/passwd\n}\n",
            "stdin_link.wyn": "// STDIN: link.txt\nfn main() -> int {\n}\n",
            "stdin_absolute.wyn": "// EXPECT: x\n// STDIN: /etc/passwd\nfn main() -> int {\n}\n",
            "malformed.wyn": "// TIMEOUT: soon\nfn main() -> int {\n}\n",
            "duplicate.wyn": "// EXPECT_EXIT: 1\n// EXPECT_EXIT: 2\nfn main() -> int {\n}\n",
            "misspelt.wyn": "fn main() -> int {\n}\n// EXPCT: x\n",
            "bad limit.wyn": "// MEMORY_LIMIT: lots\nfn main() -> int {\n}\n",
            "fine.wyn": OK,
        })
        os.symlink("/etc/passwd", os.path.join(suite, "link.txt"))
        os.symlink("loop_b.wyn", os.path.join(suite, "loop_a.wyn"))
        os.symlink("loop_a.wyn", os.path.join(suite, "loop_b.wyn"))
        os.symlink("missing.wyn", os.path.join(suite, "dangling.wyn"))
        os.symlink("/etc/hostname", os.path.join(suite, "outside.wyn"))
        os.mkfifo(os.path.join(suite, "fifo.wyn"))
        with open(os.path.join(suite, "line\nbreak.wyn"), "w") as f:
            f.write(OK)
        with open(os.path.join(os.fsencode(suite), b"latin1 \xe9.wyn"), "w") as f:
            f.write(OK)
        proc = ws.configure([suite])
        out = proc.stdout
        self.assertIn("CMake Warning", out)
        p = lambda name: os.path.join(suite, name)
        for expected in (
            p("stdin_escape.wyn") + ":2: STDIN file '../../etc/passwd' lies outside the suite directory",
            p("stdin_link.wyn") + ":1: STDIN file 'link.txt' lies outside",
            p("stdin_absolute.wyn") + ":2: STDIN must name a file relative to the test's directory",
            p("malformed.wyn") + ":1: TIMEOUT must be a positive number of seconds",
            p("duplicate.wyn") + ":2: duplicate EXPECT_EXIT (first given on line 1)",
            p("misspelt.wyn") + ":3: unknown directive 'EXPCT'; did you mean 'EXPECT'?",
            p("bad limit.wyn") + ":1: MEMORY_LIMIT must be",
            p("loop_a.wyn") + ": symbolic link loop",
            p("loop_b.wyn") + ": symbolic link loop",
            p("dangling.wyn") + ": symbolic link to a file that does not exist",
            p("outside.wyn") + ": symbolic link leads outside the suite directory",
            p("fifo.wyn") + ": not a regular file",
            "file name contains a line break",
            "file name is not valid UTF-8",
        ):
            self.assertIn(expected, out)
        self.assertNotIn("fine.wyn", out)

        # Files that cannot be registered are named above and left out; every
        # other file is a test, and each bad one fails alone, saying why.
        ws.build()
        proc = ws.ctest("-j4")
        self.assertNotEqual(proc.returncode, 0)
        verdicts = ws.verdicts()
        self.assertEqual(verdicts.pop("bad/fine"), "passed", proc.stdout)
        self.assertEqual(sorted(verdicts), sorted(f"bad/{n}" for n in (
            "stdin_escape", "stdin_link", "stdin_absolute", "malformed", "duplicate", "misspelt",
            "bad limit")))
        self.assertEqual(set(verdicts.values()), {"harness_error"}, verdicts)
        self.assertIn(p("misspelt.wyn") + ":3: unknown directive 'EXPCT'; did you mean 'EXPECT'?",
                      ws.record("bad/misspelt")["reason"])
        self.assertIn(p("malformed.wyn") + ":1: TIMEOUT", ws.record("bad/malformed")["reason"])
        self.assertIn("lies outside the suite", ws.record("bad/stdin_escape")["reason"])

    def test_an_empty_test_directory_is_a_configure_error(self):
        ws = Workspace(self)
        empty = os.path.join(ws.root, "src", "empty")
        os.makedirs(os.path.join(empty, ".hidden"))
        with open(os.path.join(empty, "notes.txt"), "w") as f:
            f.write("no tests here\n")
        proc = ws.configure([empty], check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(empty + ": no .wyn files in this directory or below", proc.stdout)



# Real suites open with prose comments; the reference runner matched
# `// EXPECT:` exactly, so they are free text.
PROSE = """// Expect: boolean operations return "true"/"false" consistently
// Regression: nested loops once printed twice
// Golden: closures keep their captures
// Test: {name}
// Feature: printing
// expect: lower case is prose too
// EXPECT: {name}
fn main() -> int {{
    println("{name}")
    return 0
}}
"""


class ProseAndTypos(unittest.TestCase):
    def test_prose_configures_and_passes_and_a_typo_fails_only_its_test(self):
        ws = Workspace(self)
        files = {f"t{i}.wyn": PROSE.format(name=f"t{i}") for i in range(3)}
        files["typo.wyn"] = "// Expect: a typo below\n// EXPECTT: x\n" + OK
        suite = ws.suite("prose", files)
        proc = ws.configure([suite])
        self.assertIn(os.path.join(suite, "typo.wyn") + ":2: unknown directive 'EXPECTT'; did you mean 'EXPECT'?",
                      proc.stdout)
        self.assertNotIn("t0.wyn", proc.stdout)
        ws.build()
        ws.ctest("-j4")
        self.assertEqual(ws.verdicts(), {"prose/t0": "passed", "prose/t1": "passed", "prose/t2": "passed",
                                         "prose/typo": "harness_error"})
        self.assertIn("typo.wyn:2: unknown directive 'EXPECTT'; did you mean 'EXPECT'?",
                      ws.record("prose/typo")["reason"])


if __name__ == "__main__":
    unittest.main()
