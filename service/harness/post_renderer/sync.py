"""Are the rendered pages up to date with the notebooks?

Each page must hold, in order, every markdown cell and every visible code cell of its notebooks,
as the renderer shows them (in the main post, headings one level down). Whitespace and line
endings are compared loosely, words exactly: one changed word in a cell makes the page stale. A
cell deleted from a notebook leaves its text in the page, which that search cannot see; so the
renderer also writes the cells every page showed (``cells.json``, beside the pages), and a cell
listed there that no notebook has any more makes the pages stale too.
"""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat

from post_renderer.cells import shown_source
from post_renderer.pages import Page

START_LENGTH = 60
SHOWN_CELLS_NAME = "cells.json"


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


def stale_cells(notebook_paths: list[Path], post: str, demote: bool = True) -> list[StaleCell]:
    """The shown cells of the notebooks, in order, that the page does not contain; ``demote``:
    the page shows their headings one level down (the main post does)."""
    text, position, stale = normalise(post), 0, []
    for path in notebook_paths:
        for cell in nbformat.read(path, as_version=4).cells:
            source = shown_source(cell, demote)
            if source is None or not source.strip():
                continue
            found = text.find(normalise(source), position)
            if found < 0:
                stale.append(StaleCell(path.name, cell.cell_type, cell_start(cell.source)))
            else:
                position = found + len(normalise(source))
    return stale


def shown_cells(page: Page, notebook_paths: list[Path]) -> list[dict[str, str]]:
    """Each cell the page shows of its notebooks, in order: the page, the notebook, the cell's
    type, its start and its text's hash."""
    shown = []
    for path in notebook_paths:
        for cell in nbformat.read(path, as_version=4).cells:
            source = shown_source(cell, page.is_main)
            if source is None or not source.strip():
                continue
            digest = hashlib.sha256(normalise(source).encode()).hexdigest()
            shown.append({"page": page.stem, "notebook": path.name, "cell_type": cell.cell_type,
                          "start": cell_start(cell.source), "sha256": digest})  # fmt: skip
    return shown


def every_shown_cell(notebooks: dict[Page, list[Path]]) -> list[dict[str, str]]:
    return [cell for page, paths in notebooks.items() for cell in shown_cells(page, paths)]


def write_shown_cells(notebooks: dict[Page, list[Path]], output_dir: Path) -> Path:
    """Write the cells every page shows beside the pages; the path written."""
    path = output_dir / SHOWN_CELLS_NAME
    path.write_text(json.dumps(every_shown_cell(notebooks), indent=1) + "\n", encoding="utf-8")
    return path


def removed_cells(notebooks: dict[Page, list[Path]], shown_cells_path: Path) -> list[StaleCell]:
    """The cells the pages showed (as their rendering listed them) that no notebook has now."""
    key = ("page", "notebook", "sha256")
    current = {tuple(cell[part] for part in key) for cell in every_shown_cell(notebooks)}
    shown = json.loads(shown_cells_path.read_text(encoding="utf-8"))
    return [
        StaleCell(cell["notebook"], cell["cell_type"], cell["start"])
        for cell in shown
        if tuple(cell.get(part) for part in key) not in current
    ]


def removed_cells_message(removed: list[StaleCell], post_path: Path) -> str:
    """What the post still shows that the notebooks no longer have."""
    lines = [f"{post_path} is stale: it shows cells that the notebooks no longer have:"]
    lines += [f"  {cell}" for cell in removed]
    lines.append("Run `make blog` to execute the notebooks and render the post again.")
    return "\n".join(lines)


def stale_post_message(stale: list[StaleCell], post_path: Path) -> str:
    """What is out of date, and how to bring the post up to date."""
    lines = [f"{post_path} is stale: it does not show these notebook cells as they are now:"]
    lines += [f"  {cell}" for cell in stale]
    lines.append("Run `make blog` to execute the notebooks and render the post again.")
    return "\n".join(lines)
