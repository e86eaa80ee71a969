#!/usr/bin/env python3
"""Runs the end-to-end test cases as CTest tests, one CTest test per case.

    ctest_bridge.py list OUT.json MODULE.py...         the cases, for tests/e2e/CMakeLists.txt
    ctest_bridge.py run MODULE.CLASS.TEST [DIR [--last]]  one case

A class with a setUpClass of its own builds one workspace for all its cases,
once per ctest run, and there is no CTest test for that: each case is given
the class's state directory DIR and sets the class up if it finds it not yet
set up in this ctest run. That case runs setUpClass, keeps the workspaces it
makes under DIR and the class attributes it sets in DIR/state.pickle, marked
with the run's identity (the ctest process that started the case: its pid and
start time); the class's next cases of the same run restore those attributes
instead of running setUpClass again. Each case runs in a process of its own.
A setUpClass that fails is recorded the same way: the later cases of the run
fail at once, showing its traceback, and a skip in it skips every case. The
class's last case (`--last`; the listing's order, which is unittest's) runs
tearDownClass and removes DIR after its test, whatever its result. A case
run without it (`ctest -R` of one case, `--rerun-failed`) leaves DIR in the
build tree, and the next ctest run that needs the class replaces it. A
state directory left by another run, or by a setup that did not finish, is
torn down (its tearDownClass, errors ignored) and removed first. The cases
of a class run one at a time (CTest's RESOURCE_LOCK); a lock on DIR.lock
keeps two ctest runs in one build tree from sharing DIR at once.

The modules stay plain unittest modules: `python3 -m unittest test_cache`
runs them as before.

`run` exits 0 when the case passed, SKIPPED (CTest's SKIP_RETURN_CODE) when
it was skipped and 1 otherwise; unittest's verbose lines go to stderr.
"""

import fcntl
import importlib
import inspect
import json
import os
import pickle
import shutil
import sys
import tempfile
import traceback
import unittest

SKIPPED = 77
STATE = "state.pickle"
# Defaults for a case or a setUpClass without ctest_properties (wyn_e2e.py).
DEFAULTS = {"timeout": 300, "processors": 1, "run_serial": False, "resource_lock": []}


def fail(message):
    print(f"ctest_bridge: error: {message}", file=sys.stderr)
    sys.exit(2)


def import_module(name, path=None):
    try:
        return importlib.import_module(name)
    except Exception:
        fail(f"{path or name}: cannot be imported:\n{traceback.format_exc()}")


def find_class(qualified):
    module_name, _, class_name = qualified.rpartition(".")
    cls = getattr(import_module(module_name), class_name, None)
    if not (isinstance(cls, type) and issubclass(cls, unittest.TestCase)):
        fail(f"{qualified}: no such unittest.TestCase class")
    return cls


def has_fixture(cls):
    """Whether the class (or a base of its below TestCase) defines setUpClass."""
    return cls.setUpClass.__func__ is not unittest.TestCase.setUpClass.__func__


def where(owner):
    """file:line of a class or function, for errors."""
    try:
        return f"{inspect.getsourcefile(owner)}:{inspect.getsourcelines(owner)[1]}"
    except (OSError, TypeError):
        return getattr(owner, "__qualname__", repr(owner))


def properties(*owners):
    """The CTest properties of a case or of a setUpClass: the defaults, then
    what ctest_properties set on its class, then on its method (the test
    method, or setUpClass)."""
    merged = dict(DEFAULTS)
    for owner in owners:
        given = getattr(owner, "wyn_ctest_properties", {})
        timeout, processors = given.get("timeout", 1), given.get("processors", 1)
        locks = given.get("resource_lock", [])
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            fail(f"{where(owner)}: ctest_properties: timeout must be a positive number of seconds, "
                 f"not {timeout!r}")
        if isinstance(processors, bool) or not isinstance(processors, int) or processors < 1:
            fail(f"{where(owner)}: ctest_properties: processors must be a positive integer, "
                 f"not {processors!r}")
        if not all(isinstance(n, str) and n and ";" not in n for n in locks):
            fail(f"{where(owner)}: ctest_properties: resource_lock must be names without ';', "
                 f"not {locks!r}")
        merged.update(given)
    return merged


def with_setup(case, setup):
    """The properties of a case of a class with a setUpClass: any of its cases
    may be the one that runs setUpClass first, so each has time for both, the
    larger of their costs and the locks of both."""
    return {"timeout": case["timeout"] + setup["timeout"],
            "processors": max(case["processors"], setup["processors"]),
            "run_serial": case["run_serial"] or setup["run_serial"],
            "resource_lock": case["resource_lock"] +
            [n for n in setup["resource_lock"] if n not in case["resource_lock"]]}


def cases(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from cases(item)
        else:
            yield item


def list_cases(out_path, module_paths):
    """Writes the cases of the modules to out_path as JSON, in the order
    unittest runs them: one entry per case with its CTest properties, and for
    a case of a class with a setUpClass `fixture` true and whether it is the
    class's `last` case (the one that tears the class down)."""
    entries = []
    loader = unittest.TestLoader()
    for path in module_paths:
        name = os.path.splitext(os.path.basename(path))[0]
        module = import_module(name, path)
        if os.path.realpath(getattr(module, "__file__", "")) != os.path.realpath(path):
            fail(f"{path}: importing '{name}' found {module.__file__} instead")
        found = 0
        for case in cases(loader.loadTestsFromModule(module)):
            if isinstance(case, unittest.loader._FailedTest) or case.id().startswith("unittest.loader."):
                fail(f"{path}: cannot load its tests: {case.id()}")
            cls = type(case)
            if cls.__module__ != name:
                continue  # imported from another module: listed with that one
            method = getattr(cls, case._testMethodName)
            qualified = f"{cls.__module__}.{cls.__qualname__}"
            fixture = has_fixture(cls)
            own = properties(cls, method)
            if fixture:
                own = with_setup(own, properties(cls, cls.setUpClass.__func__))
            if entries and entries[-1]["class"] == qualified:
                entries[-1]["last"] = False
            entries.append({"module": name, "class": qualified, "id": case.id(),
                            "fixture": fixture, "last": fixture, **own})
            found += 1
        if found == 0:
            fail(f"{path}: defines no test case")
    text = json.dumps({"cases": entries}, indent=1) + "\n"
    try:
        with open(out_path) as f:
            if f.read() == text:
                return  # unchanged: CMake need not look at a newer file
    except OSError:
        pass
    with open(out_path, "w") as f:
        f.write(text)


def run_identity():
    """The ctest run this process is a test of: CTest starts the test command
    itself, so its parent, by pid and start time (a pid is reused)."""
    parent = os.getppid()
    try:
        with open(f"/proc/{parent}/stat") as f:
            stat = f.read()
        # Field 22, starttime; the fields after the command name in
        # parentheses (which may hold spaces and parentheses) start at 3.
        return f"{parent}:{stat[stat.rindex(')') + 1:].split()[19]}"
    except (OSError, ValueError, IndexError):
        return str(parent)


def public_attributes(cls):
    return {k: v for k, v in vars(cls).items() if not k.startswith("_")}


def reset(cls, pristine):
    """Puts back the public class attributes `pristine` had."""
    for k, v in public_attributes(cls).items():
        if k not in pristine:
            delattr(cls, k)
        elif pristine[k] is not v:
            setattr(cls, k, pristine[k])


def load(state_dir):
    """The state kept in state_dir, or None if there is none readable."""
    try:
        with open(os.path.join(state_dir, STATE), "rb") as f:
            state = pickle.load(f)
        return state if isinstance(state, dict) else None
    except Exception:
        return None


def tear_down_stale(cls, qualified, state_dir, pristine):
    """Removes a state directory another ctest run (or a setup that did not
    finish) left, after the tearDownClass of its state if that can be had."""
    state = load(state_dir)
    if state and state.get("skipped") is None and state.get("failed") is None:
        try:
            for k, v in state["attributes"].items():
                setattr(cls, k, v)
            cls.tearDownClass()
        except Exception as e:
            print(f"ctest_bridge: note: {qualified}.tearDownClass of the state left in {state_dir} "
                  f"failed (ignored): {e!r}", file=sys.stderr)
        finally:
            reset(cls, pristine)
    shutil.rmtree(state_dir, ignore_errors=True)


def set_up(cls, qualified, state_dir, pristine):
    """Runs the class's setUpClass with the workspaces it makes below
    state_dir; returns the state that restore() gives the cases: the class
    attributes it set, or its skip or failure."""
    work = os.path.join(state_dir, "work")
    os.makedirs(work)
    # The workspaces setUpClass makes (tempfile.mkdtemp) go below DIR, where
    # every case finds them and the class's last case removes them all.
    saved_tempdir, tempfile.tempdir = tempfile.tempdir, work
    state = {"skipped": None, "failed": None, "attributes": {}}
    try:
        if getattr(cls, "__unittest_skip__", False):
            raise unittest.SkipTest(getattr(cls, "__unittest_skip_why__", ""))
        cls.setUpClass()
        state["attributes"] = {k: v for k, v in public_attributes(cls).items()
                               if k not in pristine or pristine[k] is not v}
    except unittest.SkipTest as e:
        state["skipped"] = str(e)
    except Exception:
        state["failed"] = traceback.format_exc()
    finally:
        tempfile.tempdir = saved_tempdir
        reset(cls, pristine)
    try:
        pickle.dumps(state)
    except Exception as e:
        state = {"skipped": None, "attributes": {},
                 "failed": f"{qualified}.setUpClass set an attribute that cannot be kept for the "
                           f"cases' processes: {e!r}\n"}
    if state["failed"] is not None:
        cls.doClassCleanups()
    else:
        # The class cleanups setUpClass registered (removing the workspaces)
        # would run after this process's case: removing DIR does their work.
        cls._class_cleanups.clear()
    return state


def class_state(cls, qualified, state_dir):
    """The state of the class in this ctest run: the one kept in state_dir,
    or a new one from a run of setUpClass, then kept there."""
    identity = run_identity()
    state = load(state_dir)
    if state is not None and state.get("run") == identity:
        return state, False
    pristine = public_attributes(cls)
    tear_down_stale(cls, qualified, state_dir, pristine)
    state = set_up(cls, qualified, state_dir, pristine)
    state["run"] = identity
    data = pickle.dumps(state)
    partial = os.path.join(state_dir, STATE + ".partial")
    with open(partial, "wb") as f:
        f.write(data)
    os.replace(partial, os.path.join(state_dir, STATE))
    # The attributes as every other case has them: copies, not setUpClass's objects.
    return pickle.loads(data), True


def restore(cls, state, tear_down):
    """Makes setUpClass restore the kept state; the class's tearDownClass
    stays only if `tear_down` (the last case's)."""
    def set_up_class(c):
        if state["skipped"] is not None:
            raise unittest.SkipTest(state["skipped"])
        for k, v in state["attributes"].items():
            setattr(c, k, v)

    cls.setUpClass = classmethod(set_up_class)
    if not tear_down:
        cls.tearDownClass = classmethod(lambda c: None)


def run_case(test_id):
    suite = unittest.TestLoader().loadTestsFromName(test_id)
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=2).run(suite)
    if not result.wasSuccessful():
        return 1
    # A skip in setUpClass counts no test run.
    return SKIPPED if result.skipped and len(result.skipped) >= result.testsRun else 0


def run(test_id, state_dir=None, last=False):
    if state_dir is None:
        return run_case(test_id)
    qualified = test_id.rsplit(".", 1)[0]
    cls = find_class(qualified)
    os.makedirs(os.path.dirname(state_dir), exist_ok=True)
    with open(state_dir + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            state, ran = class_state(cls, qualified, state_dir)
            if state["failed"] is not None:
                said = "" if ran else " in an earlier case of this ctest run"
                print(f"{qualified}.setUpClass failed{said}: {test_id} not run\n{state['failed']}",
                      file=sys.stderr)
                return 1
            if state["skipped"] is None:
                how = "set up" if ran else "set up earlier in this ctest run,"
                print(f"{qualified}: {how} {len(state['attributes'])} attributes kept in {state_dir}",
                      file=sys.stderr)
            restore(cls, state, tear_down=last)
            return run_case(test_id)
        finally:
            if last:
                shutil.rmtree(state_dir, ignore_errors=True)


def main(argv):
    if len(argv) >= 3 and argv[1] == "list":
        return list_cases(argv[2], argv[3:]) or 0
    if len(argv) in (3, 4) and argv[1] == "run":
        return run(argv[2], argv[3] if len(argv) == 4 else None)
    if len(argv) == 5 and argv[1] == "run" and argv[4] == "--last":
        return run(argv[2], argv[3], last=True)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
