"""The tools' unity groups (generator/CMakeLists.txt, WYN_UNITY_BUILD) stay
safe: the files of a group are compiled as one translation unit, so a name
local to one file (an anonymous namespace, `static`) is visible in the files
after it. Where another file of the group defines the same name, the
compiler stops; where another file calls a name of that spelling from a
header, it may silently call the local one instead (a one-line HTML escape
in place of the report's own). So no file-local name of a file may appear
in another file of its group."""

import glob
import os
import re
import tempfile
import unittest

from wyn_e2e import CMAKE, REPO, ctest_properties, run

KEYWORDS = {"if", "for", "while", "switch", "return", "sizeof", "decltype", "operator",
            "static_assert", "alignof", "noexcept"}


def file_local_names(text):
    """The names a C++ source defines at the top level of its anonymous
    namespaces, and with `static` at file scope (clang-format's layout: the
    definitions start in column 0, `namespace {` opens and
    `}  // namespace` closes an anonymous namespace)."""
    names, anonymous = set(), False
    text = re.sub(r'R"(\w*)\((.*?)\)\1"', '""', text, flags=re.S)  # raw strings (CSS, scripts)
    for line in text.splitlines():
        if line.startswith("namespace {"):
            anonymous = True
            continue
        if anonymous and line.startswith("}  // namespace"):
            anonymous = False
            continue
        if not (anonymous or line.startswith("static ")):
            continue
        # Nested namespaces reopen; a using-declaration names what exists.
        if not line or line[0] in " \t}/#" or re.match(r"(namespace|using)\s+[\w:]+\s*(\{|;)", line):
            continue
        line = re.sub(r"^(static|inline|constexpr|const|template\s*<[^>]*>)\s+", "", line)
        line = re.sub(r"^(static|inline|constexpr|const)\s+", "", line)
        patterns = (
            r"(?:struct|class|enum(?: class)?|union)\s+(\w+)\s*(?:\{|:|final|;|$)",
            r"using\s+(\w+)\s*=",
            r"[\w:<>,\*&\s]*?\b(\w+)\s*\(",
            r"[\w:<>,\*&\s]*?\b(\w+)\s*(?:=|\[|;|\{)",
        )
        for pattern in patterns:
            m = re.match(pattern, line)
            if m:
                if m.group(1) not in KEYWORDS:
                    names.add(m.group(1))
                break
    return names


def code_without_comments_and_strings(text):
    text = re.sub(r'R"(\w*)\((.*?)\)\1"', '""', text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r'"(\\.|[^"\\\n])*"', '""', text)


def clashes(unity_files):
    """(group, name, file it is local to, other file) for every file-local
    name of a file that another file of its group spells (not as a member:
    `.name`, `->name`, `X::name` are other names)."""
    found = []
    for unity in sorted(unity_files):
        with open(unity) as f:
            members = re.findall(r'#include "([^"]+)"', f.read())
        texts = {}
        for member in members:
            with open(member, encoding="utf-8", errors="replace") as f:
                texts[member] = f.read()
        code = {m: code_without_comments_and_strings(t) for m, t in texts.items()}
        for a in members:
            for name in sorted(file_local_names(texts[a])):
                for b in members:
                    if b != a and re.search(r"(?<![.\w>:])" + re.escape(name) + r"\b", code[b]):
                        found.append((os.path.basename(unity), name, a, b))
    return found


@ctest_properties(timeout=120)
class UnityGroups(unittest.TestCase):
    def test_no_file_local_name_is_spelled_in_another_file_of_its_group(self):
        # CMake writes the groups' sources when it generates: no build needed.
        # Both process backends: their files are in a group.
        found = []
        for backend in ("linux", "posix"):
            with tempfile.TemporaryDirectory() as build:
                run([CMAKE, "-S", os.path.join(REPO, "generator"), "-B", build, "-G", "Ninja",
                     "-DWYN_UNITY_BUILD=ON", f"-DWYN_PROCESS_BACKEND={backend}"], check=True)
                unity_files = glob.glob(os.path.join(build, "**", "Unity", "unity_*.cxx"),
                                        recursive=True)
                self.assertGreater(len(unity_files), 5, "no unity groups generated")
                found += [c for c in clashes(unity_files) if c not in found]
        self.assertEqual(found, [], "\n".join(
            f"{group}: '{name}' is local to {os.path.relpath(a, REPO)} and spelled in "
            f"{os.path.relpath(b, REPO)}: rename it" for group, name, a, b in found))

    def test_the_check_finds_a_local_name_that_hides_a_public_one(self):
        with tempfile.TemporaryDirectory() as tmp:
            files = {
                "markdown.cpp": "namespace wyn {\nnamespace {\n\nconstexpr int kShown = 4;\n\n"
                                "std::string html_escape(const std::string& text) {\n"
                                "  return text;\n}\n\n}  // namespace\n}  // namespace wyn\n",
                "html.cpp": "namespace wyn {\nnamespace {\n\nstd::string row(const Test& t) {\n"
                            "  return html_escape(t.name) + t.kShown;\n}\n\n}  // namespace\n"
                            "}  // namespace wyn\n",
            }
            for name, text in files.items():
                with open(os.path.join(tmp, name), "w") as f:
                    f.write(text)
            unity = os.path.join(tmp, "unity_report_cxx.cxx")
            with open(unity, "w") as f:
                f.write("".join(f'#include "{os.path.join(tmp, n)}"\n' for n in files))
            found = [(name, os.path.basename(a), os.path.basename(b))
                     for _, name, a, b in clashes([unity])]
        # kShown is a member there (t.kShown), not the local constant.
        self.assertEqual(found, [("html_escape", "markdown.cpp", "html.cpp")])


if __name__ == "__main__":
    unittest.main()
