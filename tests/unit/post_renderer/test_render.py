from datetime import date
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from post_renderer.render import TITLE, RenderError, main, render

TODAY = date(2026, 1, 2)


def write_notebook(path: Path, *cells: nbformat.NotebookNode) -> Path:
    nbformat.write(new_notebook(cells=list(cells)), path)
    return path


@pytest.fixture
def notebooks(tmp_path: Path) -> list[Path]:
    shown = new_code_cell("print('visible code')")
    shown.outputs = [new_output("stream", name="stdout", text="visible output\n")]
    hidden_input = new_code_cell("import secret_boilerplate", metadata={"tags": ["hide-input"]})
    hidden_input.outputs = [new_output("stream", name="stdout", text="output of hidden input\n")]
    first = write_notebook(
        tmp_path / "01_first.ipynb",
        new_markdown_cell("# First step"),
        new_code_cell("data_path = None", metadata={"tags": ["parameters"]}),
        new_code_cell("data_path = 'injected'", metadata={"tags": ["injected-parameters"]}),
        shown,
        hidden_input,
    )
    second = write_notebook(
        tmp_path / "02_second.ipynb",
        new_markdown_cell("# Second step\n\n![chart](../images/chart.png)"),
        new_code_cell("hidden_entirely = 1", metadata={"tags": ["hide-cell"]}),
    )
    return [first, second]


def test_post_holds_front_matter_and_every_visible_cell_in_order(
    notebooks: list[Path], tmp_path: Path
) -> None:
    markdown_path, html_path = render(notebooks, tmp_path / "post", TODAY)
    post = markdown_path.read_text()
    assert post.startswith(f"# {TITLE}\n\n*2026-01-02*")
    assert post.index("# First step") < post.index("visible code") < post.index("# Second step")
    assert "visible output" in post
    assert "output of hidden input" in post
    assert "../images/chart.png" in post
    assert '<img alt="chart" src="../images/chart.png"' in html_path.read_text()


def test_tagged_cells_are_left_out(notebooks: list[Path], tmp_path: Path) -> None:
    markdown_path, html_path = render(notebooks, tmp_path / "post", TODAY)
    for text in (markdown_path.read_text(), html_path.read_text()):
        for hidden in ("data_path", "secret_boilerplate", "hidden_entirely"):
            assert hidden not in text


def test_nothing_to_render_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="run `make notebooks` first"):
        render([], tmp_path / "post", TODAY)


def test_command_line_reports_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "01_broken.ipynb").write_text("not a notebook")
    assert main(["--notebooks", str(tmp_path), "--output", str(tmp_path / "post")]) == 1
    assert capsys.readouterr().err.startswith("error: ")


def test_command_line_writes_both_files(notebooks: list[Path], tmp_path: Path) -> None:
    assert main(["--notebooks", str(tmp_path), "--output", str(tmp_path / "post")]) == 0
    assert sorted(path.name for path in (tmp_path / "post").iterdir()) == [
        "blog_post.html",
        "blog_post.md",
    ]
