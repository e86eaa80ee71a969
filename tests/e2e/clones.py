"""Clones of one small Wyn project at different paths, for the tests of
location-independent cache keys and of the remote cache: each clone carries
its own copy of the compiler (inside the checkout) and a counting `cc` on its
PATH, and is built in a build directory of its own."""

import os
import shutil
import textwrap

from wyn_e2e import BUILD_WYN, CMAKE, CTEST, REPO, TOOLS, run

HELLO = '// EXPECT: {text}\nfn main() -> int {{\n    println("{text}")\n    return 0\n}}\n'
FILES = {
    "a.wyn": HELLO.format(text="alpha"),
    "b.wyn": HELLO.format(text="beta"),
    "greeting.wyn": 'fn greet() {\n    println("from the module")\n}\n',
    "uses.wyn": ('// EXPECT: from the module\nimport { greet } from greeting\nfn main() -> int {\n'
                 '    greet()\n    return 0\n}\n'),
    "broken.wyn": '// EXPECT_ERROR: frobnicate\nfn main() -> int {\n    frobnicate()\n}\n',
    "wrong.wyn": '// EXPECT: right\nfn main() -> int {\n    println("wrong")\n    return 0\n}\n',
}
VERDICTS = {"t/a": "passed", "t/b": "passed", "t/uses": "passed", "t/broken": "passed",
            "t/wrong": "failed"}
WYN_COMPILES = 5  # every file but the module

# The same bytes in every clone (ccache checks the compiler by content): it
# logs beside itself.
COUNTING_CC = """#!/bin/sh
printf '%s\\n' "$*" >> "$(dirname "$0")/runs.log"
exec {real} "$@"
"""
# The Wyn compiler launcher: counts, and stops the process named in
# <root>/stop-on-compile (the remote cache server "dying mid-way").
COUNTING_WYN = """#!/bin/sh
printf '%s\\n' "$PWD" >> "{log}"
if [ -f "{stop}" ]; then kill $(cat "{stop}") 2>/dev/null; rm -f "{stop}"; fi
exec "$@"
"""


class Clone:
    """<root>/<relative>: the project; <root>/<relative>-build: its build directory."""

    def __init__(self, root, relative, cache_dir):
        self.src = os.path.join(root, relative)
        self.build_dir = self.src + "-build"
        self.cache_dir = cache_dir
        self.wyn_log = os.path.join(root, relative.replace("/", "_") + "-wyn.log")
        self.cc_log = os.path.join(self.src, "ccbin", "runs.log")
        self.stop_file = os.path.join(root, "stop-on-compile")
        # The compiler and its runtime, inside the checkout as a Wyn checkout has them.
        shutil.copytree(os.path.dirname(BUILD_WYN), os.path.join(self.src, "tools"), symlinks=True)
        os.makedirs(os.path.join(self.src, "tests"))
        for name, text in FILES.items():
            with open(os.path.join(self.src, "tests", name), "w") as f:
                f.write(text)
        self._script(os.path.join(self.src, "count-wyn.sh"),
                     COUNTING_WYN.format(log=self.wyn_log, stop=self.stop_file))
        # A `cc` of the checkout's own, first on PATH: counts C compiler runs.
        self._script(os.path.join(self.src, "ccbin", "cc"), COUNTING_CC.format(real=shutil.which("cc")))
        with open(os.path.join(self.src, "CMakeLists.txt"), "w") as f:
            f.write(textwrap.dedent(f"""\
                cmake_minimum_required(VERSION 3.25)
                project(clone NONE)
                list(APPEND CMAKE_MODULE_PATH "{REPO}/cmake")
                include(WynTests)
                enable_testing()
                wyn_add_tests(DIRECTORY tests NAME t COMPILER tools/wyn)
                """))

    @staticmethod
    def _script(path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)

    def env(self):
        return {"PATH": os.path.join(self.src, "ccbin") + ":" + os.environ["PATH"]}

    def configure(self, *definitions, env=None):
        merged = self.env()
        merged.update(env or {})
        return run([CMAKE, "-S", self.src, "-B", self.build_dir, "-G", "Ninja",
                    f"-DWYN_TOOLS_DIR={TOOLS}", f"-DWYN_COMPILE_CACHE_DIR={self.cache_dir}",
                    f"-DWYN_COMPILER_LAUNCHER={self.src}/count-wyn.sh", *definitions],
                   env=merged, check=True)

    def build(self, env=None, check=True):
        return run([CMAKE, "--build", self.build_dir], env=env, check=check)

    def ctest(self, env=None):
        return run([CTEST, "--test-dir", self.build_dir, "-j4"], env=env)

    def verdicts(self):
        import json
        with open(os.path.join(self.build_dir, "wyn-report", "summary.json")) as f:
            return {t["name"]: t["status"] for t in json.load(f)["tests"]}

    @staticmethod
    def _count(log):
        if not os.path.exists(log):
            return 0
        with open(log) as f:
            n = len(f.readlines())
        os.remove(log)
        return n

    def wyn_compiles(self):
        """Wyn compiler runs since the last call."""
        return self._count(self.wyn_log)

    def cc_runs(self):
        """C compiler runs (through ccache or not) since the last call."""
        return self._count(self.cc_log)

    def cache_records(self):
        import glob
        import json
        out = {}
        for path in glob.glob(os.path.join(self.build_dir, "wyn", "*", "t", "*", "compile-cache.json")):
            with open(path) as f:
                out[os.path.basename(os.path.dirname(path))] = json.load(f)
        return out

    def full_run(self, env=None, *definitions):
        self.configure(*definitions, env=env)
        self.build(env=env)
        self.ctest(env=env)
        return self.verdicts()


def stats(cache_dir):
    import json
    proc = run([os.path.join(TOOLS, "bin", "wyn-cache"), "stats", "--json", cache_dir], check=True)
    return json.loads(proc.stdout)
