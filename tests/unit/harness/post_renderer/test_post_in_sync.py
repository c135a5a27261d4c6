"""The committed pages show the notebooks as they are; the renderer and the check agree."""

import shutil
from pathlib import Path

import nbformat
import pytest

from common.paths import PROJECT_ROOT
from post_renderer.cells import shown_source
from post_renderer.pages import MAIN_POST, PAGES, Page, notebook_paths, notebooks_of_every_page
from post_renderer.render import render_pages
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
POST_DIR = Path("blog_post")


def not_drawn(output: Path) -> str:
    """The diagram, left out: these tests compare cells only."""
    return "not drawn: this rendering is compared cell by cell"


@pytest.fixture(scope="module")
def fresh_rendering(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's notebooks, as committed (without outputs), rendered afresh: the folder."""
    output = tmp_path_factory.mktemp("post") / "blog_post"
    render_pages(NOTEBOOKS, output, draw=not_drawn)
    return output


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_the_committed_page_shows_the_current_notebooks(page: Page) -> None:
    path = PROJECT_ROOT / POST_DIR / page.markdown_name
    assert path.is_file(), f"{POST_DIR / page.markdown_name} is missing: run `make blog`"
    stale = stale_cells(
        notebook_paths(page, NOTEBOOKS), path.read_text(encoding="utf-8"), page.is_main
    )
    if stale:
        pytest.fail(stale_post_message(stale, POST_DIR / page.markdown_name), pytrace=False)


def test_the_committed_pages_show_no_cell_the_notebooks_no_longer_have() -> None:
    shown = PROJECT_ROOT / POST_DIR / SHOWN_CELLS_NAME
    assert shown.is_file(), f"{shown.name} is missing beside the pages: run `make blog`"
    removed = removed_cells(notebooks_of_every_page(NOTEBOOKS), shown)
    if removed:
        pytest.fail(removed_cells_message(removed, POST_DIR), pytrace=False)


def copied_notebooks(tmp_path: Path) -> Path:
    """A copy of the repository's notebooks, for a test to change."""
    return Path(shutil.copytree(NOTEBOOKS, tmp_path / "notebooks"))


def test_a_deleted_cell_makes_the_fresh_rendering_stale(
    fresh_rendering: Path, tmp_path: Path
) -> None:
    copies = copied_notebooks(tmp_path)
    edited = notebook_paths(MAIN_POST, copies)[0]
    notebook = nbformat.read(edited, as_version=4)
    index, deleted = next(
        (index, cell) for index, cell in enumerate(notebook.cells)
        if index > 0 and cell.cell_type == "markdown" and shown_source(cell) is not None
    )  # fmt: skip
    del notebook.cells[index]
    nbformat.write(notebook, edited)
    post = (fresh_rendering / MAIN_POST.markdown_name).read_text(encoding="utf-8")
    # the text search alone cannot see a deletion
    assert stale_cells(notebook_paths(MAIN_POST, copies), post) == []
    removed = removed_cells(notebooks_of_every_page(copies), fresh_rendering / SHOWN_CELLS_NAME)
    assert removed == [StaleCell(edited.name, "markdown", cell_start(deleted.source))]
    assert "shows cells that the notebooks no longer have" in removed_cells_message(
        removed, POST_DIR
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_a_fresh_rendering_of_the_notebooks_is_in_sync(fresh_rendering: Path, page: Page) -> None:
    rendered = (fresh_rendering / page.markdown_name).read_text(encoding="utf-8")
    assert stale_cells(notebook_paths(page, NOTEBOOKS), rendered, page.is_main) == []


def change_longest_word(source: str) -> str:
    longest = max(source.split(), key=len)
    return source.replace(longest, "CHANGED", 1)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_one_changed_word_in_a_notebook_makes_the_fresh_rendering_stale(
    fresh_rendering: Path, tmp_path: Path, page: Page
) -> None:
    edited = notebook_paths(page, copied_notebooks(tmp_path))[-1]
    notebook = nbformat.read(edited, as_version=4)
    cell = next(
        cell for cell in reversed(notebook.cells)
        if cell.cell_type == "markdown" and shown_source(cell) is not None
    )  # fmt: skip
    cell.source = change_longest_word(cell.source)
    nbformat.write(notebook, edited)
    rendered = (fresh_rendering / page.markdown_name).read_text(encoding="utf-8")
    paths = notebook_paths(page, edited.parent)
    assert stale_cells(paths, rendered, page.is_main) == [
        StaleCell(edited.name, "markdown", cell_start(cell.source))
    ]
