"""Checks the reliability tests share: processes left behind, strict JSON,
waiting with a deadline. No test cases here."""

import json
import math
import os
import time


def processes_mentioning(text, exclude=()):
    """Pids of live processes (not zombies) whose command line contains `text`."""
    found = []
    needle = text.encode()
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) in exclude:
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
            with open(f"/proc/{pid}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in cmdline and state not in (b"Z", b"X"):
            found.append(int(pid))
    return found


def describe(pids):
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
            out.append(f"{pid}: {cmdline}")
        except OSError:
            out.append(f"{pid}: (gone)")
    return "\n".join(out)


def wait_until(predicate, seconds, interval=0.05):
    """Polls `predicate` until it returns a true value or `seconds` pass; returns its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def _reject_constant(name):
    raise ValueError(f"not JSON: {name}")


def _check_strings(value, path="$"):
    """Every string must be encodable as UTF-8: no lone surrogates from \\ud800 escapes."""
    if isinstance(value, str):
        value.encode("utf-8")  # raises UnicodeEncodeError on a lone surrogate
    elif isinstance(value, dict):
        for k, v in value.items():
            _check_strings(k, path)
            _check_strings(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_strings(v, f"{path}[{i}]")
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{path}: non-finite number")


def load_strict_json(path):
    """Parses `path` as RFC 8259 JSON: valid UTF-8 bytes, no NaN or Infinity,
    no raw control characters in strings, no lone surrogates."""
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8")  # strict: invalid UTF-8 raises
    value = json.loads(text, parse_constant=_reject_constant)  # strict=True: no raw controls
    _check_strings(value)
    return value


def records_under(build_dir):
    """Every result.json below the build directory."""
    found = []
    for dirpath, _, filenames in os.walk(build_dir):
        if "result.json" in filenames:
            found.append(os.path.join(dirpath, "result.json"))
    return found
