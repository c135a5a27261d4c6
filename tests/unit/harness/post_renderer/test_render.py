import base64
import io
import re
import shutil
from collections.abc import Callable
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from PIL import Image

from post_renderer.facts import FACTS_MEDIA_TYPE, skipped_when
from post_renderer.front_matter import DIAGRAM_LINK, LEDE, TITLE
from post_renderer.pages import MAIN_POST, PAGES, page_named
from post_renderer.render import (
    DIAGRAM_SKIPPED,
    html_href,
    main,
    notebooks_in,
    render_page,
    render_pages,
)
from post_renderer.sync import SHOWN_CELLS_NAME

NotebookWriter = Callable[..., Path]

TODAY = date(2026, 1, 2)
FAST = page_named("how_it_is_made_fast")
PROMPT = re.compile(r"\b(In|Out)\s?\[\s*\d*\s*\]:")


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


def drawn(output: Path) -> None:
    """Stands for the architecture package in these tests: writes a small SVG where asked."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')


def fact_cell(**facts: object) -> NotebookNode:
    output = new_output("display_data", data={FACTS_MEDIA_TYPE: facts})
    return new_code_cell("record(...)", outputs=[output])


def write_notebook_to(path: Path, *cells: NotebookNode) -> Path:
    nbformat.write(new_notebook(cells=list(cells)), path)
    return path


@pytest.fixture(scope="module")
def notebook_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with every page's notebooks: the main post's first two with code, outputs and
    tagged cells, the others a title and a line, the first companion with an image and links."""
    folder = tmp_path_factory.mktemp("notebooks")
    write_notebook = write_notebook_to
    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), "steelblue").save(buffer, format="PNG")
    png_base64 = base64.b64encode(buffer.getvalue()).decode()
    shown = new_code_cell("print('visible code')")
    shown.outputs = [new_output("stream", name="stdout", text="visible output\n")]
    hidden_input = new_code_cell("import secret_boilerplate", metadata={"tags": ["hide-input"]})
    hidden_input.outputs = [new_output("stream", name="stdout", text="output of hidden input\n")]
    figure = new_code_cell("plot()")
    figure.outputs = [new_output("display_data", data={"image/png": png_base64})]
    write_notebook(
        folder / "01_train_model.ipynb",
        new_markdown_cell("# 1. First step\n\nIntro.\n\n## Details"),
        new_code_cell("data_path = None", metadata={"tags": ["parameters"]}),
        new_code_cell("data_path = 'injected'", metadata={"tags": ["injected-parameters"]}),
        shown,
        hidden_input,
        figure,
        fact_cell(glance=[{"measure": "Holdout error", "value": "$2,465", "step": "1. Train"}]),
    )
    write_notebook(
        folder / "02_add_logging.ipynb",
        new_markdown_cell("# 2. Second step\n\n![chart](../images/chart.png)"),
        new_code_cell("hidden_entirely = 1", metadata={"tags": ["hide-cell"]}),
        new_markdown_cell("Why it is fast: [how it is made fast](how_it_is_made_fast.md)."),
    )
    for number, name in enumerate(MAIN_POST.notebooks[2:], 3):
        write_notebook(folder / f"{name}.ipynb", new_markdown_cell(f"# {number}. Step {number}"))
    write_notebook(
        folder / "07_how_it_is_made_fast.ipynb",
        new_markdown_cell("# How it is made fast\n\nWhere the time goes.\n\n## The model"),
        new_code_cell("setup()", metadata={"tags": ["hide-cell"]}),
        figure,
        new_markdown_cell("## What we learned\n\nBack to [step 5](blog_post.md#5-step-5)."),
    )
    for page in PAGES[2:]:
        [name] = page.notebooks
        write_notebook(folder / f"{name}.ipynb", new_markdown_cell(f"# {page.title}\n\nSummary."))
    return folder


@pytest.fixture
def notebooks(notebook_folder: Path, tmp_path: Path) -> Path:
    """A copy of ``notebook_folder``, for a test to change."""
    return Path(shutil.copytree(notebook_folder, tmp_path / "notebooks"))


@pytest.fixture(scope="module")
def pages(notebook_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pages rendered from ``notebook_folder``: the folder they are in."""
    output = tmp_path_factory.mktemp("rendered") / "blog_post"
    render_pages(notebook_folder, output, TODAY, draw=drawn)
    return output


def read(pages: Path, name: str) -> str:
    return (pages / name).read_text(encoding="utf-8")


def test_every_page_is_written_with_the_cells_it_shows(pages: Path) -> None:
    expected = {name for page in PAGES for name in (page.markdown_name, page.html_name)}
    expected |= {SHOWN_CELLS_NAME, "blog_post_files", "how_it_is_made_fast_files"}
    assert {path.name for path in pages.iterdir()} == expected


def test_the_main_post_opens_with_title_date_lede_diagram_glance_and_contents(pages: Path) -> None:
    post = read(pages, "blog_post.md")
    assert post.startswith(f"# {TITLE}\n\n*2026-01-02*\n\n{LEDE}\n\n## The steps\n\n1. ")
    assert f"]({DIAGRAM_LINK})" in post
    assert "| Holdout error | $2,465 | 1. Train |" in post
    assert "make blog" in post
    assert "make test" in post
    contents = "- [1. First step](#1-first-step)\n- [2. Second step](#2-second-step)"
    assert post.index("## Results at a glance") < post.index(contents)
    assert post.index(contents) < post.index('<a id="1-first-step"></a>\n\n## 1. First step')
    assert f"<title>{TITLE}</title>" in read(pages, "blog_post.html")


def test_the_diagram_is_drawn_where_the_main_post_links_it(pages: Path) -> None:
    assert (pages / DIAGRAM_LINK).resolve().is_file()


def test_a_diagram_that_could_not_be_drawn_is_said_and_not_linked(
    notebooks: Path, tmp_path: Path
) -> None:
    render_pages(notebooks, tmp_path / "out", TODAY, draw=lambda _: "dot is not installed")
    post = read(tmp_path / "out", "blog_post.md")
    assert DIAGRAM_LINK not in post
    assert f"- {DIAGRAM_SKIPPED}: dot is not installed" in post


def test_a_companion_page_is_its_notebook_with_the_header_after_its_summary(pages: Path) -> None:
    page = read(pages, "how_it_is_made_fast.md")
    assert page.startswith("# How it is made fast\n\nWhere the time goes.\n\n## The model\n\n")
    header = page.index("*2026-01-02*")
    assert page.index("Where the time goes.") < header < page.index("## What we learned")
    assert "(this page)" in page[header:]
    assert "Hidden cells check every claim" not in page  # said once, on the main post
    assert "setup()" not in page
    html = PageParts(read(pages, "how_it_is_made_fast.html"))
    assert html.headings.count("h1") == 1


@pytest.mark.parametrize("current", PAGES, ids=lambda page: page.stem)
def test_every_page_links_every_other_page(pages: Path, current) -> None:
    markdown = read(pages, current.markdown_name)
    soup = BeautifulSoup(read(pages, current.html_name), "html.parser")
    links = {a["href"] for a in soup.find_all("a", href=True)}
    for other in PAGES:
        if other is not current:
            assert f"]({other.markdown_name})" in markdown
            assert other.html_name in links
    assert not [href for href in links if href.split("#")[0].endswith(".md")]


def test_links_between_pages_keep_their_part_in_the_html(pages: Path) -> None:
    html = read(pages, "how_it_is_made_fast.html")
    assert 'href="blog_post.html#5-step-5"' in html
    assert 'href="how_it_is_made_fast.html"' in read(pages, "blog_post.html")


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("blog_post.md", "blog_post.html"),
        ("when_things_go_wrong.md#what-we-learned", "when_things_go_wrong.html#what-we-learned"),
        ("../README.md", "../README.md"),
        ("notes.md", "notes.md"),
        ("https://example.org/blog_post.md", "https://example.org/blog_post.md"),
        ("#blog_post.md", "#blog_post.md"),
    ],
)
def test_only_links_to_the_pages_markdown_become_html(href: str, expected: str) -> None:
    assert html_href(href) == expected


def test_the_html_shows_no_prompts_and_styles_an_article(pages: Path) -> None:
    for page in PAGES:
        soup = BeautifulSoup(read(pages, page.html_name), "html.parser")
        assert not soup.select(".jp-InputPrompt, .jp-OutputPrompt")
        assert not PROMPT.search(soup.body.get_text())
    html = read(pages, "blog_post.html")
    assert "max-width: 46rem" in html
    assert "img { max-width: 100%" in html
    assert 'content: "Output"' in html


def test_every_in_page_link_has_its_anchor(pages: Path) -> None:
    page = PageParts(read(pages, "blog_post.html"))
    assert {"1-first-step", "2-second-step"} <= set(page.fragments)
    assert set(page.fragments) <= page.ids


def test_notebook_titles_are_sections_under_the_main_post_title(pages: Path) -> None:
    post = read(pages, "blog_post.md")
    assert post.count("\n# ") == 0
    assert "\n## 1. First step\n" in post
    assert "\n### Details" in post
    headings = PageParts(read(pages, "blog_post.html")).headings
    assert headings.count("h1") == 1
    assert headings.index("h2") < headings.index("h3")


def test_cells_in_order_and_tagged_cells_left_out(pages: Path) -> None:
    post = read(pages, "blog_post.md")
    assert post.index("## 1. First") < post.index("visible code") < post.index("## 2. Second")
    for text in (post, read(pages, "blog_post.html")):
        assert "visible output" in text
        assert "output of hidden input" in text
        for hidden in ("data_path", "secret_boilerplate", "hidden_entirely", FACTS_MEDIA_TYPE):
            assert hidden not in text


def test_chart_links_work_from_the_post(pages: Path) -> None:
    assert "![chart](../images/chart.png)" in read(pages, "blog_post.md")
    assert '<img alt="chart" src="../images/chart.png"' in read(pages, "blog_post.html")


def test_images_that_cells_output_are_files_beside_each_page_and_embedded_in_its_html(
    notebooks: Path, tmp_path: Path, png_bytes: bytes
) -> None:
    output = tmp_path / "post"
    (output / FAST.files_dir).mkdir(parents=True)
    (output / FAST.files_dir / "from_an_older_rendering.png").write_bytes(png_bytes)
    render_pages(notebooks, output, TODAY, draw=drawn)
    for page in (MAIN_POST, FAST):
        [image] = list((output / page.files_dir).iterdir())
        assert image.read_bytes() == png_bytes
        assert f"]({page.files_dir}/{image.name})" in read(output, page.markdown_name)
        assert 'src="data:image/png;base64,' in read(output, page.html_name)


def test_html_loads_no_scripts_from_the_network(pages: Path) -> None:
    for page in PAGES:
        assert PageParts(read(pages, page.html_name)).scripts == []


def test_missing_notebooks_are_an_error_naming_them_and_nothing_is_written(
    notebooks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (notebooks / "08_running_without_a_cluster.ipynb").unlink()
    output = tmp_path / "post"
    assert main(["--notebooks", str(notebooks), "--output", str(output)]) == 1
    error = capsys.readouterr().err
    assert "running_without_a_cluster.md needs 08_running_without_a_cluster.ipynb" in error
    assert not output.exists()


def test_notebooks_in_a_directory_are_the_numbered_ones_in_order(tmp_path: Path) -> None:
    for name in ("02_b.ipynb", "01_a.ipynb", "scratch.ipynb", "03_c.txt"):
        (tmp_path / name).touch()
    assert [path.name for path in notebooks_in(tmp_path)] == ["01_a.ipynb", "02_b.ipynb"]


@pytest.fixture
def no_graphviz(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command line's diagram drawn by ``drawn``: these tests need no Graphviz."""
    monkeypatch.setattr("post_renderer.render.draw_diagram", drawn)


@pytest.mark.usefixtures("no_graphviz")
def test_command_line_prints_each_page_length_against_its_limit(
    notebooks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--notebooks", str(notebooks), "--output", str(tmp_path / "post")]) == 0
    out = capsys.readouterr().out
    for page in PAGES:
        limit = page.reading_limit_minutes
        assert re.search(
            rf"^{page.markdown_name}: [\d,]+ words of prose, .* min to read .*; limit {limit} min",
            out,
            re.MULTILINE,
        )
    assert "every page is within its limit" in out


@pytest.mark.usefixtures("no_graphviz")
def test_command_line_names_a_page_over_its_limit(
    notebooks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], write_notebook
) -> None:
    words = " ".join(["word"] * 238 * 16)  # 16 minutes at 238 words a minute
    write_notebook(
        notebooks / "07_how_it_is_made_fast.ipynb", new_markdown_cell(f"# Fast\n\n{words}")
    )
    assert main(["--notebooks", str(notebooks), "--output", str(tmp_path / "post")]) == 0
    out = capsys.readouterr().out
    assert "how_it_is_made_fast.md: " in out
    assert "limit 15 min: EXCEEDS its limit" in out
    assert "too long: how_it_is_made_fast.md" in out


def test_command_line_reports_an_unreadable_notebook(
    notebooks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (notebooks / "01_train_model.ipynb").write_text("not a notebook")
    assert main(["--notebooks", str(notebooks), "--output", str(tmp_path / "post")]) == 1
    assert capsys.readouterr().err.startswith("error: ")


@pytest.mark.usefixtures("no_graphviz")
def test_command_line_reports_a_notebook_without_a_title(
    notebooks: Path, tmp_path: Path, write_notebook: NotebookWriter,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    write_notebook(notebooks / "01_train_model.ipynb", new_markdown_cell("No heading here."))
    assert main(["--notebooks", str(notebooks), "--output", str(tmp_path / "post")]) == 1
    assert "error: 01_train_model.ipynb has no title" in capsys.readouterr().err


@pytest.mark.usefixtures("no_graphviz")
def test_command_line_reports_an_output_it_cannot_write(
    notebooks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "taken").write_text("a file, not a directory")
    assert main(["--notebooks", str(notebooks), "--output", str(tmp_path / "taken")]) == 1
    assert "error: " in capsys.readouterr().err


def test_the_steps_say_what_the_notebooks_recorded_and_never_show_the_record(
    write_notebook: NotebookWriter, tmp_path: Path
) -> None:
    notebook = write_notebook(
        tmp_path / "04_deploy.ipynb",
        new_markdown_cell("# 4. Deploy"),
        fact_cell(deployment="pods", slo_target="pods", slo_passed=True),
    )
    markdown_path, html_path = render_page(MAIN_POST, [notebook], tmp_path / "post", TODAY)
    post = markdown_path.read_text()
    assert "run as pods by podman on one machine" in post
    assert "Load test the pods with Locust against written objectives (SLOs); this run met" in post
    assert "Deploy it to Kubernetes" not in post
    for text in (post, html_path.read_text()):
        assert FACTS_MEDIA_TYPE not in text
        assert "slo_target" not in text


def test_an_unknown_fact_stops_the_rendering(
    notebooks: Path, write_notebook: NotebookWriter, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    write_notebook(
        notebooks / "01_train_model.ipynb", new_markdown_cell("# A"), fact_cell(deploymnet="x")
    )
    assert main(["--notebooks", str(notebooks), "--output", str(tmp_path / "post")]) == 1
    assert "deploymnet" in capsys.readouterr().err


@pytest.mark.parametrize("page", [MAIN_POST, FAST], ids=lambda page: page.stem)
def test_cells_that_need_a_missing_tool_are_left_out_and_the_page_says_why(
    write_notebook: NotebookWriter, tmp_path: Path, page
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
    markdown_path, html_path = render_page(page, [notebook], tmp_path / "post", TODAY)
    for text in (markdown_path.read_text(), html_path.read_text()):
        assert "What Prometheus saw" not in text
        assert "What podman played" in text
        assert "The drift, read from the logs" in text
        assert "Step 6&#39;s SLIs" in text or "Step 6's SLIs: prometheus is not installed" in text


def test_without_a_skipped_fact_every_needs_cell_is_shown(
    write_notebook: NotebookWriter, tmp_path: Path
) -> None:
    notebook = write_notebook(
        tmp_path / "06_watch.ipynb",
        new_markdown_cell("# 6. Watch"),
        new_markdown_cell("What Prometheus saw", metadata={"tags": ["needs-prometheus"]}),
    )
    markdown_path, _ = render_page(MAIN_POST, [notebook], tmp_path / "post", TODAY)
    post = markdown_path.read_text()
    assert "What Prometheus saw" in post
    assert "What did not run here" not in post
