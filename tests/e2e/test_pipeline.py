"""The core pipeline over the bundled example suite and small suites of its own."""

import json
import os
import re
import subprocess
import unittest

from wyn_e2e import BUILD_WYN, LEGACY_WYN, REPO, Workspace, ctest_properties, run, snapshot

EXAMPLES = [os.path.join(REPO, "wyn-tests", "examples"), os.path.join(REPO, "wyn-tests", "errors")]


class BundledSuite(unittest.TestCase):
    def test_default_run_passes_counts_every_test_and_leaves_the_tree_untouched(self):
        before = snapshot(os.path.join(REPO, "wyn-tests"))
        ws = Workspace(self)
        ws.configure(EXAMPLES)
        ws.build()
        proc = ws.ctest("-j12")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("wyn-ctest summary:", proc.stdout)
        registered = ws.ctest_names()
        summary = ws.summary()
        self.assertEqual(summary["counts"]["total"], len(registered))
        self.assertEqual(sorted(t["name"] for t in summary["tests"]), sorted(registered))
        self.assertEqual(sum(v for k, v in summary["counts"].items() if k != "total"), len(registered))
        statuses = set(ws.verdicts().values())
        # The demo shows real checks: expected failures and skips, not only passes.
        self.assertTrue({"passed", "skipped", "xfail"} <= statuses, statuses)
        self.assertEqual(before, snapshot(os.path.join(REPO, "wyn-tests")))
        if os.path.isdir(os.path.join(REPO, ".git")):
            status = run(["git", "-C", REPO, "status", "--porcelain", "--", "wyn-tests"], check=True)
            self.assertEqual(status.stdout, "")

    def test_both_command_line_styles_give_identical_verdicts(self):
        verdicts = {}
        for style, compiler in (("legacy", LEGACY_WYN), ("build", BUILD_WYN)):
            ws = Workspace(self)
            ws.configure(EXAMPLES, f"-DWYN_COMPILER={compiler}")
            configure = ws.configure(EXAMPLES, f"-DWYN_COMPILER={compiler}")
            self.assertRegex(configure.stdout, rf"(?m)^-- wyn: suite examples: {re.escape(compiler)} "
                                               rf"\(Wyn v1\.\d+\.0 .*; {style} command line\)$")
            ws.build()
            self.assertEqual(ws.ctest("-j8").returncode, 0)
            verdicts[style] = ws.verdicts()
        self.assertEqual(verdicts["legacy"], verdicts["build"])
        self.assertGreater(len(verdicts["build"]), 10)

    def test_show_only_lists_every_test_with_labels(self):
        ws = Workspace(self)
        ws.configure(EXAMPLES)
        ws.build()
        tests = ws.ctest_names()
        self.assertIn("examples/hello", tests)
        for name, test in tests.items():
            props = {p["name"]: p["value"] for p in test.get("properties", [])}
            suite = name.split("/")[0]
            self.assertIn(suite, props["LABELS"], name)
        slow = [n for n, t in tests.items()
                if "slow" in {p["name"]: p["value"] for p in t["properties"]}["LABELS"]]
        self.assertTrue(slow, "the bundled slow test carries its LABELS directive")
        # Each property costs CTest a scan of every test at start-up: exit code
        # 77 means "skipped" only for the tests that SKIP, and nothing else has it.
        skip_codes = {n: {p["name"]: p["value"] for p in t["properties"]}.get("SKIP_RETURN_CODE")
                      for n, t in tests.items()}
        self.assertEqual({n for n, code in skip_codes.items() if code is not None}, {"examples/skipped"})
        self.assertEqual(skip_codes["examples/skipped"], 77)


class SmallSuites(unittest.TestCase):
    @ctest_properties(processors=2)
    def test_fifty_tests_at_j64_match_j1_and_never_share_directories(self):
        files = {}
        for i in range(50):
            body = f'    println("test {i}")\n    write_file("out.txt", "{i}")\n    write_tmp("x", "{i}")\n'
            if i % 10 == 3:
                body += "    return 2\n"  # fails under the zero policy
            files[f"t{i:02d}.wyn"] = f"// EXPECT: test {i}\nfn main() -> int {{\n{body}    return 0\n}}\n"
        verdicts = []
        for jobs in (64, 1):
            ws = Workspace(self)
            suite = ws.suite("many", files)
            ws.configure([suite])
            ws.build(f"-j{jobs}")
            ws.ctest(f"-j{jobs}")
            verdicts.append(ws.verdicts())
            dirs = [t["test_dir"] for t in ws.summary()["tests"]]
            self.assertEqual(len(dirs), len(set(dirs)))
        self.assertEqual(verdicts[0], verdicts[1])
        self.assertEqual(len(verdicts[0]), 50)
        self.assertEqual(sum(v == "failed" for v in verdicts[0].values()), 5)

    def test_a_name_made_to_inject_cmake_code_is_a_harmless_working_test(self):
        ws = Workspace(self)
        name = 'x"); execute_process(COMMAND touch pwned) #'
        suite = ws.suite("hostile", {
            f"{name}.wyn": '// EXPECT: safe\nfn main() -> int {\n    println("safe")\n    return 0\n}\n',
            "a]=]b $<1:x> ${HOME};[x].wyn": "// EXPECT: ok\nfn main() -> int {\n    println(\"ok\")\n}\n",
        })
        ws.configure([suite])
        ws.build()
        self.assertEqual(ws.ctest("-j2").returncode, 0)
        verdicts = ws.verdicts()
        self.assertEqual(verdicts[f"hostile/{name}"], "passed")
        self.assertEqual(verdicts["hostile/a]=]b $<1:x> ${HOME};[x]"], "passed")
        for d in (ws.root, ws.build_dir, REPO, os.getcwd()):
            self.assertFalse(os.path.exists(os.path.join(d, "pwned")), d)

    def test_two_suites_with_one_name_are_a_configure_error_naming_both(self):
        ws = Workspace(self)
        one = ws.suite("a/tests", {"x.wyn": "fn main() -> int {\n}\n"})
        two = ws.suite("b/tests", {"y.wyn": "fn main() -> int {\n}\n"})
        proc = ws.configure([one, two], check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(one, proc.stdout)
        self.assertIn(two, proc.stdout)

    def test_a_typo_added_by_an_edit_fails_only_that_test_and_not_the_build(self):
        ws = Workspace(self)
        ok = '// EXPECT: ok\nfn main() -> int {\n    println("ok")\n    return 0\n}\n'
        suite = ws.suite("typo", {"t.wyn": ok, "other.wyn": ok})
        ws.configure([suite])
        ws.build()
        ws.write("typo/t.wyn", "fn main() -> int {\n// EXPECTT: x\n}\n")
        self.assertEqual(ws.build(check=False).returncode, 0)
        self.assertNotEqual(ws.ctest("-j2").returncode, 0)
        self.assertEqual(ws.verdicts(), {"typo/t": "harness_error", "typo/other": "passed"})
        self.assertIn(os.path.join(suite, "t.wyn") + ":2: unknown directive 'EXPECTT'; did you mean 'EXPECT'?",
                      ws.record("typo/t")["reason"])

    def test_strict_build_fails_the_build_on_a_compile_error(self):
        ws = Workspace(self)
        suite = ws.suite("strict", {
            "bad.wyn": "fn main() -> int {\n    nope()\n}\n",
            "expected.wyn": "// EXPECT_ERROR: Undefined function 'nope'\nfn main() -> int {\n    nope()\n}\n",
        })
        ws.configure([suite])
        self.assertEqual(ws.build(check=False).returncode, 0)
        ws.configure([suite], "-DWYN_STRICT_BUILD=ON")
        proc = ws.build(check=False)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("Undefined function 'nope'", proc.stdout)

    def test_external_project_uses_wyn_add_tests_with_options(self):
        ws = Workspace(self)
        suite = ws.suite("legacy_unit", {
            "returns.wyn": "fn main() -> int {\n    return 42\n}\n",
            "helper.wyn": "fn main() -> int {\n    return 0\n}\n",
            "labelled.wyn": "// EXPECT: hi\nfn main() -> int {\n    println(\"hi\")\n}\n",
        })
        project = ws.write("project/CMakeLists.txt", f"""
            cmake_minimum_required(VERSION 3.25)
            project(wyn_checkout NONE)
            list(APPEND CMAKE_MODULE_PATH "{REPO}/cmake")
            include(WynTests)
            enable_testing()
            wyn_add_tests(DIRECTORY "{suite}" NAME unit EXIT_CODE any NO_EXPECT ignore
                          LABELS legacy COMPILER "{LEGACY_WYN}" TIMEOUT 5)
            """)
        ws.configure([], source=os.path.dirname(project))
        ws.build()
        proc = ws.ctest("-j2")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        # NO_EXPECT ignore: only the file with an expectation is a test.
        self.assertEqual(ws.verdicts(), {"unit/labelled": "passed"})
        labels = {p["name"]: p["value"] for p in ws.ctest_names()["unit/labelled"]["properties"]}["LABELS"]
        self.assertEqual(sorted(labels), ["legacy", "unit"])  # CTest sorts labels

    def test_wrong_arguments_to_wyn_add_tests_are_errors(self):
        ws = Workspace(self)
        suite = ws.suite("s", {"x.wyn": "fn main() -> int {\n}\n"})
        for call, message in ((f'DIRECTORY "{suite}" EXIT_CODE sometimes', "EXIT_CODE must be one of zero, any"),
                              (f'DIRECTORY "{suite}" BOGUS 1', "unknown arguments: BOGUS"),
                              ('DIRECTORY "/nonexistent/dir"', "is not a directory")):
            project = ws.write("p/CMakeLists.txt", f"""
                cmake_minimum_required(VERSION 3.25)
                project(p NONE)
                list(APPEND CMAKE_MODULE_PATH "{REPO}/cmake")
                include(WynTests)
                set(WYN_COMPILER "{BUILD_WYN}")
                wyn_add_tests({call})
                """)
            proc = ws.configure([], source=os.path.dirname(project), check=False)
            self.assertNotEqual(proc.returncode, 0)
            self.assertIn(message, proc.stdout)


if __name__ == "__main__":
    unittest.main()
