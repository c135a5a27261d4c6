from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell

from post_renderer.pages import MAIN_POST, page_named
from post_renderer.render import render_page
from post_renderer.sync import (
    SHOWN_CELLS_NAME,
    StaleCell,
    cell_start,
    normalise,
    removed_cells,
    stale_cells,
    stale_post_message,
    write_shown_cells,
)

NotebookWriter = Callable[..., Path]
TODAY = date(2026, 1, 2)
INTRO = "# 1. A step\n\nThe model is trained on every row, then checked."
CODE = "result = train(frame)\nprint(result.score)"
DETAIL = "## Details\n\nMore text."


@pytest.fixture
def notebook(tmp_path: Path, write_notebook: NotebookWriter) -> Callable[..., Path]:
    """Write ``01_step.ipynb`` with the usual cells, changed as asked."""

    def write(*extra_cells: NotebookNode, intro: str = INTRO, code: str = CODE) -> Path:
        cells = [new_markdown_cell(intro), new_code_cell(code), new_markdown_cell(DETAIL)]
        return write_notebook(tmp_path / "01_step.ipynb", *cells, *extra_cells)

    return write


@pytest.fixture
def post(notebook: Callable[..., Path], tmp_path: Path) -> str:
    """The post rendered from the notebook as first written."""
    markdown_path, _ = render_page(MAIN_POST, [notebook()], tmp_path / "post", TODAY)
    return markdown_path.read_text()


def test_a_post_rendered_from_the_notebooks_is_in_sync(
    notebook: Callable[..., Path], post: str
) -> None:
    assert stale_cells([notebook()], post) == []


def test_one_changed_word_in_a_markdown_cell_is_stale(
    notebook: Callable[..., Path], post: str
) -> None:
    changed = notebook(intro=INTRO.replace("every row", "each row"))
    assert stale_cells([changed], post) == [StaleCell("01_step.ipynb", "markdown", "# 1. A step")]


def test_a_changed_code_cell_is_stale(notebook: Callable[..., Path], post: str) -> None:
    changed = notebook(code=CODE.replace("result.score", "result.r2"))
    assert stale_cells([changed], post) == [
        StaleCell("01_step.ipynb", "code", "result = train(frame)")
    ]


@pytest.mark.parametrize("tag", ["parameters", "injected-parameters", "hide-cell", "hide-input"])
@pytest.mark.parametrize("new_cell", [new_code_cell, new_markdown_cell])
def test_hidden_cells_are_left_out_and_ignored(
    notebook: Callable[..., Path], tmp_path: Path, tag: str, new_cell: Callable[..., NotebookNode]
) -> None:
    with_hidden = notebook(new_cell("not_in_the_post = True", metadata={"tags": [tag]}))
    markdown_path, _ = render_page(MAIN_POST, [with_hidden], tmp_path / "hidden", TODAY)
    post = markdown_path.read_text()
    assert "not_in_the_post" not in post
    assert stale_cells([with_hidden], post) == []


def test_a_new_markdown_cell_is_stale(notebook: Callable[..., Path], post: str) -> None:
    added = notebook(new_markdown_cell("A new paragraph."))
    assert stale_cells([added], post) == [
        StaleCell("01_step.ipynb", "markdown", "A new paragraph.")
    ]


def test_headings_must_be_shown_one_level_down(notebook: Callable[..., Path], post: str) -> None:
    assert "## 1. A step" in post
    assert stale_cells([notebook()], post.replace("## 1. A step", "# 1. A step")) == [
        StaleCell("01_step.ipynb", "markdown", "# 1. A step")
    ]


def test_whitespace_and_line_endings_do_not_count(notebook: Callable[..., Path], post: str) -> None:
    reflowed = post.replace("\n", "  \r\n").replace("every row,", "every\nrow,")
    assert stale_cells([notebook()], reflowed) == []


def test_cells_must_appear_in_order(notebook: Callable[..., Path]) -> None:
    reordered = "\n\n".join(["## Details\n\nMore text.", INTRO.replace("# 1.", "## 1."), CODE])
    assert stale_cells([notebook()], reordered) == [
        StaleCell("01_step.ipynb", "markdown", "## Details")
    ]


def test_message_names_notebook_cell_and_the_fix() -> None:
    stale = [StaleCell("02_serve.ipynb", "markdown", "## The service")]
    message = stale_post_message(stale, Path("blog_post/blog_post.md"))
    assert message.splitlines() == [
        "blog_post/blog_post.md is stale: it does not show these notebook cells as they are now:",
        "  02_serve.ipynb: markdown cell starting '## The service'",
        "Run `make blog` to execute the notebooks and render the post again.",
    ]


def test_cell_start_is_the_first_line_with_text_cut_short() -> None:
    assert cell_start("\n\n  ## Title  \nbody") == "## Title"
    assert cell_start("x" * 100) == "x" * 59 + "…"


def test_normalise_keeps_words_and_drops_layout() -> None:
    assert normalise("  a\r\n\tb  c\n") == "a b c"


def test_a_companion_page_shows_its_headings_as_they_are(
    notebook: Callable[..., Path], tmp_path: Path
) -> None:
    markdown_path, _ = render_page(
        page_named("how_it_is_made_fast"), [notebook()], tmp_path / "companion", TODAY
    )
    page = markdown_path.read_text()
    assert page.startswith("# 1. A step\n")
    assert stale_cells([notebook()], page, demote=False) == []
    assert stale_cells([notebook()], page) == [
        StaleCell("01_step.ipynb", "markdown", "# 1. A step"),
        StaleCell("01_step.ipynb", "markdown", "## Details"),
    ]


def test_a_cell_deleted_from_any_page_is_found_by_the_shown_cells(
    notebook: Callable[..., Path], tmp_path: Path, write_notebook: NotebookWriter
) -> None:
    companion = page_named("when_things_go_wrong")
    other = write_notebook(
        tmp_path / "09_wrong.ipynb", new_markdown_cell("# Wrong"), new_markdown_cell("Gone soon.")
    )
    shown = write_shown_cells({MAIN_POST: [notebook()], companion: [other]}, tmp_path)
    assert shown.name == SHOWN_CELLS_NAME
    assert removed_cells({MAIN_POST: [notebook()], companion: [other]}, shown) == []
    write_notebook(other, new_markdown_cell("# Wrong"))
    assert removed_cells({MAIN_POST: [notebook()], companion: [other]}, shown) == [
        StaleCell("09_wrong.ipynb", "markdown", "Gone soon.")
    ]
