"""Render executed notebooks into the post's pages: for each, ``<stem>.md`` and ``<stem>.html``.

    python -m post_renderer.render --notebooks build/notebooks --output blog_post

What it does:

- renders every page that ``post_renderer.pages`` names from its notebooks: the main post
  (``blog_post``) and its companion pages; a page whose notebooks are missing is an error that
  names them, and nothing is written;
- draws the architecture diagram (``architecture.diagram``) into ``images/architecture.svg``
  beside the output folder, where the main post links it (``../images/``);
- opens the main post with its front matter (``post_renderer.front_matter``: lede, steps,
  diagram, results at a glance, run it yourself, the pages, the contents), then each notebook as
  an anchored section, its headings one level down; a companion page is its notebook, with the
  date and the pages after its title and summary;
- leaves out cells tagged ``parameters``, ``injected-parameters`` or ``hide-cell`` (nbconvert's
  ``TagRemovePreprocessor``; CI still runs them), and cells tagged ``needs-COMMAND`` when that
  command was missing as the notebooks ran (they recorded it as a ``skipped`` fact); cells tagged
  ``hide-input`` show only their output;
- writes markdown that renders anywhere (``post_renderer.portable``): charts are links to
  ``../images/``, a path that works from ``notebooks/`` and ``blog_post/`` alike, and images that
  a cell outputs itself are files beside the markdown, in ``<stem>_files/``;
- writes HTML that reads as an article: no input or output prompts, prose at a readable width,
  outputs set apart from code, images embedded, links between pages pointing at ``.html``, and
  no script loaded from the network;
- writes the cells every page shows (``cells.json``), for the in-sync check (``sync``);
- prints each page's length (``post_renderer.length``) against its limit, and which exceed it.
"""

import argparse
import shutil
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import nbformat
from bs4 import BeautifulSoup
from jinja2 import DictLoader
from nbconvert import HTMLExporter, MarkdownExporter
from nbformat.v4 import new_markdown_cell, new_notebook
from traitlets.config import Config

from post_renderer.cells import (
    NEEDS_TAG_PREFIX,
    REMOVED_CELL_TAGS,
    REMOVED_INPUT_TAGS,
    as_shown,
    is_removed,
)
from post_renderer.facts import FactsError, PostFacts, SkippedStep, collected
from post_renderer.front_matter import companion_header, front_matter
from post_renderer.length import post_length
from post_renderer.outline import OutlineError, anchor_markdown, notebook_title, sections
from post_renderer.pages import MAIN_POST, PAGES, Page, PagesError, notebooks_of_every_page
from post_renderer.portable import PortableOutputs
from post_renderer.sync import write_shown_cells

DIAGRAM_NAME = "architecture.svg"
DIAGRAM_SKIPPED = "The architecture diagram"
ARTICLE_CSS = """\
:root {
  --jp-content-font-family: Charter, "Bitstream Charter", "Iowan Old Style", Georgia, serif;
  --jp-content-font-size1: 18px;
  --jp-content-line-height: 1.6;
  --jp-code-font-size: 14px;
}
body.jp-Notebook { padding: 2rem 1rem 4rem; background: #fff; }
main > .jp-Cell { max-width: 46rem; margin: 0 auto; padding: 0; }
main > .jp-CodeCell { max-width: 54rem; margin: 1.2rem auto; }
.jp-RenderedMarkdown h1 { font-size: 2.2rem; line-height: 1.2; margin-top: 0; }
.jp-RenderedMarkdown h2 { margin-top: 2.5rem; }
.jp-RenderedHTMLCommon img { max-width: 100%; height: auto; }
.jp-RenderedMarkdown :not(pre) > code { font-size: 0.82em; padding: 0.1em 0.25em; }
.jp-InputArea-editor { border: 1px solid #d8dde3; border-radius: 4px; background: #f7f8fa; }
.jp-OutputArea-output {
  border-left: 3px solid #7aa6c2; background: #f3f7fa; padding: 0.4rem 0.8rem;
  overflow-x: auto;
}
.jp-Cell-inputWrapper + .jp-Cell-outputWrapper .jp-OutputArea::before {
  content: "Output"; display: block; font: 600 0.7rem/1.6 system-ui, sans-serif;
  letter-spacing: 0.06em; text-transform: uppercase; color: #5b7a8c; margin-top: 0.4rem;
}
.jp-OutputArea-output table { font-size: 0.9rem; }
img { max-width: 100%; height: auto; }
"""
HTML_TEMPLATE = (
    """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style type="text/css">
"""
    + ARTICLE_CSS
    + """</style>
{%- endblock html_head_css -%}
"""
)


class RenderError(Exception):
    """The notebooks to render are missing or unreadable."""


def notebooks_in(directory: Path) -> list[Path]:
    """The numbered notebooks in a directory, in order: ``01_….ipynb``, ``02_….ipynb``…"""
    return sorted(directory.glob("[0-9]*.ipynb"))


def first_shown_markdown(cells: list[nbformat.NotebookNode]) -> int:
    """The index of the first markdown cell a page shows (a companion page's title and summary)."""
    return next(
        (index for index, cell in enumerate(cells)
         if cell.cell_type == "markdown" and not is_removed(cell)),
        -1,
    )  # fmt: skip


def main_post_cells(
    notebooks: list[nbformat.NotebookNode], paths: list[Path], today: date, facts: PostFacts
) -> list[nbformat.NotebookNode]:
    """The front matter, then each notebook as an anchored section, its headings one level down."""
    all_sections = sections(
        [notebook_title(nb, path) for nb, path in zip(notebooks, paths, strict=True)]
    )
    drawn = not any(step.what == DIAGRAM_SKIPPED for step in facts.skipped)
    cells = [new_markdown_cell(front_matter(today, all_sections, facts, with_diagram=drawn))]
    for section, notebook in zip(all_sections, notebooks, strict=True):
        cells.append(new_markdown_cell(anchor_markdown(section)))
        cells.extend(as_shown(cell) for cell in notebook.cells)
    return cells


def companion_cells(
    page: Page, notebooks: list[nbformat.NotebookNode], today: date, facts: PostFacts
) -> list[nbformat.NotebookNode]:
    """The notebooks' cells, headings as they are, with the page's header after the first
    markdown cell (the title and its summary)."""
    cells = [as_shown(cell, demote=False) for notebook in notebooks for cell in notebook.cells]
    at = first_shown_markdown(cells) + 1
    return [*cells[:at], new_markdown_cell(companion_header(page, today, facts)), *cells[at:]]


def merge_notebooks(
    paths: list[Path],
    today: date,
    page: Page = MAIN_POST,
    skipped: tuple[SkippedStep, ...] = (),
) -> nbformat.NotebookNode:
    """One notebook for the page: its opening, then its notebooks' cells as the page shows them.
    ``skipped``: what did not run besides what the notebooks recorded (the diagram)."""
    if not paths:
        raise RenderError("no executed notebooks to render: run `make notebooks` first")
    notebooks = [nbformat.read(path, as_version=4) for path in paths]
    facts = collected(notebooks)
    facts = facts.model_copy(update={"skipped": [*facts.skipped, *skipped]})
    if page.is_main:
        cells = main_post_cells(notebooks, paths, today, facts)
    else:
        cells = companion_cells(page, notebooks, today, facts)
    merged = new_notebook(cells=cells, metadata=notebooks[0].metadata)
    merged.metadata["title"] = page.title
    merged.metadata["page"] = page.stem
    merged.metadata["skipped"] = sorted({step.command for step in facts.skipped})
    return merged


def page_of(notebook: nbformat.NotebookNode) -> Page:
    stem = notebook.metadata.get("page", MAIN_POST.stem)
    return next((page for page in PAGES if page.stem == stem), MAIN_POST)


def skipped_cell_tags(notebook: nbformat.NotebookNode) -> set[str]:
    """``needs-COMMAND`` for each tool that was missing when the notebooks ran (the merged
    notebook's ``skipped`` metadata): the cells that show what it would have done."""
    return {f"{NEEDS_TAG_PREFIX}{command}" for command in notebook.metadata.get("skipped", [])}


def exporter_config(notebook: nbformat.NotebookNode) -> Config:
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVED_CELL_TAGS) | skipped_cell_tags(
        notebook
    )
    config.TagRemovePreprocessor.remove_input_tags = set(REMOVED_INPUT_TAGS)
    config.TemplateExporter.exclude_input_prompt = True
    config.TemplateExporter.exclude_output_prompt = True
    return config


def export_markdown(notebook: nbformat.NotebookNode) -> tuple[str, dict[str, bytes]]:
    """The markdown, and the images it links to by paths under the page's ``<stem>_files/``."""
    page = page_of(notebook)
    resources = {"unique_key": page.stem, "output_files_dir": page.files_dir}
    exporter = MarkdownExporter(config=exporter_config(notebook))
    exporter.register_preprocessor(PortableOutputs(), enabled=True)
    body, resources = exporter.from_notebook_node(notebook, resources=resources)
    return body, resources.get("outputs", {})


def html_href(href: str) -> str:
    """A link to a page's markdown (``<stem>.md``, perhaps with a ``#part``) as a link to its
    HTML; any other link as it is."""
    parts = urlsplit(href)
    html_names = {page.markdown_name: page.html_name for page in PAGES}
    if parts.scheme or parts.netloc or parts.path not in html_names:
        return href
    return urlunsplit(parts._replace(path=html_names[parts.path]))


def links_between_pages_as_html(html: str) -> str:
    """The page with its links to other pages' markdown pointing at their HTML."""
    soup = BeautifulSoup(html, "html.parser")
    for link in soup.find_all("a", href=True):
        link["href"] = html_href(link["href"])
    return str(soup)


def export_html(notebook: nbformat.NotebookNode) -> str:
    """One self-contained HTML page; images that cells output are embedded as data URIs."""
    exporter = HTMLExporter(
        config=exporter_config(notebook),
        extra_loaders=[DictLoader({"post.html.j2": HTML_TEMPLATE})],
        template_file="post.html.j2",
    )
    body, _ = exporter.from_notebook_node(notebook)
    return links_between_pages_as_html(body)


def write_output_files(files: dict[str, bytes], output_dir: Path, page: Page) -> None:
    """Replace the page's ``<stem>_files/`` with the images of this rendering."""
    shutil.rmtree(output_dir / page.files_dir, ignore_errors=True)
    for name, data in files.items():
        path = output_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def render_page(
    page: Page,
    notebook_paths: list[Path],
    output_dir: Path,
    today: date,
    skipped: tuple[SkippedStep, ...] = (),
) -> tuple[Path, Path]:
    """Write the page's ``<stem>.md``, ``<stem>.html`` and images into ``output_dir``."""
    merged = merge_notebooks(notebook_paths, today, page, skipped)
    markdown, files = export_markdown(merged)
    html = export_html(merged)
    output_dir.mkdir(parents=True, exist_ok=True)
    write_output_files(files, output_dir, page)
    markdown_path, html_path = output_dir / page.markdown_name, output_dir / page.html_name
    markdown_path.write_text(markdown, encoding="utf-8")
    html_path.write_text(html, encoding="utf-8")
    return markdown_path, html_path


def diagram_path(output_dir: Path) -> Path:
    """Where the main post's ``../images/architecture.svg`` points from ``output_dir``."""
    return output_dir.parent / "images" / DIAGRAM_NAME


def draw_diagram(output: Path) -> str | None:
    """Draw the architecture into ``output``; None when drawn, else why not (``dot`` missing)."""
    from architecture.diagram import DotMissingError, draw_architecture  # only when rendering

    try:
        draw_architecture(output)
    except DotMissingError as error:
        return str(error)
    return None


def render_pages(
    notebooks_dir: Path,
    output_dir: Path,
    today: date | None = None,
    draw: Callable[[Path], str | None] = draw_diagram,
) -> list[Path]:
    """Render every page from the notebooks in ``notebooks_dir`` into ``output_dir``, with the
    diagram drawn by ``draw``; the paths written."""
    notebooks = notebooks_of_every_page(notebooks_dir)
    problem = draw(diagram_path(output_dir))
    skipped = (SkippedStep(command="dot", what=DIAGRAM_SKIPPED, why=problem),) if problem else ()
    written: list[Path] = []
    for page, paths in notebooks.items():
        extra = skipped if page.is_main else ()
        written += render_page(page, paths, output_dir, today or date.today(), extra)
    return [*written, write_shown_cells(notebooks, output_dir)]


def length_report(output_dir: Path) -> list[str]:
    """One line per page: its length, its limit, and whether it exceeds it."""
    lines = []
    for page in PAGES:
        length = post_length((output_dir / page.markdown_name).read_text(encoding="utf-8"))
        limit = page.reading_limit_minutes
        verdict = "EXCEEDS its limit" if length.reading_minutes > limit else "within its limit"
        lines.append(f"{page.markdown_name}: {length.summary()}; limit {limit} min: {verdict}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--notebooks", type=Path, required=True, help="directory of executed notebooks"
    )
    parser.add_argument("--output", type=Path, required=True, help="directory for the pages")
    arguments = parser.parse_args(argv)
    try:
        paths = render_pages(arguments.notebooks, arguments.output)
    except (
        RenderError, PagesError, OutlineError, FactsError, OSError, nbformat.reader.NotJSONError,
    ) as error:  # fmt: skip
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("wrote " + ", ".join(str(path) for path in paths))
    report = length_report(arguments.output)
    print("\n".join(report))
    exceeding = [line.split(":")[0] for line in report if "EXCEEDS" in line]
    print(f"too long: {', '.join(exceeding)}" if exceeding else "every page is within its limit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
