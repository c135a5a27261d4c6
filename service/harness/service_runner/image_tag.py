"""The image's tag, named by what goes into the image, so that a rebuilt image never keeps an old
tag (a node that holds an image under a tag keeps it, and a pod would restart the old code).

    python -m service_runner.image_tag   # 5fd9416, 5fd9416-dirty-1a2b3c4d or content-1a2b3c4d

- a tree whose image inputs are as committed: the commit's short hash;
- uncommitted changes to them (tracked files changed, untracked files that git does not ignore):
  ``<commit>-dirty-<hash of those changes>``, a tag of its own for each new content;
- outside git (or before the first commit): ``content-<hash of every input>``.

The inputs are what a build reads: the Dockerfile, ``.dockerignore``, and the files that
``.dockerignore`` lets into the build context. Files that git ignores, such as the trained model,
are left out under git: a model retrained at the same commit keeps the tag (``make
minikube-image`` then tells the two images apart by their ids).
"""

import argparse
import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from common.paths import PROJECT_ROOT
from system_tools import located

ALWAYS_READ = ("Dockerfile", ".dockerignore")  # read by every build, whatever the context holds
HASH_LENGTH = 8
WILDCARDS = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Rule:
    """One line of ``.dockerignore``: a pattern, and whether it lets files back in (``!``)."""

    pattern: str
    negated: bool

    @property
    def regex(self) -> re.Pattern[str]:
        """The pattern as Docker reads it: ``*`` and ``?`` within a path segment, ``**`` across."""
        parts = re.split(r"(\*\*/|\*\*|\*|\?)", self.pattern)
        wildcards = {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}
        return re.compile("".join(wildcards.get(part, re.escape(part)) for part in parts))

    def matches(self, path: str) -> bool:
        """Whether the pattern names ``path`` or one of the folders it is in."""
        parts = path.split("/")
        return any(self.regex.fullmatch("/".join(parts[:end])) for end in range(1, len(parts) + 1))


def read_rules(dockerignore: Path) -> list[Rule]:
    """The rules of a ``.dockerignore``; none when there is none (everything is an input)."""
    if not dockerignore.is_file():
        return []
    rules = []
    for line in dockerignore.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = os.path.normpath(line.removeprefix("!").strip()).lstrip("/")
        rules.append(Rule(pattern, negated))
    return rules


@dataclass(frozen=True)
class BuildContext:
    """Which files of a project a build reads, by its ``.dockerignore``."""

    root: Path
    rules: tuple[Rule, ...]

    @classmethod
    def of(cls, root: Path) -> "BuildContext":
        return cls(root, tuple(read_rules(root / ".dockerignore")))

    def includes(self, path: str) -> bool:
        """Whether a build reads ``path`` (relative, ``/``-separated): the last rule naming it
        decides."""
        if path in ALWAYS_READ:
            return True
        kept = True
        for rule in self.rules:
            if rule.matches(path):
                kept = rule.negated
        return kept

    def may_hold_inputs(self, folder: str) -> bool:
        """Whether anything under ``folder`` can be an input, so that a walk descends into it."""
        if self.includes(folder):
            return True
        below = folder + "/"
        literals = (WILDCARDS.split(rule.pattern)[0] for rule in self.rules if rule.negated)
        return any(below.startswith(literal) or literal.startswith(below) for literal in literals)

    def inputs(self) -> list[str]:
        """Every input file under the root, sorted, found without git."""
        found = []
        for folder, folders, files in os.walk(self.root):
            where = Path(folder).relative_to(self.root).as_posix()
            prefix = "" if where == "." else where + "/"
            folders[:] = [name for name in folders if self.may_hold_inputs(prefix + name)]
            found += [prefix + name for name in files if self.includes(prefix + name)]
        return sorted(found)


def content_hash(root: Path, paths: list[str]) -> str:
    """A short hash of the paths and their bytes (a missing file counts as deleted)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        file = root / path
        digest.update(path.encode() + b"\0")
        digest.update(file.read_bytes() if file.is_file() else b"<deleted>")
        digest.update(b"\0")
    return digest.hexdigest()[:HASH_LENGTH]


def git(root: Path, *arguments: str) -> str | None:
    """What a git command printed in ``root``; None without git, or when it fails."""
    executable = located("git")
    if executable is None:
        return None
    done = subprocess.run(
        [executable, "-C", str(root), *arguments], capture_output=True, text=True, check=False
    )
    return done.stdout if done.returncode == 0 else None


def changed_paths(root: Path) -> list[str] | None:
    """Files that differ from the commit: tracked ones changed or deleted, and untracked ones that
    git does not ignore; None when git cannot say."""
    tracked = git(root, "diff", "--name-only", "--no-renames", "--relative", "-z", "HEAD")
    untracked = git(root, "ls-files", "--others", "--exclude-standard", "-z")
    if tracked is None or untracked is None:
        return None
    return [path for path in (tracked + untracked).split("\0") if path]


def image_tag(root: Path = PROJECT_ROOT) -> str:
    """The tag for an image built from ``root`` (this module's docstring says how it is made)."""
    context = BuildContext.of(root)
    commit = git(root, "rev-parse", "--short", "HEAD")
    changed = changed_paths(root) if commit else None
    if changed is None:
        return f"content-{content_hash(root, context.inputs())}"
    inputs = [path for path in changed if context.includes(path)]
    if not inputs:
        return commit.strip()
    return f"{commit.strip()}-dirty-{content_hash(root, inputs)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m service_runner.image_tag", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--root", type=Path, default=PROJECT_ROOT, help="the project's folder")
    print(image_tag(parser.parse_args(argv).root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
