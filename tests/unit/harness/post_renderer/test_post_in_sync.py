"""The committed post shows the notebooks as they are; the renderer and the check agree."""

import shutil
from pathlib import Path

import nbformat
import pytest

from common.paths import PROJECT_ROOT
from post_renderer.render import notebooks_in, render
from post_renderer.sync import (
    SHOWN_CELLS_NAME,
    StaleCell,
    cell_start,
    removed_cells,
    removed_cells_message,
    stale_cells,
    stale_post_message,
)

NOTEBOOKS = PROJECT_ROOT / "notebooks"
POST = Path("blog_post") / "blog_post.md"


@pytest.fixture(scope="module")
def fresh_rendering(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's notebooks, as committed (without outputs), rendered afresh: the folder."""
    output = tmp_path_factory.mktemp("post")
    render(notebooks_in(NOTEBOOKS), output)
    return output


@pytest.fixture(scope="module")
def fresh_post(fresh_rendering: Path) -> str:
    return (fresh_rendering / "blog_post.md").read_text(encoding="utf-8")


def test_the_committed_post_shows_the_current_notebooks() -> None:
    post = (PROJECT_ROOT / POST).read_text(encoding="utf-8")
    stale = stale_cells(notebooks_in(NOTEBOOKS), post)
    if stale:
        pytest.fail(stale_post_message(stale, POST), pytrace=False)


def test_the_committed_post_shows_no_cell_the_notebooks_no_longer_have() -> None:
    shown = PROJECT_ROOT / POST.parent / SHOWN_CELLS_NAME
    assert shown.is_file(), f"{shown.name} is missing beside the post: run `make blog`"
    removed = removed_cells(notebooks_in(NOTEBOOKS), shown)
    if removed:
        pytest.fail(removed_cells_message(removed, POST), pytrace=False)


def test_a_deleted_cell_makes_the_fresh_rendering_stale(
    fresh_rendering: Path, tmp_path: Path
) -> None:
    copies = [Path(shutil.copy(path, tmp_path)) for path in notebooks_in(NOTEBOOKS)]
    edited = copies[0]
    notebook = nbformat.read(edited, as_version=4)
    index, deleted = next(
        (index, cell) for index, cell in enumerate(notebook.cells)
        if index > 0 and cell.cell_type == "markdown"
    )  # fmt: skip
    del notebook.cells[index]
    nbformat.write(notebook, edited)
    post = (fresh_rendering / "blog_post.md").read_text(encoding="utf-8")
    assert stale_cells(copies, post) == []  # the text search alone cannot see a deletion
    removed = removed_cells(copies, fresh_rendering / SHOWN_CELLS_NAME)
    assert removed == [StaleCell(edited.name, "markdown", cell_start(deleted.source))]
    assert "shows cells that the notebooks no longer have" in removed_cells_message(removed, POST)


def test_a_fresh_rendering_of_the_notebooks_is_in_sync(fresh_post: str) -> None:
    assert notebooks_in(NOTEBOOKS), "no notebooks found"
    assert stale_cells(notebooks_in(NOTEBOOKS), fresh_post) == []


def change_longest_word(source: str) -> str:
    longest = max(source.split(), key=len)
    return source.replace(longest, "CHANGED", 1)


def test_one_changed_word_in_a_notebook_makes_the_fresh_rendering_stale(
    fresh_post: str, tmp_path: Path
) -> None:
    copies = [Path(shutil.copy(path, tmp_path)) for path in notebooks_in(NOTEBOOKS)]
    edited = copies[-1]
    notebook = nbformat.read(edited, as_version=4)
    cell = next(cell for cell in reversed(notebook.cells) if cell.cell_type == "markdown")
    cell.source = change_longest_word(cell.source)
    nbformat.write(notebook, edited)
    assert stale_cells(copies, fresh_post) == [
        StaleCell(edited.name, "markdown", cell_start(cell.source))
    ]
