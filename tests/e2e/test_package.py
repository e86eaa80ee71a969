"""Using wyn-ctest from another project: `cmake --install` of wyn-ctest's
top-level build and the installed package through find_package, FetchContent
of a clone, the Debian package CPack makes, and naming the Wyn compiler
(there is no default outside wyn-ctest's own example build)."""

import glob
import json
import os
import re
import shutil
import time
import unittest

from wyn_e2e import BUILD_WYN, CMAKE, CTEST, LEGACY_WYN, REPO, TOOLS, Workspace, ctest_properties, run

CPACK = os.path.join(os.path.dirname(CMAKE), "cpack") if os.path.isabs(CMAKE) else "cpack"

# One passing test, one failing on its output, one skipped: the verdicts show
# the suite was judged, not merely registered.
SUITE = {
    "ok.wyn": '// EXPECT: ok\nfn main() -> int {\n    println("ok")\n    return 0\n}\n',
    "wrong.wyn": '// EXPECT: right\nfn main() -> int {\n    println("wrong")\n    return 0\n}\n',
    "later.wyn": "// SKIP: not yet\nfn main() -> int {\n    return 0\n}\n",
}

# CMake code writing the normal (non-cache) variables of the current scope to
# a JSON file: how a test sees what a step added to or changed in a project.
DUMP_VARIABLES = r"""
function(dump_variables file)
  get_cmake_property(names VARIABLES)
  get_cmake_property(cached CACHE_VARIABLES)
  set(json "{}")
  foreach(name IN LISTS names)
    if(NOT name IN_LIST cached AND NOT name MATCHES "^(ARG[VCN]|CMAKE_CURRENT_FUNCTION|CMAKE_CURRENT_LIST_LINE$|(names|cached|json|name|file|value)$)")
      set(value "${${name}}")
      string(REPLACE "\\" "\\\\" value "${value}")
      string(REPLACE "\"" "\\\"" value "${value}")
      string(REPLACE "\n" "\\n" value "${value}")
      string(REPLACE "\t" "\\t" value "${value}")
      string(REPLACE "\r" "\\r" value "${value}")
      string(JSON json SET "${json}" "${name}" "\"${value}\"")
    endif()
  endforeach()
  file(WRITE "${file}" "${json}")
endfunction()
"""


def verdicts(build_dir):
    with open(os.path.join(build_dir, "wyn-report", "summary.json")) as f:
        return {t["name"]: t["status"] for t in json.load(f)["tests"]}


def ctest_names(build_dir):
    proc = run([CTEST, "--test-dir", build_dir, "--show-only=json-v1"], check=True)
    return sorted(t["name"] for t in json.loads(proc.stdout)["tests"])


def load(path):
    with open(path) as f:
        return json.load(f)


def install_tree(prefix):
    """The files under an installed prefix, relative to it."""
    files = set()
    for dirpath, _, filenames in os.walk(prefix):
        for name in filenames:
            files.add(os.path.relpath(os.path.join(dirpath, name), prefix))
    return files


# wyn-ctest's top-level build these tests run from (build-selftest), whose
# tools are TOOLS: `cmake --install` of it installs the package.
TOP_BUILD = os.environ.get("WYN_TOP_BUILD_DIR", "")
# Every `cmake --install` and `cpack` of TOP_BUILD writes its manifests and
# staging files there: one at a time.
INSTALL_LOCK = ["top-level-install"]


def top_build_or_skip():
    if not TOP_BUILD or not os.path.exists(os.path.join(TOP_BUILD, "cmake_install.cmake")):
        raise unittest.SkipTest("WYN_TOP_BUILD_DIR is not a build of wyn-ctest: run through ctest")
    if os.path.realpath(os.path.join(TOP_BUILD, "wyn-tools")) != os.path.realpath(TOOLS):
        raise unittest.SkipTest(f"{TOP_BUILD} uses the prebuilt tools {TOOLS}: it installs nothing")
    return TOP_BUILD


def cache_value(build_dir, name):
    with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
        found = re.search(rf"^{name}:[A-Z]+=(.*)$", f.read(), re.M)
    return found.group(1) if found else None


def one_line(output):
    """Output with its white space runs as single blanks: CMake wraps messages."""
    return " ".join(output.split())


class InstalledPackage(unittest.TestCase):
    """`cmake --install` of wyn-ctest's top-level build, then a separate
    project using the package."""

    @classmethod
    @ctest_properties(resource_lock=INSTALL_LOCK)
    def setUpClass(cls):
        cls.ws = Workspace(cls)
        cls.top = top_build_or_skip()
        cls.prefix = os.path.join(cls.ws.root, "prefix")
        run([CMAKE, "--install", cls.top, "--prefix", cls.prefix], check=True)
        with open(os.path.join(cls.top, "install_manifest.txt")) as f:
            cls.manifest = f.read().split()
        cls.standin = os.path.join(cls.prefix, "libexec", "wyn-ctest", "standin", "build", "wyn")

    def config_dir(self):
        found = glob.glob(os.path.join(self.prefix, "lib*", "**", "WynCTestConfig.cmake"), recursive=True)
        self.assertEqual(len(found), 1, found)
        return os.path.dirname(found[0])

    def test_the_prefix_holds_the_tools_the_stand_in_and_the_package(self):
        tools = os.path.join(self.prefix, "libexec", "wyn-ctest")
        for tool in ("wyn-gen", "wyn-compile", "wyn-launch", "wyn-cache", "wyn-cc", "wyn-report"):
            self.assertTrue(os.access(os.path.join(tools, "bin", tool), os.X_OK), tool)
        for path in ("standin/build/wyn", "standin/build/runtime/libwyn_rt.a", "standin/build/runtime/wyn_rt.h",
                     "standin/legacy/wyn", "standin/legacy/src/wyn_io.c", "process-backend.txt"):
            self.assertTrue(os.path.exists(os.path.join(tools, path)), path)
        config = self.config_dir()
        for name in ("WynCTestConfig.cmake", "WynCTestConfigVersion.cmake", "WynTests.cmake"):
            self.assertTrue(os.path.exists(os.path.join(config, name)), name)
        # The top-level manifest lists the tool tree's files too (for uninstalling).
        self.assertEqual({os.path.relpath(path, self.prefix) for path in self.manifest}, install_tree(self.prefix))

    @ctest_properties(resource_lock=INSTALL_LOCK)
    def test_prefix_overrides_the_configured_prefix_and_destdir_goes_before_either(self):
        configured = cache_value(self.top, "CMAKE_INSTALL_PREFIX")
        # The top-level prefix reaches the tool tree, whose install rules run.
        self.assertEqual(cache_value(os.path.join(self.top, "wyn-tools"), "CMAKE_INSTALL_PREFIX"), configured)
        expected = install_tree(self.prefix)
        self.assertGreater(len(expected), 15)
        # No --prefix: the configured one, below DESTDIR. (The selftest preset
        # configures one of its own, so that the tool tree's default,
        # /usr/local, would show.)
        staged = os.path.join(self.ws.root, "staged")
        run([CMAKE, "--install", self.top], env={"DESTDIR": staged}, check=True)
        self.assertEqual(install_tree(staged), {os.path.join(configured.lstrip("/"), f) for f in expected})
        # --prefix wins over the configured prefix, DESTDIR still goes first.
        staged = os.path.join(self.ws.root, "staged-prefix")
        run([CMAKE, "--install", self.top, "--prefix", "/opt/elsewhere"], env={"DESTDIR": staged}, check=True)
        self.assertEqual(install_tree(staged), {os.path.join("opt", "elsewhere", f) for f in expected})
        # A component the package has not: nothing, as CMake does.
        empty = os.path.join(self.ws.root, "component")
        run([CMAKE, "--install", self.top, "--prefix", empty, "--component", "nothing"], check=True)
        self.assertEqual(install_tree(empty), set())

    def test_without_a_compiler_configuring_fails_saying_how_to_name_one(self):
        ws = Workspace(self)
        ws.suite("project/tests", SUITE)
        ws.write("project/CMakeLists.txt", """
            cmake_minimum_required(VERSION 3.25)
            project(consumer NONE)
            enable_testing()
            find_package(WynCTest 0.2 CONFIG REQUIRED)
            wyn_add_tests(DIRECTORY tests)
            """)
        source = os.path.join(ws.root, "src", "project")
        proc = run([CMAKE, "-S", source, "-B", ws.build_dir, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={self.prefix}"])
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        message = one_line(proc.stdout)
        self.assertIn("wyn_add_tests: the suite 'tests' has no Wyn compiler: neither its COMPILER argument "
                      "nor WYN_COMPILER names one", message)
        for way in ("-DWYN_COMPILER=/path/to/wyn on the cmake command line",
                    "wyn_add_tests(... COMPILER /path/to/wyn) in CMakeLists.txt: this suite",
                    "set(WYN_COMPILER /path/to/wyn) in CMakeLists.txt: the suites after it",
                    'set(WYN_COMPILER /path/to/wyn CACHE FILEPATH "The Wyn compiler") the same, as a default '
                    "-D overrides",
                    "set(... CACHE ...) never replaces an existing cache entry, even an empty one",
                    'set(WYN_COMPILER /path/to/wyn CACHE FILEPATH "" FORCE)'):
            self.assertIn(way, message)
        self.assertNotIn("standin", proc.stdout)  # not the test double, silently or otherwise
        self.assertFalse(os.path.exists(os.path.join(ws.build_dir, "build.ninja")))
        # An empty cache entry (-DWYN_COMPILER=) is named as what swallows a set(CACHE).
        proc = run([CMAKE, "-S", source, "-B", ws.build_dir, "-G", "Ninja", f"-DCMAKE_PREFIX_PATH={self.prefix}",
                    "-DWYN_COMPILER="])
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("WYN_COMPILER is in the cache, empty", one_line(proc.stdout))

    def test_find_package_then_wyn_add_tests_uses_the_installed_tools_and_builds_none(self):
        ws = Workspace(self)
        ws.suite("project/tests", SUITE)
        ws.suite("project/more/tests", {"ok.wyn": SUITE["ok.wyn"]})
        # The module included twice (find_package, then include() in a
        # subdirectory) and used from two directories; what it adds to the
        # includer's scope is dumped before and after.
        ws.write("project/CMakeLists.txt", """
            cmake_minimum_required(VERSION 3.20)
            project(consumer NONE)
            enable_testing()
            """ + DUMP_VARIABLES + """
            dump_variables("${CMAKE_BINARY_DIR}/before.json")
            find_package(WynCTest 0.2 CONFIG REQUIRED)
            wyn_add_tests(DIRECTORY tests)
            dump_variables("${CMAKE_BINARY_DIR}/after.json")
            cmake_policy(GET CMP0126 cmp0126)
            message(STATUS "consumer: CMP0126=[${cmp0126}]")
            add_subdirectory(more)
            """)
        ws.write("project/more/CMakeLists.txt", """
            find_package(WynCTest 0.2 CONFIG REQUIRED)
            include("${WynCTest_DIR}/WynTests.cmake")
            wyn_add_tests(DIRECTORY tests NAME more)
            """)
        build = ws.build_dir
        started = time.monotonic()
        proc = run([CMAKE, "-S", os.path.join(ws.root, "src", "project"), "-B", build, "-G", "Ninja",
                    f"-DCMAKE_PREFIX_PATH={self.prefix}", f"-DWYN_COMPILE_CACHE_DIR={ws.cache_dir}",
                    f"-DWYN_COMPILER={self.standin}"], check=True)
        seconds = time.monotonic() - started
        print(f"configure with the installed package: {seconds:.2f} s")
        self.assertLess(seconds, 5.0, proc.stdout)
        # No tool was built: no tool tree, no tool build announced, and the
        # registration runs the installed launcher.
        self.assertNotIn("building the wyn-ctest tools", proc.stdout)
        self.assertFalse(os.path.exists(os.path.join(build, "wyn-tools")))
        self.assertIn("consumer: CMP0126=[]", proc.stdout)

        before, after = load(os.path.join(build, "before.json")), load(os.path.join(build, "after.json"))
        added = {k for k in after if k not in before}
        self.assertEqual({k for k in added if not k.startswith("WynCTest_")}, set(), added)
        changed = {k for k in before if k in after and before[k] != after[k]}
        self.assertEqual(changed, set())
        self.assertEqual(after["CMAKE_MINIMUM_REQUIRED_VERSION"], "3.20")

        run([CMAKE, "--build", build], check=True)
        proc = run([CTEST, "--test-dir", build, "-j2"])
        self.assertNotEqual(proc.returncode, 0, proc.stdout)  # tests/wrong fails
        self.assertIn("wyn-ctest summary:", proc.stdout)
        self.assertEqual(verdicts(build), {"tests/ok": "passed", "tests/wrong": "failed",
                                           "tests/later": "skipped", "more/ok": "passed"})
        launcher = os.path.join(self.prefix, "libexec", "wyn-ctest", "bin", "wyn-launch")
        registrations = glob.glob(os.path.join(build, "wyn", "*", "ctest-tests.cmake"))
        self.assertEqual(len(registrations), 2)
        for path in registrations:
            with open(path) as f:
                self.assertIn(launcher, f.read())

    def test_the_version_file_refuses_another_minor_version(self):
        ws = Workspace(self)
        ws.write("project/CMakeLists.txt", """
            cmake_minimum_required(VERSION 3.25)
            project(consumer NONE)
            find_package(WynCTest 0.1 CONFIG REQUIRED)
            """)
        proc = run([CMAKE, "-S", os.path.join(ws.root, "src", "project"), "-B", ws.build_dir, "-G", "Ninja",
                    f"-DCMAKE_PREFIX_PATH={self.prefix}"])
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("0.2.0", proc.stdout)

    @unittest.skipIf(shutil.which("dpkg-deb") is None, "dpkg-deb is not installed")
    @ctest_properties(resource_lock=INSTALL_LOCK)
    def test_cpack_makes_a_deb_installing_the_same_files(self):
        out = os.path.join(self.ws.root, "packages")
        run([CPACK, "-G", "DEB", "-B", out], cwd=self.top, check=True)
        debs = glob.glob(os.path.join(out, "*.deb"))
        self.assertEqual(len(debs), 1, os.listdir(out))
        listing = run(["dpkg-deb", "-c", debs[0]], check=True).stdout
        for path in ("/usr/libexec/wyn-ctest/bin/wyn-gen", "/usr/libexec/wyn-ctest/bin/wyn-launch",
                     "/usr/libexec/wyn-ctest/bin/wyn-report", "/usr/libexec/wyn-ctest/standin/build/wyn",
                     "/WynCTest/WynTests.cmake", "/WynCTest/WynCTestConfig.cmake",
                     "/WynCTest/WynCTestConfigVersion.cmake"):
            self.assertIn(path, listing)
        self.assertEqual(run(["dpkg-deb", "-f", debs[0], "Version"], check=True).stdout.strip(), "0.2.0")
        unpacked = os.path.join(self.ws.root, "unpacked")
        run(["dpkg-deb", "-x", debs[0], unpacked], check=True)
        self.assertEqual(install_tree(os.path.join(unpacked, "usr")), install_tree(self.prefix))


class FetchContentClone(unittest.TestCase):
    """FetchContent of a clone: the tools are targets of the parent's build."""

    @ctest_properties(processors=2, timeout=1200)  # builds the tools: 4-5 min under load seen
    def test_the_tools_are_built_by_the_parent_build_which_is_otherwise_untouched(self):
        ws = Workspace(self)
        if not os.path.exists(os.path.join(REPO, ".git")):
            self.skipTest(f"{REPO} is not a git checkout: nothing to clone")
        clone = os.path.join(ws.root, "clone")
        run(["git", "clone", "--quiet", REPO, clone], check=True)
        commit = run(["git", "-C", clone, "rev-parse", "HEAD"], check=True).stdout.strip()
        ws.suite("parent/tests", SUITE)
        parent = """
            cmake_minimum_required(VERSION 3.25)
            project(parent NONE)
            """ + DUMP_VARIABLES + f"""
            set(PARENT_SETTING "kept")
            enable_testing()
            include(FetchContent)
            dump_variables("${{CMAKE_BINARY_DIR}}/before.json")
            FetchContent_Declare(wyn_ctest GIT_REPOSITORY "{clone}" GIT_TAG {commit})
            FetchContent_MakeAvailable(wyn_ctest)
            add_test(NAME parent_plain COMMAND "${{CMAKE_COMMAND}}" -E true)
            wyn_add_tests(DIRECTORY tests NAME mine COMPILER "{BUILD_WYN}")
            dump_variables("${{CMAKE_BINARY_DIR}}/after.json")
            message(STATUS "parent: CMAKE_BUILD_TYPE=[${{CMAKE_BUILD_TYPE}}]")
            """
        # Without COMPILER the parent's own configure step fails, before any
        # tool exists: the stand-in is no default here.
        ws.write("parent/CMakeLists.txt", parent.replace(f' COMPILER "{BUILD_WYN}"', ""))
        build = ws.build_dir
        configure = [CMAKE, "-S", os.path.join(ws.root, "src", "parent"), "-B", build, "-G", "Ninja",
                     "-DCMAKE_BUILD_TYPE=Debug", f"-DWYN_COMPILE_CACHE_DIR={ws.cache_dir}"]
        proc = run(configure)
        self.assertNotEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("wyn_add_tests: the suite 'mine' has no Wyn compiler", one_line(proc.stdout))
        ws.write("parent/CMakeLists.txt", parent)
        proc = run(configure, check=True)
        # The compiler exists already, so it is described now.
        self.assertIn(f"-- wyn: suite mine: {BUILD_WYN} (Wyn v1.20.0 - compiled language: wyn-ctest stand-in; "
                      "build command line)\n", proc.stdout)
        self.assertNotIn("building the wyn-ctest tools", proc.stdout)
        self.assertFalse(os.path.exists(os.path.join(build, "wyn-tools")))
        wyn_gen = os.path.join(build, "_deps", "wyn_ctest-build", "generator", "bin", "wyn-gen")
        self.assertFalse(os.path.exists(wyn_gen))

        before, after = load(os.path.join(build, "before.json")), load(os.path.join(build, "after.json"))
        added = {k for k in after if k not in before}
        # FetchContent's own results and internals, and nothing of wyn-ctest's.
        self.assertEqual({k for k in added if not k.startswith(("wyn_ctest_", "__cmake_"))}, set(), added)
        self.assertEqual({k for k in before if k in after and before[k] != after[k]}, set())
        self.assertIn("parent: CMAKE_BUILD_TYPE=[Debug]", proc.stdout)
        self.assertEqual(after["PARENT_SETTING"], "kept")
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            self.assertIn("CMAKE_BUILD_TYPE:STRING=Debug\n", f.read())
        # Before the first build the suite is a placeholder; none of
        # wyn-ctest's own suites (examples, errors, the gate) is registered.
        self.assertEqual(ctest_names(build), ["mine/NOT_BUILT", "parent_plain"])

        targets = run([CMAKE, "--build", build, "--target", "help"], check=True).stdout
        for target in ("wyn-gen", "wyn-compile", "wyn-launch", "wyn-report", "wyn_suites"):
            self.assertIn(target + ":", targets)
        run([CMAKE, "--build", build, "-j2"], check=True, timeout=1800)
        self.assertTrue(os.path.exists(wyn_gen))
        self.assertEqual(ctest_names(build), ["mine/later", "mine/ok", "mine/wrong", "parent_plain"])
        proc = run([CTEST, "--test-dir", build, "-j2"])
        self.assertIn("wyn-ctest summary:", proc.stdout)
        self.assertEqual(verdicts(build), {"mine/ok": "passed", "mine/wrong": "failed", "mine/later": "skipped"})
        # A no-op build stays one: nothing is compiled again.
        noop = run([CMAKE, "--build", build], check=True).stdout
        self.assertNotIn("Compiling Wyn test", noop)


class PrebuiltTools(unittest.TestCase):
    def test_installing_a_build_with_prebuilt_tools_installs_nothing_and_says_so(self):
        ws = Workspace(self)
        suite = ws.suite("s", {"ok.wyn": SUITE["ok.wyn"]})
        ws.configure([suite])  # WYN_TOOLS_DIR: the tools of the self-test build
        prefix = os.path.join(ws.root, "prefix")
        proc = run([CMAKE, "--install", ws.build_dir, "--prefix", prefix], check=True)
        self.assertIn(f"wyn-ctest: nothing installed: this build uses the prebuilt tools of WYN_TOOLS_DIR "
                      f"({TOOLS})", proc.stdout)
        self.assertEqual(install_tree(prefix), set())


# A project of its own using the module from the checkout (the third way),
# with the tools of the self-test build.
MODULE_PROJECT = """
    cmake_minimum_required(VERSION 3.25)
    project(consumer NONE)
    list(APPEND CMAKE_MODULE_PATH "{repo}/cmake")
    include(WynTests)
    enable_testing()
    {body}
    """


def compiler_lines(output):
    """The configure lines naming a suite's compiler (not wyn-gen's account
    of the suite, `-- wyn: suite 'name' (dir): N tests`)."""
    return [line for line in output.splitlines() if re.match(r"-- wyn: suite [^' ]+: ", line)]


class CompilerChoice(unittest.TestCase):
    """Which compiler a suite of another project uses, and what configure says of it."""

    def configure(self, ws, body, *definitions):
        ws.write("project/CMakeLists.txt", MODULE_PROJECT.format(repo=REPO, body=body))
        return run([CMAKE, "-S", os.path.join(ws.root, "src", "project"), "-B", ws.build_dir, "-G", "Ninja",
                    f"-DWYN_TOOLS_DIR={TOOLS}", f"-DWYN_COMPILE_CACHE_DIR={ws.cache_dir}", *definitions])

    def suite_compiler(self, ws, name):
        for path in glob.glob(os.path.join(ws.build_dir, "wyn", "*", "suite.json")):
            config = load(path)
            if config["name"] == name:
                return config["compiler"]
        raise AssertionError(f"no suite {name}")

    def test_a_cache_default_set_after_include_is_used_and_d_overrides_it(self):
        ws = Workspace(self)
        ws.suite("project/tests", SUITE)
        body = f'set(WYN_COMPILER "{BUILD_WYN}" CACHE FILEPATH "The Wyn compiler")\n' \
               "    wyn_add_tests(DIRECTORY tests)"
        proc = self.configure(ws, body)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(self.suite_compiler(ws, "tests"), BUILD_WYN)
        self.assertEqual(cache_value(ws.build_dir, "WYN_COMPILER"), BUILD_WYN)
        self.assertIn(f"-- wyn: suite tests: {BUILD_WYN} (", proc.stdout)
        # The entry exists now: the same line leaves it, and -D replaces it.
        proc = self.configure(ws, body, f"-DWYN_COMPILER={LEGACY_WYN}")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertEqual(self.suite_compiler(ws, "tests"), LEGACY_WYN)
        self.assertIn(f"-- wyn: suite tests: {LEGACY_WYN} (Wyn v1.6.0 (LLVM backend) [wyn-ctest stand-in]; "
                      "legacy command line)\n", proc.stdout)
        ws.build()
        self.assertNotEqual(ws.ctest("-j2").returncode, 0)  # tests/wrong fails
        self.assertEqual(ws.verdicts(), {"tests/ok": "passed", "tests/wrong": "failed", "tests/later": "skipped"})

    def test_configure_names_each_suites_compiler_version_and_command_line_once(self):
        ws = Workspace(self)
        ws.suite("project/a", {"ok.wyn": SUITE["ok.wyn"]})
        ws.suite("project/b", {"ok.wyn": SUITE["ok.wyn"]})
        ws.suite("project/c", {"ok.wyn": SUITE["ok.wyn"]})
        ws.write("project/checks/run_x_test.sh", "echo '  ok    x'\n")
        # One suite per way of naming the compiler and its command line.
        body = f"""
            set(WYN_COMPILER "{BUILD_WYN}")
            wyn_add_tests(DIRECTORY a)
            wyn_add_tests(DIRECTORY b COMPILER "{LEGACY_WYN}")
            wyn_add_tests(DIRECTORY c COMPILER "{LEGACY_WYN}" COMPILER_STYLE legacy)
            wyn_add_script_tests(GLOB checks/*.sh)
            """
        proc = self.configure(ws, body)
        self.assertEqual(proc.returncode, 0, proc.stdout)
        lines = compiler_lines(proc.stdout)
        build = "Wyn v1.20.0 - compiled language: wyn-ctest stand-in"  # without the ANSI escapes
        legacy = "Wyn v1.6.0 (LLVM backend) [wyn-ctest stand-in]"
        self.assertEqual(lines, [
            f"-- wyn: suite a: {BUILD_WYN} ({build}; build command line)",
            f"-- wyn: suite b: {LEGACY_WYN} ({legacy}; legacy command line)",
            f"-- wyn: suite c: {LEGACY_WYN} ({legacy}; legacy command line (COMPILER_STYLE))",
            f"-- wyn: suite checks: {BUILD_WYN} ({build}; build command line)",
        ])
        self.assertNotIn("\x1b", proc.stdout)
        # Again, as after an edit: the same lines, once each.
        again = self.configure(ws, body)
        self.assertEqual(compiler_lines(again.stdout), lines)

    def test_a_compiler_that_is_not_there_or_has_no_version_is_named(self):
        ws = Workspace(self)
        ws.suite("project/tests", {"ok.wyn": SUITE["ok.wyn"]})
        proc = self.configure(ws, 'wyn_add_tests(DIRECTORY tests COMPILER "/nonexistent/wyn")')
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("the compiler /nonexistent/wyn does not exist", proc.stdout)
        silent = ws.write("silent-wyn", "#!/bin/sh\nexit 3\n")
        os.chmod(silent, 0o755)
        proc = self.configure(ws, f'wyn_add_tests(DIRECTORY tests COMPILER "{silent}")')
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn(f"cannot tell the command line of {silent} from its --version output ('', exit 3)",
                      one_line(proc.stdout))
        proc = self.configure(ws, f'wyn_add_tests(DIRECTORY tests COMPILER "{silent}" COMPILER_STYLE build)')
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn(f"-- wyn: suite tests: {silent} (--version failed: 3; build command line (COMPILER_STYLE))\n",
                      proc.stdout)


if __name__ == "__main__":
    unittest.main()
