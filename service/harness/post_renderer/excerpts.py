"""Excerpts of the project's files for the post, read from the files, so they cannot drift.

- ``source_excerpt(obj, *members)``: a function's or a class's source; with members, only the
  class's header (decorators, ``class`` line, docstring) and those members. For a module, the
  members are names in it (``"LoggingDecorator.predict"``). A member shows under the header of
  each class that holds it.
- ``python_file_excerpt(path, *names)``: the same, from a Python file that is not imported.
- ``yaml_excerpt(path, *keys, kind=None)``: the named keys of a YAML file, each under the lines
  of the keys that hold it. A key is a dotted path; an item of a list is named by its index or
  by its ``name`` field (``spec.template.spec.containers.service.resources``). ``kind`` picks one
  document of a file that holds several (``kind="Service"``).
- ``listing(path)``: a whole file.

Lines are copied as they are, with the comments just above a shown definition or key; lines left
out show as one ``# ...``. An ``Excerpt`` displays in a notebook as a fenced block in markdown,
which the post keeps as it is, and a link to the whole file. The link is relative to
``notebooks/``, and works from ``blog_post/`` too: both are one folder below the project's root.
"""

import ast
import inspect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

from common.paths import PROJECT_ROOT
from post_renderer.portable import fenced

LINK_PREFIX = "../"  # from notebooks/ (and blog_post/) to the project's root
GAP = "# ..."
LANGUAGES = {".py": "python", ".yaml": "yaml", ".yml": "yaml", ".sh": "bash", ".toml": "toml"}
CLASS_OR_FUNCTION = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


class ExcerptError(Exception):
    """What to excerpt cannot be found, or the file cannot be linked from the post."""


@dataclass(frozen=True)
class Excerpt:
    """Lines of one of the project's files, in a language, and the link to the whole file."""

    path: Path
    text: str
    language: str

    def link(self) -> str:
        """The whole file as a markdown link, relative to ``notebooks/`` and ``blog_post/``."""
        name = project_relative(self.path)
        return f"[`{name}`]({LINK_PREFIX}{name})"

    def _repr_markdown_(self) -> str:
        return fenced(self.text, self.language) + f"\nThe whole file: {self.link()}\n"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text)  # the plain-text view: the lines alone

    def __str__(self) -> str:
        return self.text


def project_relative(path: Path) -> str:
    """The file's path from the project's root; ExcerptError for a file outside the project."""
    try:
        return Path(path).resolve().relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        raise ExcerptError(
            f"{path} is outside the project: the post links only to the project's files"
        ) from None


def language_of(path: Path) -> str:
    return LANGUAGES.get(path.suffix, "dockerfile" if path.name == "Dockerfile" else "text")


def read_lines(path: Path) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ExcerptError(f"cannot read {path}: {error}") from error


def listing(path: str | Path) -> Excerpt:
    """The whole file."""
    path = Path(path)
    return Excerpt(path, "\n".join(read_lines(path)), language_of(path))


def indent_of(line: str) -> int:
    return len(line) - len(line.lstrip())


def with_comments_above(lines: list[str], first: int) -> int:
    """The first line of the comment block just above ``lines[first]`` at its indentation."""
    while (
        first > 0
        and lines[first - 1].lstrip().startswith("#")
        and indent_of(lines[first - 1]) == indent_of(lines[first])
    ):
        first -= 1
    return first


def gap_lines(omitted: list[str]) -> list[str]:
    """What stands for omitted lines: their blank lines at either end, and one ``# ...`` at the
    indentation of the least indented line between; blank lines stay as they are."""
    content = [index for index, line in enumerate(omitted) if line.strip()]
    if not content:
        return omitted
    indent = min(indent_of(omitted[index]) for index in content)
    return [*omitted[: content[0]], " " * indent + GAP, *omitted[content[-1] + 1 :]]


def excerpt_text(lines: list[str], shown: Iterable[int]) -> str:
    """The ``shown`` lines (0-based), in order, each run of lines left out between them a gap."""
    chosen = sorted(set(shown))
    result: list[str] = []
    for previous, current in zip([None, *chosen], chosen, strict=False):
        if previous is not None and current > previous + 1:
            result += gap_lines(lines[previous + 1 : current])
        result.append(lines[current])
    return "\n".join(result)


# Python


def source_excerpt(obj: Any, *members: str) -> Excerpt:
    """The source of a class, function or module; with ``members``, only those of it."""
    try:
        path = Path(inspect.getsourcefile(obj) or "")
    except TypeError as error:
        raise ExcerptError(f"{obj!r} has no source file: {error}") from None
    if isinstance(obj, ModuleType):
        if not members:
            return listing(path)
        names = list(members)
    else:
        names = [f"{obj.__qualname__}.{member}" for member in members] or [obj.__qualname__]
    return python_file_excerpt(path, *names)


def python_file_excerpt(path: str | Path, *names: str) -> Excerpt:
    """The named definitions of a Python file (``"Class"``, ``"Class.method"``), read without
    importing it: for a module that must not run in the notebook, such as a locustfile."""
    if not names:
        raise ExcerptError(f"name the definitions of {Path(path).name} to show, or use listing()")
    lines = read_lines(Path(path))
    tree = ast.parse("\n".join(lines))
    shown = [index for name in names for index in python_lines(tree, name, lines, Path(path))]
    return Excerpt(Path(path), excerpt_text(lines, shown), "python")


def python_lines(tree: ast.Module, qualname: str, lines: list[str], path: Path) -> Iterator[int]:
    """The lines (0-based) of a definition, under the headers of the classes that hold it."""
    scope: ast.AST = tree
    parts = qualname.split(".")
    for depth, part in enumerate(parts):
        node = named_statement(scope, part)
        if node is None:
            where = ".".join(parts[:depth]) or path.name
            raise ExcerptError(
                f"{where} has no {part!r} (it has {', '.join(statement_names(scope))})"
            )
        last = depth == len(parts) - 1
        if not last and not isinstance(node, ast.ClassDef):
            raise ExcerptError(f"{'.'.join(parts[: depth + 1])} is not a class")
        yield from node_lines(node, lines) if last else class_header(node, lines)
        scope = node


def defined_names(statement: ast.stmt) -> Iterator[str]:
    """The names a statement defines: a class's, a function's, an assigned name."""
    if isinstance(statement, CLASS_OR_FUNCTION):
        yield statement.name
    elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        yield statement.target.id
    elif isinstance(statement, ast.Assign):
        yield from (target.id for target in statement.targets if isinstance(target, ast.Name))


def statement_names(scope: ast.AST) -> Iterator[str]:
    for statement in getattr(scope, "body", []):
        yield from defined_names(statement)


def named_statement(scope: ast.AST, name: str) -> ast.stmt | None:
    """The last statement of ``scope``'s body that defines ``name`` (the one that counts)."""
    found = None
    for statement in getattr(scope, "body", []):
        if name in defined_names(statement):
            found = statement
    return found


def first_line(node: ast.stmt) -> int:
    """The statement's first line (0-based), its decorators included."""
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(decorator.lineno for decorator in decorators)]) - 1


def node_lines(node: ast.stmt, lines: list[str]) -> range:
    """A statement's lines (0-based), with the comment block just above it."""
    return range(with_comments_above(lines, first_line(node)), node.end_lineno)


def class_header(node: ast.ClassDef, lines: list[str]) -> range:
    """A class's decorators, ``class`` line and docstring (0-based lines)."""
    body = node.body[0]
    has_docstring = isinstance(body, ast.Expr) and isinstance(
        getattr(body, "value", None), ast.Constant
    )
    end = body.end_lineno if has_docstring else body.lineno - 1
    return range(with_comments_above(lines, first_line(node)), end)


# YAML


def yaml_excerpt(path: str | Path, *keys: str, kind: str | None = None) -> Excerpt:
    """The named keys of a YAML file (dotted paths), each under the lines of its parents."""
    path = Path(path)
    lines = read_lines(path)
    document = yaml_document(path, "\n".join(lines), kind)
    shown = [index for key in keys for index in yaml_lines(document, key, lines, path)]
    return Excerpt(path, excerpt_text(lines, shown), "yaml")


def yaml_document(path: Path, text: str, kind: str | None) -> yaml.Node:
    """The file's one document, or the one of the given ``kind``."""
    try:
        documents = [node for node in yaml.compose_all(text) if node is not None]
    except yaml.YAMLError as error:
        raise ExcerptError(f"{path} is not valid YAML: {error}") from error
    if kind is not None:
        documents = [node for node in documents if scalar_value(child(node, "kind")) == kind]
    if len(documents) != 1:
        what = f"of kind {kind!r}" if kind else "(name one with kind=...)"
        raise ExcerptError(f"{path} has {len(documents)} documents {what}, not one")
    return documents[0]


def scalar_value(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def child(node: yaml.Node, segment: str) -> yaml.Node | None:
    """The value of a mapping's key, or a list's item by index or by its ``name`` field."""
    if isinstance(node, yaml.MappingNode):
        return next((value for key, value in node.value if key.value == segment), None)
    if isinstance(node, yaml.SequenceNode):
        if re.fullmatch(r"\d+", segment):
            return node.value[int(segment)] if int(segment) < len(node.value) else None
        return next(
            (item for item in node.value if scalar_value(child(item, "name")) == segment), None
        )
    return None


def children_names(node: yaml.Node) -> list[str]:
    if isinstance(node, yaml.MappingNode):
        return [str(key.value) for key, _ in node.value]
    if isinstance(node, yaml.SequenceNode):
        names = [scalar_value(child(item, "name")) for item in node.value]
        return [name or str(index) for index, name in enumerate(names)]
    return []


def entry_start(parent: yaml.Node, node: yaml.Node) -> int:
    """The line where an entry starts: its key's in a mapping, the item's own in a list."""
    if isinstance(parent, yaml.MappingNode):
        return next(key for key, value in parent.value if value is node).start_mark.line
    return node.start_mark.line


def last_line(node: yaml.Node) -> int:
    """The last line (0-based) that holds some of the node."""
    if isinstance(node, yaml.ScalarNode) or node.flow_style or not node.value:
        end = node.end_mark
        return end.line if end.column > 0 else end.line - 1
    last = node.value[-1]
    return last_line(last[1] if isinstance(node, yaml.MappingNode) else last)


def yaml_lines(document: yaml.Node, key: str, lines: list[str], path: Path) -> Iterator[int]:
    """The lines (0-based) of the key's entry, with the comments above it, and the first line
    of each entry that holds it."""
    node, segments = document, key.split(".")
    for depth, segment in enumerate(segments):
        found = child(node, segment)
        if found is None:
            where = ".".join(segments[:depth]) or path.name
            raise ExcerptError(
                f"{where} has no {segment!r} (it has {', '.join(children_names(node)) or '-'})"
            )
        start = entry_start(node, found)
        if depth < len(segments) - 1:
            yield start
        else:
            end = max(start, last_line(found))
            while end > start and not lines[end].strip():
                end -= 1
            yield from range(with_comments_above(lines, start), end + 1)
        node = found
