"""The documentation that describes the source tree stays true to it: the
tree in docs/architecture.md names every folder under generator/ and no
other, each folder says what it owns, and the links between the Markdown
files lead somewhere."""

import os
import re
import unittest

from wyn_e2e import REPO

GENERATOR = os.path.join(REPO, "generator")


def generator_folders():
    found = set()
    for root, dirs, _ in os.walk(GENERATOR):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for d in dirs:
            found.add(os.path.relpath(os.path.join(root, d), GENERATOR))
    return found


def architecture_tree():
    """The folders drawn in the `generator/` block of docs/architecture.md,
    indentation giving the nesting, each with its one-line comment."""
    with open(os.path.join(REPO, "docs", "architecture.md")) as f:
        text = f.read()
    block = re.search(r"```\ngenerator/\n(.*?)```", text, re.S)
    if not block:
        raise AssertionError("docs/architecture.md has no ```generator/ ...``` block")
    folders, parents = {}, []
    for line in block.group(1).splitlines():
        m = re.match(r"^( *)([a-z_]+)/\s+(\S.*)$", line)
        if not m:
            raise AssertionError(f"not a folder line in the tree: {line!r}")
        depth = (len(m.group(1)) - 2) // 2
        parents[depth:] = [m.group(2)]
        folders["/".join(parents)] = m.group(3)
    return folders


class SourceLayout(unittest.TestCase):
    def test_the_architecture_tree_is_the_folders_of_generator(self):
        drawn = set(architecture_tree())
        real = generator_folders()
        self.assertEqual(sorted(real - drawn), [], "folders missing from docs/architecture.md")
        self.assertEqual(sorted(drawn - real), [], "folders in docs/architecture.md that do not exist")

    def test_every_folder_says_what_it_owns(self):
        for folder, comment in architecture_tree().items():
            self.assertGreater(len(comment.split()), 3, f"{folder}: a comment of a few words at least")
            readme = os.path.join(GENERATOR, folder, "README.md")
            self.assertTrue(os.path.isfile(readme), f"generator/{folder} has no README.md")


class MarkdownLinks(unittest.TestCase):
    def test_relative_links_lead_to_files(self):
        pages = [os.path.join(REPO, "README.md")]
        for folder in ("docs", "bench", os.path.join("bench", "parity"), "generator"):
            for root, _, files in os.walk(os.path.join(REPO, folder)):
                pages += [os.path.join(root, f) for f in files if f.endswith(".md")]
        broken = []
        for page in pages:
            with open(page) as f:
                for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", f.read()):
                    if re.match(r"^[a-z]+:", target):
                        continue
                    if not os.path.exists(os.path.join(os.path.dirname(page), target)):
                        broken.append(f"{os.path.relpath(page, REPO)} -> {target}")
        self.assertEqual(broken, [])


if __name__ == "__main__":
    unittest.main()
