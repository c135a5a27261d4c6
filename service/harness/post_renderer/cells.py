"""What a page shows of a notebook cell: which cells it leaves out, and its headings' level.

In the main post each notebook becomes a section, so its headings move down one level: the
notebook's ``#`` title becomes a ``##`` section title under the post's own title. A companion
page is one notebook, whose ``#`` title is the page's title: its headings stay as they are. The
renderer and the in-sync check both go through these functions, so they cannot disagree about a
cell.
"""

import copy
import re
from collections.abc import Iterator

from nbformat import NotebookNode

from post_renderer.facts import is_fact

REMOVED_CELL_TAGS = frozenset({"parameters", "injected-parameters", "hide-cell"})
REMOVED_INPUT_TAGS = frozenset({"hide-input"})
NEEDS_TAG_PREFIX = "needs-"  # needs-prometheus: left out when prometheus was missing

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX_HEADING = re.compile(r"^( {0,3})(#{1,6})(?=[ \t]|$)")
DEEPEST_HEADING = 6


def tags_of(cell: NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def is_removed(cell: NotebookNode) -> bool:
    """True for a cell the post leaves out entirely (parameters, injected parameters, hide-cell)."""
    return bool(tags_of(cell) & REMOVED_CELL_TAGS)


def shown_source(cell: NotebookNode, demote: bool = True) -> str | None:
    """The cell's source as the page shows it (headings one level down if ``demote``), or None
    when the page does not show it."""
    if is_removed(cell) or tags_of(cell) & REMOVED_INPUT_TAGS or cell.cell_type == "raw":
        return None
    return demote_headings(cell.source) if cell.cell_type == "markdown" and demote else cell.source


def prose_lines(lines: list[str]) -> Iterator[int]:
    """Indexes of the markdown lines outside fenced code blocks."""
    fence = ""
    for index, line in enumerate(lines):
        marker = FENCE.match(line)
        if fence:
            if marker and marker.group(1).startswith(fence) and not line[marker.end() :].strip():
                fence = ""
        elif marker:
            fence = marker.group(1)
        else:
            yield index


def demote_headings(markdown: str) -> str:
    """Every ATX heading one level deeper (``#`` to ``##``; ``######`` stays); code is untouched."""
    lines = markdown.split("\n")
    for index in prose_lines(lines):
        lines[index] = ATX_HEADING.sub(_one_level_deeper, lines[index])
    return "\n".join(lines)


def _one_level_deeper(heading: re.Match[str]) -> str:
    indent, hashes = heading.groups()
    return indent + hashes + ("#" if len(hashes) < DEEPEST_HEADING else "")


def as_shown(cell: NotebookNode, demote: bool = True) -> NotebookNode:
    """A copy of the cell without the facts it recorded, and if ``demote``, with its headings,
    and those of its markdown outputs, one level down."""
    shown = copy.deepcopy(cell)
    if "outputs" in shown:  # the facts a cell recorded are for the renderer, not the reader
        shown.outputs = [output for output in shown.outputs if not is_fact(output)]
    if not demote:
        return shown
    if shown.cell_type == "markdown":
        shown.source = demote_headings(shown.source)
    for output in shown.get("outputs", []):
        if "text/markdown" in output.get("data", {}):
            output.data["text/markdown"] = demote_headings(output.data["text/markdown"])
    return shown
