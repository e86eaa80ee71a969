"""Shared machinery of the end-to-end tests: a temporary workspace holding
Wyn suites and a build directory, driven through real cmake/ninja/ctest."""

import json
import os
import re
import shutil
import stat
import subprocess
import tempfile
import textwrap
import unittest

REPO = os.environ.get("WYN_REPO", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
TOOLS = os.environ.get("WYN_TOOLS_DIR", "")
CMAKE = os.environ.get("WYN_CMAKE", "cmake")
CTEST = os.environ.get("WYN_CTEST", "ctest")
LEGACY_WYN = os.path.join(TOOLS, "standin", "legacy", "wyn")


def _process_backend():
    try:
        with open(os.path.join(TOOLS, "process-backend.txt")) as f:
            return f.read().strip()
    except OSError:
        return "linux" if os.uname().sysname == "Linux" else "posix"


# The tools' process backend (WYN_PROCESS_BACKEND): linux or posix.
PROCESS_BACKEND = _process_backend()


def linux_backend_only(interface):
    """Skips a test of a guarantee only the Linux process backend keeps
    (docs/guarantees.md), naming the Linux interface it needs."""
    return unittest.skipIf(PROCESS_BACKEND != "linux",
                           f"needs {interface}: the {PROCESS_BACKEND} process backend has no equivalent")
BUILD_WYN = os.path.join(TOOLS, "standin", "build", "wyn")


def ctest_properties(timeout=None, processors=None, run_serial=None, resource_lock=None):
    """The CTest properties of the CTest test each case becomes
    (tests/e2e/ctest_bridge.py; defaults there: TIMEOUT 300, PROCESSORS 1).
    On a class they apply to its cases and to its setUpClass, on a test
    method to that case, on setUpClass (below @classmethod) to the class
    set-up, which any of the class's cases may run: each of them gets the
    sum of both timeouts, the larger `processors`, `run_serial` if either
    has it and both `resource_lock`s. `processors`: the cores the case keeps busy (a
    ctest -j8 inside, a build of the tools); `run_serial`: the case
    asserts time bounds and must not share the machine; `resource_lock`:
    names of what it cannot share with another case (a server's port)."""
    given = {"timeout": timeout, "processors": processors, "run_serial": run_serial,
             "resource_lock": list(resource_lock) if resource_lock else None}

    def decorate(target):
        merged = dict(getattr(target, "wyn_ctest_properties", {}))
        merged.update({k: v for k, v in given.items() if v is not None})
        target.wyn_ctest_properties = merged
        return target
    return decorate


# The stand-in's codegen tag (generator/standin/README.md).
TAG_MARKER = b"wyn-standin-codegen-tag:"


def set_codegen_tag(binary, tag):
    """Rewrites the stand-in's codegen tag in place: the same compiler with a
    new binary, whose output differs only for files marked `// standin: tagged`."""
    with open(binary, "rb") as f:
        data = bytearray(f.read())
    at = data.find(TAG_MARKER)
    if at < 0 or data.find(TAG_MARKER, at + 1) >= 0:
        raise AssertionError(f"{binary}: the codegen tag is not there exactly once")
    start = at + len(TAG_MARKER)
    end = data.index(b"\0", start)
    data[start:end] = tag.encode().ljust(end - start, b"\0")[: end - start]
    with open(binary, "wb") as f:
        f.write(data)


# A compiler launcher that logs one line per compile: how the tests count
# compiler invocations without trusting the harness's own account.
COUNTER = """#!/bin/sh
printf '%s\\n' "$PWD" >> "{log}"
exec "$@"
"""


def run(cmd, cwd=None, env=None, timeout=600, check=False):
    merged = dict(os.environ)
    if env:
        merged.update(env)
    proc = subprocess.run(cmd, cwd=cwd, env=merged, timeout=timeout, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace")
    if check and proc.returncode != 0:
        raise AssertionError(f"{cmd} exited {proc.returncode}:\n{proc.stdout}")
    return proc


def snapshot(root):
    """Every path below root with its size, mtime and content: to prove a run left it untouched."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            content = None
            if stat.S_ISREG(st.st_mode):
                with open(path, "rb") as f:
                    content = f.read()
            state[os.path.relpath(path, root)] = (st.st_mode, st.st_size, st.st_mtime_ns, content)
    return state


class Workspace:
    """A temporary directory with suites under src/ and a build tree in build/."""

    def __init__(self, test):
        """`test` is a TestCase, or a TestCase class for a workspace shared by its tests."""
        if not TOOLS:
            raise unittest.SkipTest("WYN_TOOLS_DIR is not set: run through ctest")
        self.root = tempfile.mkdtemp(prefix="wyn-e2e-")
        cleanup = test.addClassCleanup if isinstance(test, type) else test.addCleanup
        cleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.build_dir = os.path.join(self.root, "build")
        # Each workspace has a compile cache of its own: tests neither share
        # entries nor touch the user's ~/.cache.
        self.cache_dir = os.path.join(self.root, "cache")
        self.compile_log = os.path.join(self.root, "compiles.log")
        self.counter = os.path.join(self.root, "count-compiles.sh")
        with open(self.counter, "w") as f:
            f.write(COUNTER.format(log=self.compile_log))
        os.chmod(self.counter, 0o755)

    def write(self, relative, text):
        path = os.path.join(self.root, "src", relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text).lstrip("\n"))
        return path

    def suite(self, name, files):
        for relative, text in files.items():
            self.write(os.path.join(name, relative), text)
        return os.path.join(self.root, "src", name)

    def configure(self, dirs, *definitions, check=True, source=REPO, count=True, env=None,
                  tools=TOOLS):
        """tools=None builds the tools inside the build directory, as a user's configure does."""
        cmd = [CMAKE, "-S", source, "-B", self.build_dir, "-G", "Ninja",
               "-DWYN_TEST_DIRS=" + ";".join(dirs)]
        if tools is not None:
            cmd.append(f"-DWYN_TOOLS_DIR={tools}")
        if count:
            cmd.append(f"-DWYN_COMPILER_LAUNCHER={self.counter}")
        cmd.append(f"-DWYN_COMPILE_CACHE_DIR={self.cache_dir}")
        cmd += list(definitions)
        return run(cmd, check=check, env=env)

    def build(self, *args, check=True):
        return run([CMAKE, "--build", self.build_dir, *args], check=check)

    def ctest(self, *args, check=False):
        return run([CTEST, "--test-dir", self.build_dir, *args], check=check)

    def compiles(self):
        """Compiler invocations logged since the last call."""
        if not os.path.exists(self.compile_log):
            return 0
        with open(self.compile_log) as f:
            count = len(f.readlines())
        os.remove(self.compile_log)
        return count

    def compiled_tests(self):
        """The tests the compiler ran for since the last call, by file name
        without the id's hash (the counting launcher logs each compile's stage)."""
        if not os.path.exists(self.compile_log):
            return []
        with open(self.compile_log) as f:
            stages = f.read().split()
        os.remove(self.compile_log)
        return sorted(re.sub(r"-[0-9a-f]{12}$", "", os.path.basename(os.path.dirname(d))) for d in stages)

    def summary(self):
        with open(os.path.join(self.build_dir, "wyn-report", "summary.json")) as f:
            return json.load(f)

    def verdicts(self):
        return {t["name"]: t["status"] for t in self.summary()["tests"]}

    def record(self, name):
        for t in self.summary()["tests"]:
            if t["name"] == name:
                return t
        raise AssertionError(f"no record for {name}; have {sorted(self.verdicts())}")

    def ctest_names(self):
        proc = self.ctest("--show-only=json-v1", check=True)
        return {t["name"]: t for t in json.loads(proc.stdout)["tests"]}

    def full_run(self, dirs, *definitions, jobs=4):
        self.configure(dirs, *definitions)
        self.build()
        return self.ctest(f"-j{jobs}")
