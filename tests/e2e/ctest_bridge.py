#!/usr/bin/env python3
"""Runs the end-to-end test cases as CTest tests, one CTest test per case.

    ctest_bridge.py list OUT.json MODULE.py...   the cases, for tests/e2e/CMakeLists.txt
    ctest_bridge.py setup MODULE.CLASS DIR       a class's setUpClass, its state kept in DIR
    ctest_bridge.py run MODULE.CLASS.TEST [DIR]  one case (with the state in DIR, if given)
    ctest_bridge.py cleanup MODULE.CLASS DIR     the class's tearDownClass, then DIR removed

A class with a setUpClass of its own builds one workspace for all its cases.
CTest runs that once as a fixture setup test (`setup`), which keeps the
workspace under DIR and the class attributes setUpClass set in DIR/state.pickle;
each case then runs in a process of its own with those attributes restored
instead of a second setUpClass, and a cleanup test removes DIR. The modules
stay plain unittest modules: `python3 -m unittest test_cache` runs them as
before.

`run` exits 0 when the case passed, SKIPPED (CTest's SKIP_RETURN_CODE) when
it was skipped and 1 otherwise; unittest's verbose lines go to stderr.
"""

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
# Defaults for a case or a fixture setup without ctest_properties (wyn_e2e.py).
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
    """The CTest properties of a case or a fixture setup: the defaults, then
    what ctest_properties set on its class, then on its method (the test
    method, or setUpClass for the setup)."""
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


def cases(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from cases(item)
        else:
            yield item


def list_cases(out_path, module_paths):
    """Writes the cases of the modules to out_path as JSON: one entry per case
    and one per class with a fixture, each with its CTest properties."""
    entries, fixtures = [], []
    loader = unittest.TestLoader()
    for path in module_paths:
        name = os.path.splitext(os.path.basename(path))[0]
        module = import_module(name, path)
        if os.path.realpath(getattr(module, "__file__", "")) != os.path.realpath(path):
            fail(f"{path}: importing '{name}' found {module.__file__} instead")
        found = 0
        seen_classes = set()
        for case in cases(loader.loadTestsFromModule(module)):
            if isinstance(case, unittest.loader._FailedTest) or case.id().startswith("unittest.loader."):
                fail(f"{path}: cannot load its tests: {case.id()}")
            cls = type(case)
            if cls.__module__ != name:
                continue  # imported from another module: listed with that one
            method = getattr(cls, case._testMethodName)
            qualified = f"{cls.__module__}.{cls.__qualname__}"
            fixture = has_fixture(cls)
            if fixture and qualified not in seen_classes:
                fixtures.append({"module": name, "class": qualified,
                                 **properties(cls, cls.setUpClass.__func__)})
            seen_classes.add(qualified)
            entries.append({"module": name, "class": qualified, "id": case.id(),
                            "fixture": fixture, **properties(cls, method)})
            found += 1
        if found == 0:
            fail(f"{path}: defines no test case")
    text = json.dumps({"cases": entries, "fixtures": fixtures}, indent=1) + "\n"
    try:
        with open(out_path) as f:
            if f.read() == text:
                return  # unchanged: CMake need not look at a newer file
    except OSError:
        pass
    with open(out_path, "w") as f:
        f.write(text)


def class_attributes_set_by(cls, before):
    """The public class attributes setUpClass added or replaced."""
    return {k: v for k, v in vars(cls).items()
            if not k.startswith("_") and (k not in before or before[k] is not v)}


def setup(qualified, state_dir):
    cls = find_class(qualified)
    shutil.rmtree(state_dir, ignore_errors=True)
    work = os.path.join(state_dir, "work")
    os.makedirs(work)
    # The workspaces setUpClass makes (tempfile.mkdtemp) go below DIR, where
    # the cases find them and the cleanup test removes them all.
    tempfile.tempdir = work
    before = dict(vars(cls))
    state = {"skipped": None, "attributes": {}}
    try:
        if getattr(cls, "__unittest_skip__", False):
            raise unittest.SkipTest(getattr(cls, "__unittest_skip_why__", ""))
        cls.setUpClass()
    except unittest.SkipTest as e:
        state["skipped"] = str(e)
    except Exception:
        traceback.print_exc()
        cls.doClassCleanups()
        return 1
    if state["skipped"] is None:
        state["attributes"] = class_attributes_set_by(cls, before)
    try:
        data = pickle.dumps(state)
    except Exception as e:
        print(f"ctest_bridge: error: {qualified}.setUpClass set an attribute that cannot be kept "
              f"for the cases' processes: {e}", file=sys.stderr)
        cls.doClassCleanups()
        return 1
    with open(os.path.join(state_dir, STATE), "wb") as f:
        f.write(data)
    # The class cleanups (removing the workspaces) are the cleanup test's.
    if state["skipped"] is not None:
        print(f"{qualified}.setUpClass: skipped {state['skipped']!r}", file=sys.stderr)
        return SKIPPED
    print(f"{qualified}.setUpClass: {len(state['attributes'])} attributes kept in {state_dir}",
          file=sys.stderr)
    return 0


def restore(cls, state_dir, tear_down=False):
    """Makes setUpClass restore what the fixture's setup test kept; the
    class's tearDownClass stays only if `tear_down` (the cleanup test's)."""
    path = os.path.join(state_dir, STATE)
    try:
        with open(path, "rb") as f:
            state = pickle.load(f)
    except OSError as e:
        fail(f"{path}: {e.strerror}: the fixture setup test of {cls.__qualname__} did not run or failed")

    def set_up_class(c):
        if state["skipped"] is not None:
            raise unittest.SkipTest(state["skipped"])
        for k, v in state["attributes"].items():
            setattr(c, k, v)

    cls.setUpClass = classmethod(set_up_class)
    if not tear_down:
        cls.tearDownClass = classmethod(lambda c: None)


def run(test_id, state_dir=None):
    module_name, class_name, _ = test_id.rsplit(".", 2)
    cls = find_class(f"{module_name}.{class_name}")
    if state_dir is not None:
        restore(cls, state_dir)
    suite = unittest.TestLoader().loadTestsFromName(test_id)
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=2).run(suite)
    if not result.wasSuccessful():
        return 1
    # A skip in setUpClass counts no test run.
    return SKIPPED if result.skipped and len(result.skipped) >= result.testsRun else 0


def cleanup(qualified, state_dir):
    cls = find_class(qualified)
    status = 0
    if os.path.exists(os.path.join(state_dir, STATE)):
        restore(cls, state_dir, tear_down=True)
        try:
            cls.setUpClass()
            cls.tearDownClass()
        except unittest.SkipTest:
            pass
        except Exception:
            traceback.print_exc()
            status = 1
    shutil.rmtree(state_dir, ignore_errors=True)
    return status


def main(argv):
    if len(argv) >= 3 and argv[1] == "list":
        return list_cases(argv[2], argv[3:]) or 0
    if len(argv) == 4 and argv[1] == "setup":
        return setup(argv[2], argv[3])
    if len(argv) in (3, 4) and argv[1] == "run":
        return run(argv[2], argv[3] if len(argv) == 4 else None)
    if len(argv) == 4 and argv[1] == "cleanup":
        return cleanup(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
