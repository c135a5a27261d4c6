import re
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output

from post_renderer.facts import FACTS_MEDIA_TYPE, PostFacts, skipped_when
from post_renderer.front_matter import TITLE, summary
from post_renderer.render import FILES_DIR, RenderError, main, notebooks_in, render

NotebookWriter = Callable[..., Path]

TODAY = date(2026, 1, 2)


class PageParts(HTMLParser):
    """The ids, in-page link targets, heading tags and script sources of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.fragments: list[str] = []
        self.headings: list[str] = []
        self.scripts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "a" and (attributes.get("href") or "").startswith("#"):
            self.fragments.append(attributes["href"][1:])
        if tag in {"h1", "h2", "h3", "h4"}:
            self.headings.append(tag)
        if tag == "script" and attributes.get("src"):
            self.scripts.append(attributes["src"])


@pytest.fixture
def notebooks(tmp_path: Path, write_notebook: NotebookWriter, png_base64: str) -> list[Path]:
    shown = new_code_cell("print('visible code')")
    shown.outputs = [new_output("stream", name="stdout", text="visible output\n")]
    hidden_input = new_code_cell("import secret_boilerplate", metadata={"tags": ["hide-input"]})
    hidden_input.outputs = [new_output("stream", name="stdout", text="output of hidden input\n")]
    figure = new_code_cell("plot()")
    figure.outputs = [new_output("display_data", data={"image/png": png_base64})]
    first = write_notebook(
        tmp_path / "01_first.ipynb",
        new_markdown_cell("# 1. First step\n\nIntro.\n\n## Details"),
        new_code_cell("data_path = None", metadata={"tags": ["parameters"]}),
        new_code_cell("data_path = 'injected'", metadata={"tags": ["injected-parameters"]}),
        shown,
        hidden_input,
        figure,
    )
    second = write_notebook(
        tmp_path / "02_second.ipynb",
        new_markdown_cell("# 2. Second step\n\n![chart](../images/chart.png)"),
        new_code_cell("hidden_entirely = 1", metadata={"tags": ["hide-cell"]}),
    )
    return [first, second]


def test_post_opens_with_title_date_summary_and_contents(
    notebooks: list[Path], tmp_path: Path
) -> None:
    markdown_path, html_path, _ = render(notebooks, tmp_path / "post", TODAY)
    post = markdown_path.read_text()
    assert post.startswith(f"# {TITLE}\n\n*2026-01-02*\n\n{summary(PostFacts())}")
    contents = "- [1. First step](#1-first-step)\n- [2. Second step](#2-second-step)"
    assert contents in post
    assert post.index(contents) < post.index('<a id="1-first-step"></a>\n\n## 1. First step')
    assert f"<title>{TITLE}</title>" in html_path.read_text()


def test_every_in_page_link_has_its_anchor(notebooks: list[Path], tmp_path: Path) -> None:
    markdown_path, html_path, _ = render(notebooks, tmp_path / "post", TODAY)
    page = PageParts(html_path.read_text())
    assert {"1-first-step", "2-second-step"} <= set(page.fragments)
    assert set(page.fragments) <= page.ids
    for anchor in ("1-first-step", "2-second-step"):
        assert f'<a id="{anchor}"></a>' in markdown_path.read_text()


def test_notebook_titles_are_sections_under_the_post_title(
    notebooks: list[Path], tmp_path: Path
) -> None:
    markdown_path, html_path, _ = render(notebooks, tmp_path / "post", TODAY)
    post = markdown_path.read_text()
    assert post.count("\n# ") == 0
    assert "\n## 1. First step\n" in post
    assert "\n### Details" in post
    headings = PageParts(html_path.read_text()).headings
    assert headings.count("h1") == 1
    assert headings.index("h2") < headings.index("h3")


def test_cells_in_order_and_tagged_cells_left_out(notebooks: list[Path], tmp_path: Path) -> None:
    markdown_path, html_path, _ = render(notebooks, tmp_path / "post", TODAY)
    post = markdown_path.read_text()
    assert post.index("## 1. First") < post.index("visible code") < post.index("## 2. Second")
    for text in (post, html_path.read_text()):
        assert "visible output" in text
        assert "output of hidden input" in text
        for hidden in ("data_path", "secret_boilerplate", "hidden_entirely"):
            assert hidden not in text


def test_chart_links_work_from_the_post(notebooks: list[Path], tmp_path: Path) -> None:
    markdown_path, html_path, _ = render(notebooks, tmp_path / "post", TODAY)
    assert "![chart](../images/chart.png)" in markdown_path.read_text()
    assert '<img alt="chart" src="../images/chart.png"' in html_path.read_text()


def test_images_that_cells_output_are_files_beside_the_markdown_and_embedded_in_the_html(
    notebooks: list[Path], tmp_path: Path, png_bytes: bytes
) -> None:
    output = tmp_path / "post"
    (output / FILES_DIR).mkdir(parents=True)
    (output / FILES_DIR / "from_an_older_rendering.png").write_bytes(png_bytes)
    markdown_path, html_path, _ = render(notebooks, output, TODAY)
    [image] = list((output / FILES_DIR).iterdir())
    assert image.read_bytes() == png_bytes
    assert f"]({FILES_DIR}/{image.name})" in markdown_path.read_text()
    assert 'src="data:image/png;base64,' in html_path.read_text()


def test_html_loads_no_scripts_from_the_network(notebooks: list[Path], tmp_path: Path) -> None:
    _, html_path, _ = render(notebooks, tmp_path / "post", TODAY)
    assert PageParts(html_path.read_text()).scripts == []


def test_nothing_to_render_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RenderError, match="run `make notebooks` first"):
        render([], tmp_path / "post", TODAY)


def test_notebooks_in_a_directory_are_the_numbered_ones_in_order(tmp_path: Path) -> None:
    for name in ("02_b.ipynb", "01_a.ipynb", "scratch.ipynb", "03_c.txt"):
        (tmp_path / name).touch()
    assert [path.name for path in notebooks_in(tmp_path)] == ["01_a.ipynb", "02_b.ipynb"]


def test_command_line_writes_both_files_and_the_cells_they_show(
    notebooks: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--notebooks", str(tmp_path), "--output", str(tmp_path / "post")]) == 0
    assert sorted(path.name for path in (tmp_path / "post").iterdir()) == [
        "blog_post.html",
        "blog_post.md",
        FILES_DIR,
        "cells.json",
    ]
    assert re.search(r"the post: [\d,]+ words of prose, .* min to read", capsys.readouterr().out)


def test_command_line_reports_an_unreadable_notebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "01_broken.ipynb").write_text("not a notebook")
    assert main(["--notebooks", str(tmp_path), "--output", str(tmp_path / "post")]) == 1
    assert capsys.readouterr().err.startswith("error: ")


def test_command_line_reports_a_notebook_without_a_title(
    tmp_path: Path, write_notebook: NotebookWriter, capsys: pytest.CaptureFixture[str]
) -> None:
    write_notebook(tmp_path / "01_untitled.ipynb", new_markdown_cell("No heading here."))
    assert main(["--notebooks", str(tmp_path), "--output", str(tmp_path / "post")]) == 1
    assert "error: 01_untitled.ipynb has no title" in capsys.readouterr().err


def test_command_line_reports_an_output_it_cannot_write(
    notebooks: list[Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").write_text("a file, not a directory")
    assert main(["--notebooks", str(tmp_path), "--output", str(tmp_path / "taken")]) == 1
    assert "error: " in capsys.readouterr().err


def fact_cell(**facts: object) -> NotebookNode:
    output = new_output("display_data", data={FACTS_MEDIA_TYPE: facts})
    return new_code_cell("record(...)", outputs=[output])


def test_the_summary_says_what_the_notebooks_recorded_and_never_shows_the_record(
    write_notebook: Callable[..., Path], tmp_path: Path
) -> None:
    notebook = write_notebook(
        tmp_path / "04_deploy.ipynb",
        new_markdown_cell("# 4. Deploy"),
        fact_cell(deployment="pods", slo_target="pods", slo_passed=True),
    )
    markdown_path, html_path, _ = render([notebook], tmp_path / "post", TODAY)
    post = markdown_path.read_text()
    assert "play its Kubernetes manifests with podman" in post
    assert "load test the pods that run the configuration that ships" in post
    assert "which the run met" in post
    assert "deploy it to Kubernetes" not in post
    for text in (post, html_path.read_text()):
        assert FACTS_MEDIA_TYPE not in text
        assert "slo_target" not in text


def test_an_unknown_fact_stops_the_rendering(
    write_notebook: Callable[..., Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_notebook(tmp_path / "01_a.ipynb", new_markdown_cell("# A"), fact_cell(deploymnet="x"))
    assert main(["--notebooks", str(tmp_path), "--output", str(tmp_path / "post")]) == 1
    assert "deploymnet" in capsys.readouterr().err


def test_cells_that_need_a_missing_tool_are_left_out_and_the_opening_says_why(
    write_notebook: Callable[..., Path], tmp_path: Path
) -> None:
    notebook = write_notebook(
        tmp_path / "06_watch.ipynb",
        new_markdown_cell("# 6. Watch"),
        fact_cell(
            skipped=skipped_when("prometheus is not installed", "prometheus", "Step 6's SLIs")
        ),
        new_markdown_cell("What Prometheus saw", metadata={"tags": ["needs-prometheus"]}),
        new_markdown_cell("What podman played", metadata={"tags": ["needs-podman"]}),
        new_markdown_cell("The drift, read from the logs"),
    )
    markdown_path, html_path, _ = render([notebook], tmp_path / "post", TODAY)
    for text in (markdown_path.read_text(), html_path.read_text()):
        assert "What Prometheus saw" not in text
        assert "What podman played" in text
        assert "The drift, read from the logs" in text
        assert "Step 6&#39;s SLIs" in text or "Step 6's SLIs: prometheus is not installed" in text


def test_without_a_skipped_fact_every_needs_cell_is_shown(
    write_notebook: Callable[..., Path], tmp_path: Path
) -> None:
    notebook = write_notebook(
        tmp_path / "06_watch.ipynb",
        new_markdown_cell("# 6. Watch"),
        new_markdown_cell("What Prometheus saw", metadata={"tags": ["needs-prometheus"]}),
    )
    markdown_path, _, _ = render([notebook], tmp_path / "post", TODAY)
    post = markdown_path.read_text()
    assert "What Prometheus saw" in post
    assert "What did not run here" not in post
