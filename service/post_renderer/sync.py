"""Is the rendered post up to date with the notebooks?

The post must hold, in order, every markdown cell and every visible code cell of the notebooks,
as the renderer shows them (headings one level down). Whitespace and line endings are compared
loosely, words exactly: one changed word in a cell makes the post stale.
"""

from dataclasses import dataclass
from pathlib import Path

import nbformat

from post_renderer.cells import shown_source

START_LENGTH = 60


@dataclass(frozen=True)
class StaleCell:
    """A notebook cell whose current text the post does not show."""

    notebook: str
    cell_type: str
    start: str

    def __str__(self) -> str:
        return f"{self.notebook}: {self.cell_type} cell starting {self.start!r}"


def normalise(text: str) -> str:
    """The words of ``text`` separated by single spaces: line endings and indents do not count."""
    return " ".join(text.split())


def cell_start(source: str) -> str:
    """The first line of a cell with text, cut to a readable length."""
    first = next(line.strip() for line in source.splitlines() if line.strip())
    return first if len(first) <= START_LENGTH else first[: START_LENGTH - 1] + "…"


def stale_cells(notebook_paths: list[Path], post: str) -> list[StaleCell]:
    """The shown cells of the notebooks, in order, that the post does not contain."""
    text, position, stale = normalise(post), 0, []
    for path in notebook_paths:
        for cell in nbformat.read(path, as_version=4).cells:
            source = shown_source(cell)
            if source is None or not source.strip():
                continue
            found = text.find(normalise(source), position)
            if found < 0:
                stale.append(StaleCell(path.name, cell.cell_type, cell_start(cell.source)))
            else:
                position = found + len(normalise(source))
    return stale


def stale_post_message(stale: list[StaleCell], post_path: Path) -> str:
    """What is out of date, and how to bring the post up to date."""
    lines = [f"{post_path} is stale: it does not show these notebook cells as they are now:"]
    lines += [f"  {cell}" for cell in stale]
    lines.append("Run `make blog` to execute the notebooks and render the post again.")
    return "\n".join(lines)
