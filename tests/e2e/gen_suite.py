#!/usr/bin/env python3
"""Writes a generated Wyn suite of N tests, for scale tests and benchmarks.

    python3 tests/e2e/gen_suite.py DIR N [--per-dir 100] [--modules 10] [--skip]
                                   [--fake-compiler PATH]

DIR receives N test files spread over sub-directories of at most --per-dir
files each (d0000/, d0001/, ...). Every sub-directory also holds --modules
module files; one test in four imports one of them, so the suite exercises
staging and module dependencies too. Every test passes with the stand-in
compiler. With --skip every test carries `// SKIP:`: the build graph and the
CTest registration are the same, but no compiler runs (for quick checks of
the harness's own overhead). Existing files with the same content are left
untouched (their mtimes do not move), so re-running the script is a no-op.

--fake-compiler PATH also writes a stand-in for the stand-in: a build-style
"compiler" (pass it as WYN_COMPILER) whose programs are shell scripts
printing the file's EXPECT lines. The generated tests pass with it, and a
compile costs a few process starts instead of a C compile, so a first build
of 10,000 tests takes minutes, not hours; it measures the harness.
"""

import argparse
import os

TEST = """// EXPECT: test {i}
// LABELS: generated
fn main() -> int {{
    println("test {i}")
    return 0
}}
"""

IMPORTER = """// EXPECT: test {i}
// EXPECT: module {m}
import {{ hello_{m} }} from mod_{m}
fn main() -> int {{
    println("test {i}")
    hello_{m}()
    return 0
}}
"""

MODULE = """fn hello_{m}() {{
    println("module {m}")
}}
"""


FAKE_COMPILER = r"""#!/bin/sh
# A fake build-style Wyn compiler (tests/e2e/gen_suite.py): the program it
# writes prints the source's EXPECT lines. For measuring the harness only.
[ "$1" = "--version" ] && { echo "Wyn v1.20.0 (gen_suite fake)"; exit 0; }
[ "$1" = build ] && [ "$3" = -o ] || { echo "usage: wyn build FILE -o OUT" >&2; exit 2; }
{ echo '#!/bin/sh'; sed -n "s/^\/\/ EXPECT: \(.*\)$/echo '\1'/p" "$2"; } > "$4" && chmod +x "$4"
"""


def write_fake_compiler(path):
    with open(path, "w") as f:
        f.write(FAKE_COMPILER)
    os.chmod(path, 0o755)


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except FileNotFoundError:
        pass
    with open(path, "w") as f:
        f.write(text)


def generate(root, count, per_dir=100, modules=10, skip=False):
    """Writes the suite; returns the number of tests."""
    for i in range(count):
        directory = os.path.join(root, f"d{i // per_dir:04d}")
        if i % per_dir == 0:
            os.makedirs(directory, exist_ok=True)
            for m in range(modules):
                write_if_changed(os.path.join(directory, f"mod_{m}.wyn"), MODULE.format(m=m))
        if modules and i % 4 == 3:
            text = IMPORTER.format(i=i, m=(i // 4) % modules)
        else:
            text = TEST.format(i=i)
        if skip:
            text = "// SKIP: generated for a scale test\n" + text
        write_if_changed(os.path.join(directory, f"t{i:05d}.wyn"), text)
    return count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir")
    parser.add_argument("count", type=int)
    parser.add_argument("--per-dir", type=int, default=100)
    parser.add_argument("--modules", type=int, default=10)
    parser.add_argument("--skip", action="store_true", help="mark every test SKIP: nothing compiles")
    parser.add_argument("--fake-compiler", metavar="PATH", help="also write a fake compiler to PATH")
    args = parser.parse_args()
    generate(args.dir, args.count, args.per_dir, args.modules, args.skip)
    if args.fake_compiler:
        write_fake_compiler(args.fake_compiler)


if __name__ == "__main__":
    main()
