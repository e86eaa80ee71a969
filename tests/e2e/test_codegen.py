"""What a compiler edit changed (docs/reports.md, "What the edit changed"):
after a rebuild with another compiler, the report names exactly the programs
whose generated code differs from the previous run, or from a saved
baseline, with the diffs; nothing when nothing changed. Both command lines.

"Another compiler" is a copy of the stand-in with another codegen tag: its
generated C (legacy: its .ll) differs for the files marked
`// standin: tagged` only (generator/standin/README.md)."""

import json
import os
import shutil
import unittest

from wyn_e2e import BUILD_WYN, CTEST, LEGACY_WYN, TOOLS, Workspace, run, set_codegen_tag

HELLO = '// EXPECT: {text}\nfn main() -> int {{\n    println("{text}")\n    return 0\n}}\n'
TAGGED = ("t1", "t4")


def suite_files():
    files = {f"t{i}.wyn": HELLO.format(text=f"t{i}") for i in range(6)}
    for name in TAGGED:
        files[f"{name}.wyn"] = "// standin: tagged\n" + files[f"{name}.wyn"]
    return files


class CodegenImpact(unittest.TestCase):
    def setUp(self):
        self.ws = Workspace(self)
        self.src = self.ws.suite("gen", suite_files())

    def compiler_copy(self, standin):
        """A copy of a stand-in with its runtime, whose tag the test can change."""
        directory = os.path.join(self.ws.root, "wyn")
        shutil.copytree(os.path.dirname(standin), directory, symlinks=True)
        return os.path.join(directory, "wyn")

    def report_dir(self):
        return os.path.join(self.ws.build_dir, "wyn-report")

    def ctest(self, env=None):
        """Runs every test (all pass); returns (terminal output, summary's codegen)."""
        proc = run([CTEST, "--test-dir", self.ws.build_dir, "-j4"], env=env)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        return proc.stdout, self.ws.summary().get("codegen")

    def changed(self, codegen):
        return sorted(c["name"] for c in codegen["changed"])

    def assert_quiet(self, output, codegen, compared=6):
        self.assertNotIn("Generated code", output)
        self.assertEqual(codegen["compared"], compared)
        self.assertEqual(codegen["changed"], [])

    def test_a_rebuilt_compiler_reports_exactly_the_programs_whose_c_changed(self):
        compiler = self.compiler_copy(BUILD_WYN)
        self.ws.configure([self.src], f"-DWYN_COMPILER={compiler}")
        self.ws.build()
        self.assertEqual(self.ws.compiles(), 6)
        output, codegen = self.ctest()
        self.assert_quiet(output, codegen, compared=0)  # no previous run
        record = json.load(open(os.path.join(self.ws.record("gen/t1")["test_dir"], "compile.json")))
        self.assertEqual(record["codegen"], "c")
        with open(record["codegen_file"]) as f:
            self.assertIn('#ident "wyn-standin codegen 1"', f.read())

        set_codegen_tag(compiler, "2")
        self.ws.build()
        self.assertEqual(self.ws.compiles(), 6, "a new compiler recompiles every test")
        output, codegen = self.ctest()
        self.assertIn("Generated code changed: 2 of 6 programs differ from the previous run:\n"
                      "  gen/t1\n  gen/t4\n", output)
        self.assertEqual(codegen["baseline"], "the previous run")
        self.assertEqual(codegen["compared"], 6)
        self.assertEqual(self.changed(codegen), ["gen/t1", "gen/t4"])
        with open(codegen["changed"][0]["diff_file"]) as f:
            diff = f.read()
        self.assertTrue(diff.startswith("--- gen/t1.wyn.c (the previous run)\n"
                                        "+++ gen/t1.wyn.c (this build)\n"), diff)
        self.assertIn('-#ident "wyn-standin codegen 1"\n+#ident "wyn-standin codegen 2"\n', diff)
        with open(os.path.join(self.report_dir(), "report.html")) as f:
            html = f.read()
        self.assertIn('<section id="codegen">', html)
        self.assertIn("+#ident &quot;wyn-standin codegen 2&quot;", html)
        with open(os.path.join(self.report_dir(), "summary.md")) as f:
            self.assertIn("### Generated code changed", f.read())
        self.assertEqual(set(self.ws.verdicts().values()), {"passed"}, "verdicts never depend on it")

        # The same build again, and a build with nothing to do: nothing more to say.
        self.assert_quiet(*self.ctest())
        self.ws.build()
        self.assertEqual(self.ws.compiles(), 0)
        self.assert_quiet(*self.ctest())
        self.assertFalse(os.path.exists(os.path.join(self.report_dir(), "codegen", "diffs")))

        # A saved baseline stays while the previous run moves on.
        save = run([os.path.join(TOOLS, "bin", "wyn-report"),
                    "codegen-baseline", "save", "tag2",
                    os.path.join(self.ws.build_dir, "wyn", "report.json")], check=True)
        self.assertIn("saved the generated code of 6 programs as baseline tag2", save.stdout)
        set_codegen_tag(compiler, "3")
        self.ws.build()
        self.assertEqual(self.ws.compiles(), 6)
        self.assertEqual(self.changed(self.ctest()[1]), ["gen/t1", "gen/t4"])
        self.assert_quiet(*self.ctest())
        output, codegen = self.ctest(env={"WYN_CODEGEN_BASELINE": "tag2"})
        self.assertIn("Generated code changed: 2 of 6 programs differ from baseline tag2:\n", output)
        self.assertEqual(codegen["baseline"], "baseline tag2")
        self.assertTrue(codegen["pinned"])
        self.assertEqual(self.changed(codegen), ["gen/t1", "gen/t4"])

        # Back to the saved compiler: every compile comes from the cache, and
        # still yields its code (and its text, for the diff).
        set_codegen_tag(compiler, "2")
        self.ws.build()
        self.assertEqual(self.ws.compiles(), 0, "the compile cache has this compiler's programs")
        output, codegen = self.ctest()  # the previous run saw tag 3
        self.assertEqual(self.changed(codegen), ["gen/t1", "gen/t4"])
        with open(codegen["changed"][1]["diff_file"]) as f:
            self.assertIn('-#ident "wyn-standin codegen 3"\n+#ident "wyn-standin codegen 2"\n',
                          f.read())
        output, codegen = self.ctest(env={"WYN_CODEGEN_BASELINE": "tag2"})
        self.assertIn("Generated code: the same as in baseline tag2 for all 6 programs\n", output)
        self.assertEqual(codegen["changed"], [])

        output, codegen = self.ctest(env={"WYN_CODEGEN_BASELINE": "nonesuch"})
        self.assertIn("warning: generated code not compared: no codegen baseline", output)
        self.assertIsNone(codegen)

    def test_legacy_compiles_compare_their_ir(self):
        compiler = self.compiler_copy(LEGACY_WYN)
        root = os.path.dirname(compiler)
        self.ws.configure([self.src], f"-DWYN_COMPILER={compiler}", f"-DWYN_ROOT={root}")
        self.ws.build()
        self.assert_quiet(*self.ctest(), compared=0)
        set_codegen_tag(compiler, "2")
        self.ws.build()
        output, codegen = self.ctest()
        self.assertIn("Generated code changed: 2 of 6 programs differ from the previous run:\n"
                      "  gen/t1\n  gen/t4\n", output)
        self.assertEqual({c["codegen"] for c in codegen["changed"]}, {"ll"})
        with open(codegen["changed"][0]["diff_file"]) as f:
            self.assertTrue(f.read().startswith("--- gen/t1.ll (the previous run)\n"))
        self.assert_quiet(*self.ctest())


if __name__ == "__main__":
    unittest.main()
