"""The committed post shows the notebooks as they are; the renderer and the check agree."""

import shutil
from pathlib import Path

import nbformat
import pytest

from post_renderer.render import notebooks_in, render
from post_renderer.sync import StaleCell, cell_start, stale_cells, stale_post_message

REPOSITORY = Path(__file__).resolve().parents[3]
NOTEBOOKS = REPOSITORY / "notebooks"
POST = Path("blog_post") / "blog_post.md"


@pytest.fixture(scope="module")
def fresh_post(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The repository's notebooks, as committed (without outputs), rendered afresh."""
    markdown_path, _ = render(notebooks_in(NOTEBOOKS), tmp_path_factory.mktemp("post"))
    return markdown_path.read_text(encoding="utf-8")


def test_the_committed_post_shows_the_current_notebooks() -> None:
    post = (REPOSITORY / POST).read_text(encoding="utf-8")
    stale = stale_cells(notebooks_in(NOTEBOOKS), post)
    if stale:
        pytest.fail(stale_post_message(stale, POST), pytrace=False)


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
