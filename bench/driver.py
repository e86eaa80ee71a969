#!/usr/bin/env python3
"""wyn-ctest benchmark: this layer against the reference shell runner, and a
whole Makefile gate against its steps, side by side, in one run. See
bench/README.md for the scenarios and the table.

    bench/run [--quick] [--jobs N] [--tools DIR] [--work DIR] [--out FILE] [--only PARTS]
              [--scenarios ROWS] [--gate-size F] [--keep]
"""

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
sys.dont_write_bytecode = True

import gen_gate  # noqa: E402
import gen_suite  # noqa: E402
import report  # noqa: E402

sys.path.insert(0, os.path.join(REPO, "tests", "e2e"))
import webdav_server  # noqa: E402

# The measured cost split of one compile, per real compiler generation
# (contract file), in CPU seconds. The front end is the stand-in's own work,
# made up to the target with WYN_STANDIN_CPU_MS; the toolchain is the C
# compiler it runs: legacy, `clang -o T.out T.o $WYN_ROOT/src/*.c -lm` over
# 28 runtime sources (the stand-in's own plus generated padding sources);
# build, one `cc ... T.wyn.c libwyn_rt.a`, made heavy with
# WYN_STANDIN_C_WEIGHT. Both are calibrated at start. The standin profile
# is the stand-in's natural cost.
PROFILES = {
    "legacy": {"style": "legacy", "front_end_s": 0.2, "toolchain_s": 3.0, "runtime_sources": 28},
    "build": {"style": "build", "front_end_s": 0.02, "toolchain_s": 0.89},
    "standin": {"style": "build"},
}

# Repetitions of each scenario per (profile, N) chain. Expensive cold runs at
# legacy cost are repeated least: 200 x 3.2 s of CPU on 2 cores is 5 minutes,
# for the baseline and for a cold run without the toolchain cache alike.
PLANS = {
    "full": {
        "chains": [
            {"profile": "legacy", "n": 200, "cold": 1, "cold_no_toolchain_cache": 1, "noop": 3,
             "edit_one": 2, "compiler_changed": 2, "compiler_changed_result_cache": 1,
             "runtime_source_changed": 1, "fresh_clone_remote_warm": 2, "remote_down": 1},
            {"profile": "build", "n": 200, "cold": 1, "cold_no_toolchain_cache": 1, "noop": 3,
             "edit_one": 2, "compiler_changed": 2, "compiler_changed_result_cache": 2,
             "fresh_clone_remote_warm": 2, "remote_down": 1},
            {"profile": "standin", "n": 200, "cold": 2, "cold_warm_cache": 2, "noop": 5,
             "edit_one": 3, "touch_all": 2, "compiler_changed": 1},
        ],
        "scale": {"ns": [200, 2000, 10000], "period": 100, "configure": 3, "noop_build": 5,
                  "ctest_list": 5, "noop": {2000: 3}},
        "launcher": 300,
        # The whole merge gate at the real one's counts (--gate-size scales them).
        "gate": {"size": 1.0, "cold": 1, "compiler_changed": 2, "compiler_changed_codegen": 2},
        "tools_build": 2,
    },
    "quick": {
        "chains": [
            {"profile": "legacy", "n": 4, "cold": 1, "cold_no_toolchain_cache": 1, "noop": 2,
             "edit_one": 1, "compiler_changed": 1, "compiler_changed_result_cache": 1,
             "runtime_source_changed": 1},
            {"profile": "build", "n": 6, "cold": 1, "cold_no_toolchain_cache": 1, "noop": 2,
             "edit_one": 1, "compiler_changed": 1, "compiler_changed_result_cache": 1,
             "fresh_clone_remote_warm": 1, "remote_down": 1},
            {"profile": "standin", "n": 20, "cold": 1, "cold_warm_cache": 1, "noop": 3,
             "edit_one": 2, "touch_all": 1, "compiler_changed": 1},
        ],
        # Period 20 over-represents the rare kinds (5 % slow tests): no no-op run here.
        "scale": {"ns": [100, 300], "period": 20, "configure": 2, "noop_build": 3,
                  "ctest_list": 3, "noop": {}},
        "launcher": 50,
        # Every kind of step, one or two of each (gen_gate.QUICK).
        "gate": {"quick": True, "cold": 1, "compiler_changed": 1, "compiler_changed_codegen": 1},
        # Not a default part of --quick (a build from scratch is most of a
        # minute of two cores): `--quick --only tools` runs it once.
        "tools_build": 1,
    },
}

# Appends one line per compile to compiles.log and the compiler's CPU time
# (descendants included) to cpu.log: how compiles are counted without
# trusting the harness's own account. The baseline wraps its compiles in the
# same GNU time, so both sides pay the same few milliseconds.
COUNTER = """#!/bin/sh
printf '%s\\n' "$PWD" >> '{log}'
exec /usr/bin/time -q -a -o '{cpu}' -f 'compile %U %S' "$@"
"""
# The scale rows need only the count.
COUNTER_ONLY = """#!/bin/sh
printf '%s\\n' "$PWD" >> '{log}'
exec "$@"
"""


class BenchError(Exception):
    pass


# One function of a padding runtime source; its constants vary with the
# index so that no two functions are the same code.
PADDING_FUNCTION = """long wyn_pad{file:02d}_{i}(long x, long y) {{
  long a = x * {m} + y, b = y ^ {i};
  for (int i = 0; i < {loop}; ++i) {{
    a = a * 31 + (b >> {k});
    if (a & 1) b += i * {k}; else b -= a / (i + 1);
  }}
  switch ((a ^ b) & 7) {{
    case 0: a += {i}; break;
    case 1: b -= a; break;
    case 2: a ^= b << 2; break;
    case 3: b = a % (b | 1); break;
    default: a = b - a;
  }}
  return a + b * {k};
}}
"""


def write_padding(src, files, functions):
    """`files` padding runtime sources wyn_pad01.c ... in `src`, `functions` functions
    each: with them the legacy link costs what the real 28 runtime sources do."""
    os.makedirs(src, exist_ok=True)
    for n in range(1, files + 1):
        with open(os.path.join(src, f"wyn_pad{n:02d}.c"), "w") as f:
            f.write(f"/* Padding runtime source {n}: the compile cost of the real Wyn runtime. */\n")
            for i in range(functions):
                f.write(PADDING_FUNCTION.format(file=n, i=i, m=2 * i + 3, loop=i % 13 + 4, k=i % 7 + 1))


CODEGEN_TAG_MARKER = b"wyn-standin-codegen-tag:"
CODEGEN_TAG_SIZE = 64  # the whole array, marker included (generator/standin/toolchain.cpp)


def set_codegen_tag(path, tag):
    """Replaces the stand-in binary at `path` by a copy with another codegen tag: "a
    rebuilt compiler" whose output differs for the `// standin: tagged` tests only."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    at = data.find(CODEGEN_TAG_MARKER)
    if at < 0 or data.find(CODEGEN_TAG_MARKER, at + 1) >= 0:
        raise BenchError(f"{path}: no single codegen tag marker")
    room = CODEGEN_TAG_SIZE - len(CODEGEN_TAG_MARKER)
    payload = tag.encode()
    if len(payload) >= room:
        raise BenchError(f"codegen tag '{tag}' is too long")
    start = at + len(CODEGEN_TAG_MARKER)
    data[start:start + room] = payload + b"\0" * (room - len(payload))
    new = path + ".new"
    with open(new, "wb") as f:
        f.write(data)
    os.chmod(new, 0o755)
    os.replace(new, path)


def median(values):
    return statistics.median(values) if values else None


# NEW_PATHS: every timed step that starts from nothing gets a new path, and
# no scratch tree is deleted before the run ends (all of them live under the
# scratch directory, removed last). Where the file system discards freed
# blocks online (`discard` in the mount options, as on the machines this was
# written on), every large deletion makes later file creation slower, and
# more so with each (creating 10,000 directories, each after deleting the
# last set: 1.6 s, 4.8 s, 8.8 s, 12.1 s, 13.2 s; without the deletions 1.4 to
# 1.8 s). A deletion between runs would time the file system's history.


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)


def wyn_files(root):
    for dirpath, _, names in os.walk(root):
        for name in names:
            if name.endswith(".wyn"):
                yield os.path.join(dirpath, name)


class Bench:
    def __init__(self, args):
        self.args = args
        self.plan = PLANS["quick" if args.quick else "full"]
        self.cores = args.jobs or len(os.sched_getaffinity(0))
        self.work = os.path.abspath(args.work)
        self.scratch = os.path.join(self.work, "run")
        self.rows = []
        self.problems = []
        self.profiles = {}
        self.started = time.perf_counter()
        self.log_path = os.path.join(self.scratch, "bench.log")
        self.previous_scratch = None  # an earlier run's, deleted at the end (see NEW_PATHS)

    # -- plumbing ---------------------------------------------------------

    def say(self, text):
        print(f"[{time.perf_counter() - self.started:6.0f} s] {text}", file=sys.stderr, flush=True)

    def run(self, argv, env=None, cwd=None, check=True):
        """Runs argv with its output appended to bench.log; returns the exit status."""
        with open(self.log_path, "a") as log:
            log.write(f"\n$ {' '.join(argv)}\n")
            log.flush()
            rc = subprocess.run(argv, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd,
                                stdin=subprocess.DEVNULL).returncode
        if check and rc != 0:
            raise BenchError(f"{' '.join(argv)} exited {rc}; see {self.log_path}")
        return rc

    def timed(self, steps, env=None):
        """Runs (argv, check) steps one after the other; returns the wall time of all."""
        start = time.perf_counter()
        for argv, check in steps:
            self.run(argv, env=env, check=check)
        return time.perf_counter() - start

    def problem(self, text):
        self.problems.append(text)
        self.say("PROBLEM: " + text)

    # -- setup ------------------------------------------------------------

    def ensure_tools(self):
        if self.args.tools:
            self.tools = os.path.abspath(self.args.tools)
        else:
            self.tools = os.path.join(self.work, "tools")
            self.say(f"building the wyn-ctest tools in {self.tools}")
            self.run(["cmake", "-S", os.path.join(REPO, "generator"), "-B", self.tools, "-G", "Ninja",
                      "-DCMAKE_BUILD_TYPE=Release"])
            self.run(["cmake", "--build", self.tools])
        for tool in ("gen", "compile", "launch", "report"):
            if not os.access(os.path.join(self.tools, "bin", "wyn-" + tool), os.X_OK):
                raise BenchError(f"{self.tools}/bin/wyn-{tool} is missing")
        for style in ("legacy", "build"):
            if not os.access(os.path.join(self.tools, "standin", style, "wyn"), os.X_OK):
                raise BenchError(f"{self.tools}/standin/{style}/wyn is missing")

    def compiler_copy(self, profile, dest):
        """A private copy of the stand-in for `profile` (runtime included; legacy:
        with the profile's padding sources in src/); returns its path."""
        style = PROFILES[profile]["style"]
        rmtree(dest)
        shutil.copytree(os.path.join(self.tools, "standin", style), dest, symlinks=True)
        padding = self.profiles.get(profile, {}).get("padding")
        if padding:
            write_padding(os.path.join(dest, "src"), padding["files"], padding["functions"])
        return os.path.join(dest, "wyn")

    def cpu_of(self, argv, env, cwd, runs=1):
        """Median CPU seconds of `runs` runs of argv, descendants included."""
        samples = []
        for _ in range(runs):
            proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            _, status, usage = os.wait4(proc.pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                raise BenchError(f"calibration command {' '.join(argv)} exited "
                                 f"{os.waitstatus_to_exitcode(status)}")
            samples.append(usage.ru_utime + usage.ru_stime)
        return median(samples)

    def calibrate(self):
        """Measures the stand-in's natural costs and sets each profile's knobs so that
        its front end and its C toolchain cost what the real compiler's do."""
        here = os.path.join(self.scratch, "calibrate")
        os.makedirs(here, exist_ok=True)
        with open(os.path.join(here, "probe.wyn"), "w") as f:
            f.write(gen_suite.edited_text("calibration"))
        legacy = os.path.join(self.tools, "standin", "legacy", "wyn")
        build = os.path.join(self.tools, "standin", "build", "wyn")
        legacy_env = dict(self.env({}), WYN_ROOT=os.path.dirname(legacy))
        # The front ends alone: a C toolchain that does nothing.
        nothing = os.path.join(here, "nothing")
        os.makedirs(nothing)
        with open(os.path.join(nothing, "clang"), "w") as f:
            f.write("#!/bin/sh\nexit 0\n")
        os.chmod(os.path.join(nothing, "clang"), 0o755)
        no_link = dict(legacy_env, PATH=nothing + os.pathsep + legacy_env.get("PATH", ""))
        fe = {"legacy": self.cpu_of([legacy, "probe.wyn"], no_link, here, 3),
              "build": self.cpu_of([build, "build", "probe.wyn", "-o", "probe.bin"],
                                   dict(self.env({}), WYN_CC="true"), here, 3)}
        # The toolchains at their natural cost.
        natural = {"legacy": self.cpu_of([legacy, "probe.wyn"], legacy_env, here, 3) - fe["legacy"],
                   "build": self.cpu_of([build, "build", "probe.wyn", "-o", "probe.bin"],
                                        self.env({}), here, 3) - fe["build"]}
        for name, p in PROFILES.items():
            style = p["style"]
            info = {"style": style, "burn_ms": 0, "front_end_cpu_s": round(fe[style], 3),
                    "natural_cpu_s": round(fe[style] + natural[style], 3)}
            if "front_end_s" in p:
                info["burn_ms"] = max(0, round((p["front_end_s"] - fe[style]) * 1000))
            if p.get("toolchain_s") and style == "build":
                info["weight"] = self.calibrate_weight(build, here, fe[style], natural[style],
                                                       p["toolchain_s"])
            if p.get("toolchain_s") and style == "legacy":
                info["padding"] = self.calibrate_padding(legacy, here, p)
            self.profiles[name] = info
            # The whole compile as the runs will see it, measured once.
            wyn = self.compiler_copy(name, os.path.join(here, f"compiler-{name}"))
            env = self.env(info)
            if style == "legacy":
                env["WYN_ROOT"] = os.path.dirname(wyn)
                argv = [wyn, "probe.wyn"]
            else:
                argv = [wyn, "build", "probe.wyn", "-o", "probe.bin"]
            info["cpu_per_compile_s"] = round(self.cpu_of(argv, env, here), 3)
            self.say(f"profile {name}: front end {fe[style]:.3f} s CPU + {info['burn_ms']} ms burnt, "
                     f"C weight {info.get('weight', 0)}, padding {info.get('padding')}: "
                     f"{info['cpu_per_compile_s']:.2f} s CPU per compile")
        self.profiles["stub"] = {"style": "build", "natural_cpu_s": None, "burn_ms": 0,
                                 "cpu_per_compile_s": None,
                                 "note": "the stand-in memoised by content (bench/memo_wyn.sh), for the "
                                         f"scale rows; their suites repeat every {self.plan['scale']['period']} tests"}
        rmtree(here)

    def calibrate_weight(self, build, here, front_end, natural, target):
        """WYN_STANDIN_C_WEIGHT making the build generation's one C compile cost `target`."""
        probe = 400
        heavy = self.cpu_of([build, "build", "probe.wyn", "-o", "probe.bin"],
                            dict(self.env({}), WYN_STANDIN_C_WEIGHT=str(probe)), here, 3) - front_end
        per_function = max(1e-6, (heavy - natural) / probe)
        return max(0, round((target - natural) / per_function))

    def calibrate_padding(self, legacy, here, profile):
        """Padding sources (how many, how many functions each) that make the legacy
        link over the stand-in's runtime plus them cost profile['toolchain_s'].
        The link itself is timed (`probe.o` is the front end's, left in `here`),
        with 1 and 61 functions per padding source: clang's cost per source and
        per function within one command differ from those of separate compiles."""
        src = os.path.join(os.path.dirname(legacy), "src")
        own = sorted(os.path.join(src, n) for n in os.listdir(src) if n.endswith(".c"))
        files = max(0, profile["runtime_sources"] - len(own))
        if not files:
            return None
        pads = os.path.join(here, "pads")
        cost = {}
        for functions in (1, 61):
            rmtree(pads)
            write_padding(pads, files, functions)
            padding = sorted(os.path.join(pads, n) for n in os.listdir(pads))
            cost[functions] = self.cpu_of(["clang", "-o", "probe.out", "probe.o"] + own + padding + ["-lm"],
                                          self.env({}), here)
        per_function = max(1e-6, (cost[61] - cost[1]) / (60 * files))
        functions = 1 + round((profile["toolchain_s"] - cost[1]) / (files * per_function))
        return {"files": files, "functions": max(1, functions)}

    def env(self, profile_info):
        env = dict(os.environ)
        for knob in ("WYN_STANDIN_CPU_MS", "WYN_STANDIN_C_WEIGHT", "WYN_RESULT_CACHE"):
            env.pop(knob, None)
        if profile_info.get("burn_ms"):
            env["WYN_STANDIN_CPU_MS"] = str(profile_info["burn_ms"])
        if profile_info.get("weight"):
            env["WYN_STANDIN_C_WEIGHT"] = str(profile_info["weight"])
        return env

    @staticmethod
    def spawn_probe():
        """Median wall time of running /bin/true: what process creation costs right now."""
        times = []
        for _ in range(21):
            start = time.perf_counter()
            subprocess.run(["/bin/true"])
            times.append(time.perf_counter() - start)
        return round(median(times) * 1000, 2)

    def machine(self):
        info = {"cores": self.cores, "logical_cpus": os.cpu_count(),
                "available_cpus": len(os.sched_getaffinity(0))}
        try:
            with open("/proc/cpuinfo") as f:
                for line in f:
                    if line.startswith("model name"):
                        info["cpu"] = line.split(":", 1)[1].strip()
                        break
            with open("/proc/meminfo") as f:
                info["memory_gb"] = round(int(f.readline().split()[1]) / 1024 / 1024, 1)
            with open("/etc/os-release") as f:
                for line in f:
                    if line.startswith("PRETTY_NAME="):
                        info["os"] = line.split("=", 1)[1].strip().strip('"')
        except OSError:
            pass
        info["kernel"] = platform.release()
        info["loadavg_start"] = self.load_start
        info["loadavg_end"] = os.getloadavg()[0]
        info["spawn_ms_start"] = self.spawn_start
        info["spawn_ms_end"] = self.spawn_probe()
        for tool in ("cmake", "ninja"):
            out = subprocess.run([tool, "--version"], stdout=subprocess.PIPE, text=True).stdout
            info[tool] = out.split("\n")[0].split()[-1]
        info["python"] = platform.python_version()
        git = subprocess.run(["git", "-C", REPO, "describe", "--always", "--dirty"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        info["commit"] = git.stdout.strip() or None
        return info

    # -- this layer -------------------------------------------------------

    def configure_cmd(self, chain, build_dir, cache_dir, toolchain_cache=True):
        # The toolchain cache is ON, not AUTO, where it is measured: without
        # ccache the run fails instead of silently timing something else.
        # The stub never runs a C compiler.
        toolchain = "ON" if toolchain_cache and chain["profile"] != "stub" else "OFF"
        cmd = ["cmake", "-S", REPO, "-B", build_dir, "-G", "Ninja",
               f"-DWYN_TOOLS_DIR={self.tools}", f"-DWYN_TEST_DIRS={chain['suite']['suite_dir']}",
               f"-DWYN_COMPILER={chain['compiler']}", f"-DWYN_COMPILER_STYLE={chain['style']}",
               f"-DWYN_COMPILER_LAUNCHER={chain['counter']}", f"-DWYN_COMPILE_JOBS={self.cores}",
               "-DWYN_COMPILE_CACHE=ON", f"-DWYN_COMPILE_CACHE_DIR={cache_dir}",
               f"-DWYN_TOOLCHAIN_CACHE={toolchain}"]
        if chain["style"] == "legacy":
            cmd.append(f"-DWYN_ROOT={os.path.dirname(chain['compiler'])}")
        return cmd

    def build_and_test(self, build_dir):
        return [(["cmake", "--build", build_dir], True),
                (["ctest", "--test-dir", build_dir, "-j", str(self.cores)], False)]

    def toolchain_compiles(self, cache_dir):
        """Objects the toolchain cache has compiled for `cache_dir` (`wyn-cache stats
        --json`), or None when these tools have no toolchain cache."""
        proc = subprocess.run([os.path.join(self.tools, "bin", "wyn-cache"), "stats", "--json", cache_dir],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            return json.loads(proc.stdout)["toolchain"]["compiles"]
        except (ValueError, KeyError, TypeError):
            return None

    @staticmethod
    def programs_run(build_dir):
        """Tests of the last ctest run not taken from the result cache (their program
        ran, or they failed before it could)."""
        with open(os.path.join(build_dir, "wyn-report", "summary.json")) as f:
            summary = json.load(f)
        return summary["counts"].get("total", 0) - summary.get("cached", 0)

    def take_compiles(self, chain):
        """(compiles, their CPU seconds) logged since the last call."""
        count, cpu = 0, 0.0
        if os.path.exists(chain["compile_log"]):
            with open(chain["compile_log"]) as f:
                count = sum(1 for _ in f)
            os.remove(chain["compile_log"])
        if os.path.exists(chain["cpu_log"]):
            with open(chain["cpu_log"]) as f:
                for line in f:
                    words = line.split()
                    if len(words) == 3 and words[0] == "compile":
                        cpu += float(words[1]) + float(words[2])
            os.remove(chain["cpu_log"])
        return count, cpu

    def verify(self, chain, build_dir, what):
        """The run judged every test as the generator meant it: the same work as the baseline."""
        try:
            with open(os.path.join(build_dir, "wyn-report", "summary.json")) as f:
                counts = json.load(f)["counts"]
        except (OSError, ValueError, KeyError) as e:
            self.problem(f"{what}: no summary ({e})")
            return
        passed = counts.get("passed", 0) + counts.get("xfail", 0)
        failed = counts.get("total", 0) - passed - counts.get("skipped", 0)
        want = chain["suite"]
        if (passed, failed) != (want["passed"], want["failed"]):
            self.problem(f"{what}: {passed} passed, {failed} failed; expected "
                         f"{want['passed']} and {want['failed']} (see {build_dir})")

    def ours(self, chain, label, steps, build_dir, verify=True):
        self.take_compiles(chain)
        summary = os.path.join(build_dir, "wyn-report", "summary.json")
        if os.path.exists(summary):
            os.remove(summary)  # so that a run that writes none cannot pass on an old one
        seconds = self.timed(steps, env=chain["env"])
        compiles, cpu = self.take_compiles(chain)
        if verify:
            self.verify(chain, build_dir, f"{chain['name']} {label}")
        self.say(f"{chain['name']} {label}: {seconds:.2f} s, {compiles} compiles")
        return seconds, compiles, cpu

    # -- the baseline -----------------------------------------------------

    def baseline(self, chain):
        """One full run of the reference runner on a scratch copy; (seconds, CPU of the work)."""
        # A new path for every run, like ours (see NEW_PATHS).
        chain["baseline_runs"] = chain.get("baseline_runs", 0) + 1
        copy = os.path.join(chain["root"], f"baseline-{chain['baseline_runs']}")
        suite_copy = os.path.join(copy, "bench")
        shutil.copytree(chain["suite"]["suite_dir"], suite_copy)
        cpu_log = os.path.join(copy, "cpu.log")
        env = dict(chain["env"])
        if chain["style"] == "legacy":
            env["WYN_ROOT"] = os.path.dirname(chain["compiler"])
        out_path = os.path.join(copy, "output.txt")
        argv = ["bash", os.path.join(BENCH, "reference_runner.sh"), "-j", str(self.cores),
                "--style", chain["style"], "--cpu-log", cpu_log, chain["compiler"], suite_copy]
        with open(out_path, "w") as out:
            start = time.perf_counter()
            subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, env=env, stdin=subprocess.DEVNULL)
            seconds = time.perf_counter() - start
        with open(out_path) as f:
            last = (f.read().strip().split("\n") or [""])[-1]
        words = last.split()
        got = (int(words[0]), int(words[2])) if len(words) == 4 and words[1] == "passed," else None
        want = (chain["suite"]["passed"], chain["suite"]["failed"])
        if got != want:
            self.problem(f"{chain['name']} baseline: '{last}', expected {want[0]} passed, {want[1]} failed")
        cpu = {"compile": 0.0, "run": 0.0}
        with open(cpu_log, "a+") as f:
            f.seek(0)
            for line in f:
                words = line.split()
                if len(words) == 3 and words[0] in cpu:
                    cpu[words[0]] += float(words[1]) + float(words[2])
        self.say(f"{chain['name']} baseline: {seconds:.2f} s ({last})")
        return seconds, cpu

    # -- scenarios --------------------------------------------------------

    def new_chain(self, profile, n, period=None):
        name = f"{profile}-{n}"
        root = os.path.join(self.scratch, name)
        rmtree(root)
        os.makedirs(root)
        info = self.profiles[profile]
        chain = {"name": name, "profile": profile, "n": n, "root": root, "style": info["style"],
                 "env": self.env(info), "compile_log": os.path.join(root, "compiles.log"),
                 "cpu_log": os.path.join(root, "cpu.log"), "counter": os.path.join(root, "count.sh")}
        chain["suite"] = gen_suite.generate(os.path.join(root, "src"), n, period)
        with open(chain["counter"], "w") as f:
            text = COUNTER_ONLY if profile == "stub" else COUNTER
            f.write(text.format(log=chain["compile_log"], cpu=chain["cpu_log"]))
        os.chmod(chain["counter"], 0o755)
        if profile == "stub":
            chain["compiler"] = self.stub_compiler()
        else:
            chain["compiler"] = self.compiler_copy(profile, os.path.join(root, "compiler"))
        return chain

    def add_row(self, scenario, chain, samples, baseline=None, bound=None, compiles=None, **extra):
        row = {"scenario": scenario, "profile": chain["profile"], "n": chain["n"],
               "ours_s": median(samples), "min_s": min(samples), "max_s": max(samples),
               "baseline_s": baseline, "bound_s": bound, "compiles": None, "runs": len(samples)}
        if compiles:
            row["compiles"] = round(median(compiles))
            if len(set(compiles)) > 1:
                row["compiles_each"] = compiles
        row.update(extra)
        self.rows.append(row)
        return row

    def test_dir_of(self, build_dir, source):
        for test_json in self.glob_test_json(build_dir):
            with open(test_json) as f:
                if json.load(f)["source"] == source:
                    return os.path.dirname(test_json)
        raise BenchError(f"no test directory for {source} in {build_dir}")

    @staticmethod
    def glob_test_json(build_dir):
        wyn = os.path.join(build_dir, "wyn")
        for suite in sorted(os.listdir(wyn)):
            t = os.path.join(wyn, suite, "t")
            if os.path.isdir(t):
                for test in sorted(os.listdir(t)):
                    yield os.path.join(t, test, "test.json")

    def run_chain(self, spec):
        chain = self.new_chain(spec["profile"], spec["n"])
        name, root = chain["name"], chain["root"]
        build = cache = None
        self.say(f"{name}: {chain['suite']['tests']} tests, {self.profiles[spec['profile']]['cpu_per_compile_s']} s "
                 f"CPU per compile")

        # cold: configure + build + ctest from nothing, with an empty cache; the
        # baseline's full run alternately before and after ours.
        ours, compiles, cpu, base, bounds = [], [], [], [], []
        for rep in range(spec["cold"]):
            def run_ours():
                # New paths each time (see NEW_PATHS); the later
                # scenarios use the last cold run's build and cache.
                nonlocal build, cache
                build = os.path.join(root, f"build-{rep}")
                cache = os.path.join(root, f"cache-{rep}")
                steps = [(self.configure_cmd(chain, build, cache), True)] + self.build_and_test(build)
                s, c, compile_cpu = self.ours(chain, f"cold {rep + 1}/{spec['cold']}", steps, build)
                ours.append(s)
                compiles.append(c)
                cpu.append(compile_cpu)

            def run_base():
                s, cpu = self.baseline(chain)
                base.append(s)
                bounds.append((cpu["compile"] + cpu["run"]) / self.cores)
            for step in ((run_ours, run_base) if rep % 2 == 0 else (run_base, run_ours)):
                step()
        baseline_s, bound_s = median(base), median(bounds)
        chain["cold_s"] = median(ours)
        self.add_row("cold", chain, ours, baseline_s, bound_s, compiles,
                     baseline_runs=len(base), baseline_min_s=min(base), baseline_max_s=max(base),
                     compile_cpu_s=median(cpu), toolchain_compiles=self.toolchain_compiles(cache))

        if spec.get("cold_no_toolchain_cache"):
            # The same from nothing, the Wyn compiler running its C compiler itself.
            ours, compiles = [], []
            for rep in range(spec["cold_no_toolchain_cache"]):
                other = os.path.join(root, f"build-no-toolchain-{rep}")
                other_cache = os.path.join(root, f"cache-no-toolchain-{rep}")
                steps = [(self.configure_cmd(chain, other, other_cache, toolchain_cache=False), True)]
                s, c, _ = self.ours(chain, f"cold, no toolchain cache {rep + 1}",
                                    steps + self.build_and_test(other), other)
                ours.append(s)
                compiles.append(c)
            self.add_row("cold_no_toolchain_cache", chain, ours, baseline_s, bound_s, compiles)

        if spec.get("fresh_clone_remote_warm") or spec.get("remote_down"):
            self.run_remote(chain, spec, baseline_s)

        if spec.get("cold_warm_cache"):
            ours, compiles = [], []
            for rep in range(spec["cold_warm_cache"]):
                other = os.path.join(root, f"build-warm-{rep}")
                steps = [(self.configure_cmd(chain, other, cache), True)] + self.build_and_test(other)
                s, c, _ = self.ours(chain, f"cold, warm cache {rep + 1}", steps, other)
                ours.append(s)
                compiles.append(c)
            self.add_row("cold_warm_cache", chain, ours, baseline_s, None, compiles)

        noop = []
        for rep in range(spec.get("noop", 0)):
            s, c, _ = self.ours(chain, f"no-op {rep + 1}", self.build_and_test(build), build)
            noop.append(s)
            if c:
                self.problem(f"{name} no-op: {c} compiles")
        if noop:
            self.add_row("noop", chain, noop, baseline_s, None, [0] * len(noop))

        if spec.get("edit_one"):
            ours, compiles, one_compile = [], [], []
            source = gen_suite.test_path(chain["suite"]["suite_dir"], 0)
            test_dir = self.test_dir_of(build, source)
            for rep in range(spec["edit_one"]):
                with open(source, "w") as f:
                    f.write(gen_suite.edited_text(f"{rep}-{time.time_ns()}"))
                s, c, _ = self.ours(chain, f"edit one {rep + 1}", self.build_and_test(build), build)
                ours.append(s)
                compiles.append(c)
                with open(os.path.join(test_dir, "compile.json")) as f:
                    one_compile.append(json.load(f)["seconds"])
            self.add_row("edit_one", chain, ours, baseline_s, None, compiles,
                         one_compile_s=median(one_compile), noop_s=median(noop) if noop else None)

        if spec.get("touch_all"):
            ours, compiles = [], []
            for rep in range(spec["touch_all"]):
                for path in wyn_files(chain["suite"]["suite_dir"]):
                    os.utime(path)
                s, c, _ = self.ours(chain, f"touch all {rep + 1}", self.build_and_test(build), build)
                ours.append(s)
                compiles.append(c)
            self.add_row("touch_all", chain, ours, baseline_s, None, compiles)

        # A rebuilt compiler whose output differs for the tagged tests only.
        tagged = chain["suite"]["tagged"]
        if spec.get("compiler_changed"):
            ours, compiles, ran = [], [], []
            for rep in range(spec["compiler_changed"]):
                set_codegen_tag(chain["compiler"], f"changed-{rep}-{time.time_ns()}")
                s, c, _ = self.ours(chain, f"compiler changed {rep + 1}", self.build_and_test(build), build)
                ours.append(s)
                compiles.append(c)
                ran.append(self.programs_run(build))
            self.add_row("compiler_changed", chain, ours, baseline_s, None, compiles, tagged=tagged,
                         not_cached=median(ran))

        if spec.get("compiler_changed_result_cache"):
            # The same with WYN_RESULT_CACHE=1, after a run that stored the passes
            # (untimed): a test whose executable came out byte-identical is not run again.
            cached = dict(chain, env=dict(chain["env"], WYN_RESULT_CACHE="1"))
            self.ours(cached, "result cache: first run", self.build_and_test(build)[1:], build)
            ours, compiles, ran = [], [], []
            for rep in range(spec["compiler_changed_result_cache"]):
                set_codegen_tag(chain["compiler"], f"changed-rc-{rep}-{time.time_ns()}")
                s, c, _ = self.ours(cached, f"compiler changed, result cache {rep + 1}",
                                    self.build_and_test(build), build)
                ours.append(s)
                compiles.append(c)
                ran.append(self.programs_run(build))
            self.add_row("compiler_changed_result_cache", chain, ours, baseline_s, None, compiles,
                         tagged=tagged, not_cached=median(ran))

        if spec.get("runtime_source_changed"):
            # One runtime source of WYN_ROOT edited: every test compiles again, and
            # the toolchain cache should compile that source once for all of them.
            source = os.path.join(os.path.dirname(chain["compiler"]), "src", "wyn_io.c")
            ours, compiles, edited = [], [], []
            for rep in range(spec["runtime_source_changed"]):
                with open(source, "a") as f:
                    f.write(f"/* edited {rep} {time.time_ns()} */\n")
                before = self.toolchain_compiles(cache)
                s, c, _ = self.ours(chain, f"runtime source changed {rep + 1}", self.build_and_test(build),
                                    build)
                after = self.toolchain_compiles(cache)
                ours.append(s)
                compiles.append(c)
                edited.append(None if before is None or after is None else after - before)
            self.add_row("runtime_source_changed", chain, ours, baseline_s, None, compiles,
                         toolchain_compiles=None if None in edited else max(edited),
                         toolchain_compiles_each=edited)


    # -- the remote cache ---------------------------------------------------

    def clone_of(self, chain, path):
        """A project at `path` as a clone of a Wyn checkout has it: the suite and
        the compiler (with its runtime) inside it, a CMakeLists.txt of its own."""
        rmtree(path)
        shutil.copytree(chain["suite"]["suite_dir"], os.path.join(path, "tests"))
        shutil.copytree(os.path.dirname(chain["compiler"]), os.path.join(path, "tools"), symlinks=True)
        with open(os.path.join(path, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.25)\nproject(bench_clone NONE)\n"
                    f"list(APPEND CMAKE_MODULE_PATH \"{REPO}/cmake\")\ninclude(WynTests)\n"
                    "enable_testing()\nwyn_add_tests(DIRECTORY tests)\n")
        return path

    def clone_steps(self, chain, clone, cache_dir, url):
        build_dir = clone + "-build"
        cmd = self.configure_cmd(chain, build_dir, cache_dir)
        cmd[cmd.index("-S") + 1] = clone
        cmd = [a for a in cmd if not a.startswith(("-DWYN_TEST_DIRS=", "-DWYN_COMPILER=", "-DWYN_ROOT="))]
        cmd += [f"-DWYN_COMPILER={clone}/tools/wyn", f"-DWYN_REMOTE_CACHE={url}"]
        if chain["style"] == "legacy":
            cmd.append(f"-DWYN_ROOT={clone}/tools")
        return build_dir, [(cmd, True)] + self.build_and_test(build_dir)

    def remote_stats(self, cache_dir):
        proc = subprocess.run([os.path.join(self.tools, "bin", "wyn-cache"), "stats", "--json", cache_dir],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            j = json.loads(proc.stdout)
            return j["remote"], j["toolchain"]["compiles"]
        except (ValueError, KeyError, TypeError):
            return None, None

    def run_remote(self, chain, spec, baseline_s):
        """fresh_clone_remote_warm: a second clone at another path, with empty local
        caches, builds from a remote cache (nginx, WebDAV) that a first clone filled;
        remote_down: the same with the remote's port closed."""
        if not webdav_server.available():
            self.problem(f"{chain['name']}: nginx is not installed (Debian: nginx-light): no remote rows")
            return
        root = chain["root"]
        server = webdav_server.WebDavServer(os.path.join(root, "nginx"))
        try:
            first = self.clone_of(chain, os.path.join(root, "clone-first", "wyn"))
            build_dir, steps = self.clone_steps(chain, first, os.path.join(root, "cache-first"), server.url)
            s, c, _ = self.ours(chain, "cold, filling the remote cache", steps, build_dir)
            self.add_row("cold_remote_upload", chain, [s], baseline_s, None, [c],
                         remote_files=len(server.files()))
            ours, compiles, cc, hits = [], [], [], []
            for rep in range(spec.get("fresh_clone_remote_warm", 0)):
                clone = self.clone_of(chain, os.path.join(root, f"elsewhere-{rep}", "checkout", "wyn"))
                cache_dir = os.path.join(root, f"cache-clone-{rep}")
                build_dir, steps = self.clone_steps(chain, clone, cache_dir, server.url)
                s, c, _ = self.ours(chain, f"fresh clone, remote warm {rep + 1}", steps, build_dir)
                remote, toolchain_compiles = self.remote_stats(cache_dir)
                ours.append(s)
                compiles.append(c)
                cc.append(toolchain_compiles)
                hits.append(remote and remote["hits"])
                if c or toolchain_compiles:
                    self.problem(f"{chain['name']} fresh clone, remote warm: {c} Wyn compiles, "
                                 f"{toolchain_compiles} C compiles (want 0 and 0)")
            if ours:
                self.add_row("fresh_clone_remote_warm", chain, ours, baseline_s, None, compiles,
                             toolchain_compiles=max(cc, key=lambda x: x or 0), remote_hits=hits,
                             cold_s=chain["cold_s"])
        finally:
            server.stop()

        ours, compiles, said = [], [], []
        for rep in range(spec.get("remote_down", 0)):
            url = f"http://127.0.0.1:{webdav_server.free_port()}"
            clone = self.clone_of(chain, os.path.join(root, f"down-{rep}", "wyn"))
            build_dir, steps = self.clone_steps(chain, clone, os.path.join(root, f"cache-down-{rep}"), url)
            start = os.path.getsize(self.log_path)
            s, c, _ = self.ours(chain, f"remote down {rep + 1}", steps, build_dir)
            with open(self.log_path, errors="replace") as f:
                f.seek(start)
                said.append(f.read().count("local cache only"))
            ours.append(s)
            compiles.append(c)
            if said[-1] != 1:
                self.problem(f"{chain['name']} remote down: 'continues with the local cache only' said "
                             f"{said[-1]} times (want once)")
        if ours:
            self.add_row("remote_down", chain, ours, baseline_s, None, compiles, said_down=said,
                         cold_s=chain["cold_s"])

    def stub_compiler(self):
        stub = os.path.join(self.scratch, "stub", "wyn")
        if not os.path.exists(stub):
            real = self.compiler_copy("standin", os.path.join(self.scratch, "stub", "real"))
            memo = os.path.join(self.scratch, "stub", "memo")
            os.makedirs(memo)
            with open(os.path.join(BENCH, "memo_wyn.sh")) as f:
                text = f.read().replace("@REAL@", real).replace("@MEMO@", memo)
            with open(stub, "w") as f:
                f.write(text)
            os.chmod(stub, 0o755)
        return stub

    def run_scale(self, spec):
        for n in spec["ns"]:
            chain = self.new_chain("stub", n, period=spec["period"])
            root = chain["root"]
            cache = os.path.join(root, "cache")
            times = []
            for rep in range(spec["configure"]):
                # A new path each time (see NEW_PATHS).
                build = os.path.join(root, f"build-{rep}")
                configure = self.configure_cmd(chain, build, cache)
                times.append(self.timed([(configure, True)], env=chain["env"]))
                self.say(f"scale N={n}: configure {times[-1]:.2f} s")
            self.add_row("configure", chain, times)

            start = time.perf_counter()
            self.run(["cmake", "--build", build], env=chain["env"])
            compiles, _ = self.take_compiles(chain)
            self.say(f"scale N={n}: built through the stub in {time.perf_counter() - start:.1f} s "
                     f"({compiles} compiles)")

            times, compiles = [], []
            for rep in range(spec["noop_build"]):
                times.append(self.timed([(["cmake", "--build", build], True)], env=chain["env"]))
                compiles.append(self.take_compiles(chain)[0])
            self.say(f"scale N={n}: no-op build {median(times):.3f} s")
            self.add_row("noop_build", chain, times, None, None, compiles)

            times = []
            listing = os.path.join(root, "ctest-N.txt")
            for rep in range(spec["ctest_list"]):
                start = time.perf_counter()
                with open(listing, "w") as out:
                    subprocess.run(["ctest", "--test-dir", build, "-N"], stdout=out,
                                   stderr=subprocess.STDOUT, env=chain["env"])
                times.append(time.perf_counter() - start)
            with open(listing) as f:
                total = [line for line in f if line.startswith("Total Tests:")]
            if total != [f"Total Tests: {n}\n"]:
                self.problem(f"scale N={n}: ctest -N listed {total}, expected {n} tests")
            self.say(f"scale N={n}: ctest -N {median(times):.3f} s")
            self.add_row("ctest_list", chain, times)

            reps = spec["noop"].get(n, 0)
            if reps:
                # The first ctest run is the tests' own cold run, not a no-op.
                self.ours(chain, "first test run", self.build_and_test(build)[1:], build)
                times, compiles = [], []
                for rep in range(reps):
                    s, c, _ = self.ours(chain, f"no-op {rep + 1}", self.build_and_test(build), build)
                    times.append(s)
                    compiles.append(c)
                self.add_row("noop", chain, times, None, None, compiles)
                # The same with the result cache on: passing tests are not run again.
                cached = dict(chain, env=dict(chain["env"], WYN_RESULT_CACHE="1"))
                self.ours(cached, "result cache: first run", self.build_and_test(build)[1:], build)
                times = [self.ours(cached, f"no-op, result cache {rep + 1}", self.build_and_test(build),
                                   build)[0] for rep in range(reps)]
                self.add_row("noop_result_cache", chain, times, None, None, [0])
                self.ctest_floor(n, reps)

    def ctest_floor(self, n, reps):
        """CTest by itself: N tests that each run /bin/true, at the same -j. No
        runner driven by CTest can run N tests in less."""
        root = os.path.join(self.scratch, f"ctest-floor-{n}")
        rmtree(root)
        os.makedirs(root)
        true = shutil.which("true") or "/bin/true"
        with open(os.path.join(root, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.25)\nproject(floor NONE)\nenable_testing()\n")
            f.writelines(f"add_test(NAME t{i} COMMAND {true})\n" for i in range(n))
        build = os.path.join(root, "build")
        self.run(["cmake", "-S", root, "-B", build, "-G", "Ninja"])
        ctest = (["ctest", "--test-dir", build, "-j", str(self.cores)], True)
        self.timed([ctest])  # CTest's first run writes its cost data
        times = [self.timed([ctest]) for _ in range(reps)]
        self.say(f"ctest alone, {n} tests of {true}: {median(times):.2f} s")
        self.add_row("ctest_floor", {"profile": "true", "n": n}, times)

    def run_launcher(self, iterations):
        chain = self.new_chain("standin", 1)
        root = chain["root"]
        build, cache = os.path.join(root, "build"), os.path.join(root, "cache")
        steps = [(self.configure_cmd(chain, build, cache), True)] + self.build_and_test(build)
        self.ours(chain, "setup", steps, build)
        test_dir = self.test_dir_of(build, gen_suite.test_path(chain["suite"]["suite_dir"], 0))
        launch = [os.path.join(self.tools, "bin", "wyn-launch"), test_dir]
        direct = [os.path.join(test_dir, "bin", "program")]

        marker = os.path.join(build, "wyn-report", ".run-start")

        def once(argv):
            # ctest marks the start of each run, and the launcher reads an earlier
            # record only when it was written since (a retry). Marking a new run
            # before each call (untimed) keeps the calls from counting as retries.
            if argv is launch:
                os.utime(marker)
            start = time.perf_counter()
            rc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                stdin=subprocess.DEVNULL).returncode
            elapsed = time.perf_counter() - start
            if rc != 0:
                raise BenchError(f"{' '.join(argv)} exited {rc}")
            return elapsed
        with_launcher, without = [], []
        for _ in range(iterations):  # interleaved, so that load changes hit both alike
            with_launcher.append(once(launch))
            without.append(once(direct))
        overhead = median(with_launcher) - median(without)
        self.say(f"launcher: {median(with_launcher) * 1000:.2f} ms vs {median(without) * 1000:.2f} ms direct")
        self.add_row("launcher_overhead", chain, with_launcher, median(without), None, None,
                     overhead_s=overhead, direct_min_s=min(without), direct_max_s=max(without))

    # -- the whole gate ----------------------------------------------------

    @staticmethod
    def readme_gate():
        """The cmake block of README.md's "Replacing a project's test gate", with
        this checkout as the module path: the gate project is what users copy."""
        with open(os.path.join(REPO, "README.md")) as f:
            text = f.read()
        section = text.split("## Replacing a project's test gate", 1)
        block = section[1].split("\n## ", 1)[0].split("```cmake\n", 1) if len(section) == 2 else []
        if len(block) != 2:
            raise BenchError("README.md: no cmake block under \"Replacing a project's test gate\"")
        return block[1].split("```", 1)[0].replace("/path/to/wyn-ctest", REPO)

    def gate_steps(self, mode, chain):
        """One run of the gate's Makefile steps on a fresh copy of the checkout
        (the copy untimed): `serial`, one after the other as make runs them, or
        `parallel`, the steps as independent jobs, N at once. Returns (seconds,
        seconds per kind of step, CPU seconds of all their processes)."""
        chain["baseline_runs"] = chain.get("baseline_runs", 0) + 1
        copy = os.path.join(chain["root"], f"{mode}-{chain['baseline_runs']}")
        shutil.copytree(chain["checkout"], copy, symlinks=True)
        tsv = os.path.join(chain["root"], f"{mode}-{chain['baseline_runs']}.tsv")
        argv = ["bash", os.path.join(BENCH, "gate", "steps.sh"), mode]
        argv += [str(self.cores)] if mode == "parallel" else []
        argv += [copy, tsv]
        with open(self.log_path, "a") as log:
            log.write(f"\n$ {' '.join(argv)}\n")
            log.flush()
            start = time.perf_counter()
            proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=chain["env"],
                                    stdin=subprocess.DEVNULL)
            _, _, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - start
        cpu = usage.ru_utime + usage.ru_stime  # every process of every step
        kinds, failed = {}, []
        with open(tsv) as f:
            lines = [line.rstrip("\n").split("\t") for line in f]
        for rc, step_s, step in lines:
            script = step.split()[0]
            kind = {"tests/run_bdd.sh": "bdd", "tests/golden/run_golden_tests.sh": "golden",
                    "tests/stdlib/run_stdlib_tests.sh": "stdlib"}.get(script, "scripts")
            kinds[kind] = round(kinds.get(kind, 0) + float(step_s), 2)
            if rc != "0":
                failed.append(f"{step} (exit {rc})")
        if failed or len(lines) != len(chain["gate"]["steps"]):
            self.problem(f"{chain['name']} {mode} steps: {len(lines)} of {len(chain['gate']['steps'])} "
                         f"steps ran; failed: {failed or 'none'} (logs in {tsv}.d)")
        self.say(f"{chain['name']} {mode} steps: {seconds:.2f} s, {cpu:.1f} s of CPU ({kinds})")
        return seconds, kinds, cpu

    def verify_gate(self, chain, build_dir, what):
        """Every test of the gate judged as meant: all pass but the one known
        failure (xfail) and the script that skips itself."""
        try:
            with open(os.path.join(build_dir, "wyn-report", "summary.json")) as f:
                summary = json.load(f)
            counts = summary["counts"]
        except (OSError, ValueError, KeyError) as e:
            self.problem(f"{what}: no summary ({e})")
            return None
        gate = chain["gate"]
        want = {"total": gate["tests"], "passed": gate["tests"] - gate["xfail"] - gate["skipped"],
                "xfail": gate["xfail"], "skipped": gate["skipped"]}
        got = {k: counts.get(k, 0) for k in want}
        if got != want:
            self.problem(f"{what}: {counts}; expected {want} (see {build_dir})")
        return summary

    def script_seconds(self, summary):
        """Seconds the script tests ran, summed over them (they run concurrently)."""
        return round(sum(t.get("run_seconds", 0) or 0 for t in summary.get("tests", [])
                         if t.get("suite") in ("errors", "tools", "fuzz")), 2)

    def new_gate_chain(self, spec):
        size = self.args.gate_size if self.args.gate_size is not None else spec.get("size", 1.0)
        label = "quick" if spec.get("quick") else f"{size:g}"
        root = os.path.join(self.scratch, f"gate-{label}")
        rmtree(root)
        os.makedirs(root)
        checkout = os.path.join(root, "checkout")
        # Laid out like Wyn 1.20: ./wyn with its runtime beside it, then the tests.
        compiler = self.compiler_copy("build", checkout)
        gate_text = self.readme_gate()
        fuzz = [line for line in gate_text.split("\n") if "run_fuzz.sh ARGS" in line]
        fuzz_args = tuple(fuzz[0].split("ARGS", 1)[1].split()[:2]) if fuzz else ("1", "60")
        info = gen_gate.generate(checkout, size, bool(spec.get("quick")), fuzz_args)
        env = self.env(self.profiles["build"])
        gen_gate.write_goldens(info, compiler, env)
        with open(os.path.join(checkout, "CMakeLists.txt"), "w") as f:
            f.write(gate_text)
        chain = {"name": f"gate-{label}", "profile": "gate", "n": info["tests"], "root": root,
                 "style": "build", "env": env, "compile_log": os.path.join(root, "compiles.log"),
                 "cpu_log": os.path.join(root, "cpu.log"), "counter": os.path.join(root, "count.sh"),
                 "compiler": compiler, "checkout": checkout, "gate": info}
        with open(chain["counter"], "w") as f:
            f.write(COUNTER.format(log=chain["compile_log"], cpu=chain["cpu_log"]))
        os.chmod(chain["counter"], 0o755)
        return chain

    def gate_configure(self, chain, build_dir, cache_dir):
        return ["cmake", "-S", chain["checkout"], "-B", build_dir, "-G", "Ninja",
                f"-DWYN_TOOLS_DIR={self.tools}", f"-DWYN_COMPILER_LAUNCHER={chain['counter']}",
                f"-DWYN_COMPILE_JOBS={self.cores}", "-DWYN_COMPILE_CACHE=ON",
                f"-DWYN_COMPILE_CACHE_DIR={cache_dir}", "-DWYN_TOOLCHAIN_CACHE=ON",
                "-DWYN_COMPILE_TIMEOUT=90"]

    def gate_ours(self, chain, label, steps, build_dir):
        """One timed run of ours; (seconds, compiles, summary)."""
        self.take_compiles(chain)
        summary_path = os.path.join(build_dir, "wyn-report", "summary.json")
        if os.path.exists(summary_path):
            os.remove(summary_path)
        seconds = self.timed(steps, env=chain["env"])
        compiles, _ = self.take_compiles(chain)
        summary = self.verify_gate(chain, build_dir, f"{chain['name']} {label}") or {}
        self.say(f"{chain['name']} {label}: {seconds:.2f} s, {compiles} compiles, scripts ran "
                 f"{self.script_seconds(summary)} s")
        return seconds, compiles, summary

    def impact_check(self, chain, summary, expected, what):
        """The codegen impact report names exactly `expected` (test names)."""
        codegen = summary.get("codegen")
        named = sorted(c["name"] for c in (codegen or {}).get("changed", []))
        ok = codegen is not None and named == sorted(expected)
        if not ok:
            self.problem(f"{chain['name']} {what}: the codegen impact report names {named}"
                         f"{'' if codegen is not None else ' (no codegen section)'}; "
                         f"expected exactly {sorted(expected)}")
        return {"impact_named": len(named), "impact_expected": len(expected), "impact_exact": ok,
                "impact_compared": (codegen or {}).get("compared")}

    def run_gate(self, spec):
        """The whole merge gate (gen_gate.py) through the README's gate project,
        against its Makefile steps run one after the other and in parallel."""
        chain = self.new_gate_chain(spec)
        gate, root, name = chain["gate"], chain["root"], chain["name"]
        info = self.profiles["build"]
        toolchain_cpu = info["cpu_per_compile_s"] - info["front_end_cpu_s"] - info["burn_ms"] / 1000
        script_c = {"script_c_compiles": gate["script_compiles"],
                    "script_c_cpu_s": round(gate["script_compiles"] * toolchain_cpu, 1),
                    "script_checks": gate["script_checks"]}
        self.say(f"{name}: {gate['tests']} tests ({len(gate['steps'])} Makefile steps; the scripts run "
                 f"{gate['script_compiles']} C compiles and {gate['script_checks']} checks), "
                 f"{len(gate['tagged'])} programs tagged")
        ours, compiles, serial, parallel, kinds, script_s, bounds = [], [], [], [], [], [], []
        build = cache = None
        for rep in range(spec["cold"]):
            def run_ours():
                nonlocal build, cache
                build = os.path.join(root, f"build-{rep}")
                cache = os.path.join(root, f"cache-{rep}")
                steps = [(self.gate_configure(chain, build, cache), True)] + self.build_and_test(build)
                s, c, summary = self.gate_ours(chain, f"cold {rep + 1}/{spec['cold']}", steps, build)
                ours.append(s)
                compiles.append(c)
                script_s.append(self.script_seconds(summary))

            def run_serial():
                s, k, cpu = self.gate_steps("serial", chain)
                serial.append(s)
                kinds.append(k)
                bounds.append(cpu / self.cores)

            def run_parallel():
                parallel.append(self.gate_steps("parallel", chain)[0])
            order = (run_ours, run_serial, run_parallel) if rep % 2 == 0 else (run_serial, run_parallel, run_ours)
            for step in order:
                step()
        serial_s, parallel_s = median(serial), median(parallel)
        common = {"parallel_s": parallel_s, "serial_runs": len(serial),
                  "serial_steps_s": kinds[len(kinds) // 2], **script_c}
        self.add_row("cold", chain, ours, serial_s, median(bounds), compiles, scripts_s=median(script_s),
                     **common)

        # A rebuilt compiler that generates the same code: one byte appended to
        # the binary (new content, same behaviour).
        ours, compiles, script_s, impact, c_compiles = [], [], [], [], []
        for rep in range(spec.get("compiler_changed", 0)):
            with open(chain["compiler"], "ab") as f:
                f.write(b"\0")
            before = self.toolchain_compiles(cache)
            s, c, summary = self.gate_ours(chain, f"compiler changed {rep + 1}", self.build_and_test(build), build)
            after = self.toolchain_compiles(cache)
            c_compiles.append(None if before is None or after is None else after - before)
            ours.append(s)
            compiles.append(c)
            script_s.append(self.script_seconds(summary))
            impact.append(self.impact_check(chain, summary, [], "compiler changed"))
        if ours:
            self.add_row("compiler_changed", chain, ours, serial_s, None, compiles,
                         scripts_s=median(script_s), impact=impact, toolchain_compiles_each=c_compiles,
                         **common)

        # A rebuilt compiler whose code differs for the tagged programs (5 %).
        ours, compiles, script_s, impact, c_compiles = [], [], [], [], []
        for rep in range(spec.get("compiler_changed_codegen", 0)):
            set_codegen_tag(chain["compiler"], f"gate-{rep}-{time.time_ns()}")
            before = self.toolchain_compiles(cache)
            s, c, summary = self.gate_ours(chain, f"compiler changed, codegen {rep + 1}",
                                           self.build_and_test(build), build)
            after = self.toolchain_compiles(cache)
            c_compiles.append(None if before is None or after is None else after - before)
            ours.append(s)
            compiles.append(c)
            script_s.append(self.script_seconds(summary))
            impact.append(self.impact_check(chain, summary, gate["tagged"], "compiler changed, codegen"))
        if ours:
            self.add_row("compiler_changed_codegen", chain, ours, serial_s, None, compiles,
                         scripts_s=median(script_s), tagged=len(gate["tagged"]), impact=impact,
                         toolchain_compiles_each=c_compiles, **common)
    def run_tools_build(self, reps):
        """The first thing the first configure of a checkout does: configure and
        build the tool tree (generator/), as WynTests.cmake does, into a new,
        empty build directory, with ccache disabled (a fresh machine has an empty
        cache). Timed: wall and CPU (user + system of every process) of both."""
        times, cpu, configure, compiles = [], [], [], []
        env = dict(os.environ, CCACHE_DISABLE="1")
        for rep in range(reps):
            build = os.path.join(self.scratch, f"tools-build-{rep}")  # a new path (NEW_PATHS)
            steps = [["cmake", "-S", os.path.join(REPO, "generator"), "-B", build, "-G", "Ninja",
                      "-DCMAKE_BUILD_TYPE=Release"],
                     ["cmake", "--build", build]]
            walls, before = [], resource.getrusage(resource.RUSAGE_CHILDREN)
            for argv in steps:
                start = time.perf_counter()
                self.run(argv, env=env)
                walls.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(sum(walls))
            configure.append(walls[0])
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            with open(os.path.join(build, ".ninja_log")) as f:  # start end mtime output hash
                outputs = [line.split("\t")[3] for line in f if not line.startswith("#")]
            compiles.append(sum(1 for out in outputs if out.endswith((".o", ".gch"))))
            self.say(f"tools build {rep + 1}: {times[-1]:.1f} s wall ({configure[-1]:.1f} s "
                     f"configure), {cpu[-1]:.1f} s CPU, {compiles[-1]} compiles")
        self.add_row("tools_build", {"profile": "tools", "n": "-"}, times, cpu_s=median(cpu),
                     cpu_each_s=cpu, configure_s=median(configure), tool_compiles=median(compiles))

    # -- main -------------------------------------------------------------

    def only_scenarios(self, spec):
        """The chain with only the --scenarios rows (and cold, which every row
        of a chain is measured against and builds on), each as often as planned."""
        if not self.args.scenarios:
            return spec
        wanted = set(self.args.scenarios.split(","))
        return {k: v for k, v in spec.items()
                if k in ("profile", "n", "cold", "size", "quick") or k in wanted or not isinstance(v, int)}

    def main(self):
        default = ["legacy", "build", "standin", "launcher", "scale", "gate"]
        if not self.args.quick:
            default.append("tools")
        parts = self.args.only.split(",") if self.args.only else default
        self.load_start = os.getloadavg()[0]
        self.spawn_start = self.spawn_probe()
        if os.path.exists(self.scratch):  # an earlier run's: out of the way now, deleted at the end
            self.previous_scratch = f"{self.scratch}.old-{time.time_ns()}"
            os.rename(self.scratch, self.previous_scratch)
        os.makedirs(self.scratch)
        if "tools" in parts:
            self.run_tools_build(self.plan["tools_build"])
        if set(parts) - {"tools"}:
            self.ensure_tools()
            self.calibrate()
        if "launcher" in parts:
            self.run_launcher(self.plan["launcher"])
        for spec in self.plan["chains"]:
            if spec["profile"] in parts:
                self.run_chain(self.only_scenarios(spec))
        if "scale" in parts:
            self.run_scale(self.plan["scale"])
        if "gate" in parts:
            self.run_gate(self.only_scenarios(self.plan["gate"]))
        result = {"mode": "quick" if self.args.quick else "full", "machine": self.machine(),
                  "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                  "duration_s": round(time.perf_counter() - self.started, 1),
                  "profiles": self.profiles, "rows": self.rows, "problems": self.problems}
        report.add_targets(result)
        os.makedirs(os.path.dirname(os.path.abspath(self.args.out)), exist_ok=True)
        with open(self.args.out, "w") as f:
            json.dump(result, f, indent=2)
            f.write("\n")
        table = report.markdown(result)
        with open(os.path.splitext(self.args.out)[0] + ".md", "w") as f:
            f.write(table)
        print(table)
        self.say(f"wrote {self.args.out}")
        if self.previous_scratch:
            rmtree(self.previous_scratch)
        if not self.args.keep:
            rmtree(self.scratch)
        return 1 if self.problems else 0


def main():
    parser = argparse.ArgumentParser(description="wyn-ctest benchmark (see bench/README.md)")
    parser.add_argument("--quick", action="store_true", help="small suites, few runs (CI; < 5 min)")
    parser.add_argument("--jobs", type=int, default=0, help="parallelism of both sides (default: CPUs)")
    parser.add_argument("--tools", help="prebuilt wyn-ctest tools (default: build them in WORK/tools)")
    parser.add_argument("--work", default=os.path.join(REPO, "build-bench"),
                        help="scratch directory (default: build-bench in the repository)")
    parser.add_argument("--out", default=os.path.join(BENCH, "results", "latest.json"),
                        help="the JSON results (a .md table is written beside it)")
    parser.add_argument("--only", help="comma-separated parts: legacy,build,standin,launcher,scale,"
                        "gate,tools (default: all; --quick: all but tools)")
    parser.add_argument("--gate-size", type=float, default=None,
                        help="the gate profile's size, a fraction of the real gate's counts (full run: 1)")
    parser.add_argument("--scenarios", help="comma-separated rows of the chains to run (cold always "
                        "runs): e.g. fresh_clone_remote_warm,remote_down")
    parser.add_argument("--keep", action="store_true", help="keep the scratch build trees")
    args = parser.parse_args()
    try:
        return Bench(args).main()
    except BenchError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
