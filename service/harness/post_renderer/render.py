"""Render executed notebooks into one post: ``blog_post.md`` and ``blog_post.html``.

    python -m post_renderer.render --notebooks build/notebooks --output blog_post

The post opens with a title, the date, a summary and a table of contents; then each notebook is a
section titled by its ``#`` heading, with its own headings one level down. Cells tagged
``parameters``, ``injected-parameters`` or ``hide-cell`` are left out, and so are cells tagged
``needs-COMMAND`` when that command was missing as the notebooks ran (they recorded it as a
``skipped`` fact); cells tagged ``hide-input`` show only their output. Charts are markdown
links to ``../images/``, a path that works from ``notebooks/`` and ``blog_post/`` alike.
Images that a cell outputs itself are embedded in the HTML and written beside the markdown, into
``blog_post_files/``. The HTML loads no scripts from
the network (no require.js, MathJax or Mermaid: the notebooks use none of them). The markdown
holds no HTML of the outputs: listings, tables and printed text become markdown that renders
anywhere (``post_renderer.portable``).
"""

import argparse
import shutil
import sys
from datetime import date
from pathlib import Path

import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter, MarkdownExporter
from nbformat.v4 import new_markdown_cell, new_notebook
from traitlets.config import Config

from post_renderer.cells import NEEDS_TAG_PREFIX, REMOVED_CELL_TAGS, REMOVED_INPUT_TAGS, as_shown
from post_renderer.facts import FactsError, collected
from post_renderer.front_matter import TITLE, front_matter
from post_renderer.length import post_length
from post_renderer.outline import OutlineError, anchor_markdown, notebook_title, sections
from post_renderer.portable import PortableOutputs
from post_renderer.sync import write_shown_cells

POST_NAME = "blog_post"
FILES_DIR = f"{POST_NAME}_files"
HTML_TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


class RenderError(Exception):
    """The notebooks to render are missing or unreadable."""


def notebooks_in(directory: Path) -> list[Path]:
    """The numbered notebooks in a directory, in order: ``01_….ipynb``, ``02_….ipynb``…"""
    return sorted(directory.glob("[0-9]*.ipynb"))


def merge_notebooks(paths: list[Path], today: date) -> nbformat.NotebookNode:
    """One notebook: the front matter, then each notebook as an anchored section, in order."""
    if not paths:
        raise RenderError("no executed notebooks to render: run `make notebooks` first")
    notebooks = [nbformat.read(path, as_version=4) for path in paths]
    all_sections = sections(
        [notebook_title(nb, path) for nb, path in zip(notebooks, paths, strict=True)]
    )
    facts = collected(notebooks)
    cells = [new_markdown_cell(front_matter(today, all_sections, facts))]
    for section, notebook in zip(all_sections, notebooks, strict=True):
        cells.append(new_markdown_cell(anchor_markdown(section)))
        cells.extend(as_shown(cell) for cell in notebook.cells)
    merged = new_notebook(cells=cells, metadata=notebooks[0].metadata)
    merged.metadata["title"] = TITLE
    merged.metadata["skipped"] = sorted({step.command for step in facts.skipped})
    return merged


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
    return config


def export_markdown(notebook: nbformat.NotebookNode) -> tuple[str, dict[str, bytes]]:
    """The markdown, and the images it links to by paths under ``blog_post_files/``."""
    resources = {"unique_key": POST_NAME, "output_files_dir": FILES_DIR}
    exporter = MarkdownExporter(config=exporter_config(notebook))
    exporter.register_preprocessor(PortableOutputs(), enabled=True)
    body, resources = exporter.from_notebook_node(notebook, resources=resources)
    return body, resources.get("outputs", {})


def export_html(notebook: nbformat.NotebookNode) -> str:
    """One self-contained HTML page; images that cells output are embedded as data URIs."""
    exporter = HTMLExporter(
        config=exporter_config(notebook),
        extra_loaders=[DictLoader({"post.html.j2": HTML_TEMPLATE})],
        template_file="post.html.j2",
    )
    body, _ = exporter.from_notebook_node(notebook)
    return body


def write_output_files(files: dict[str, bytes], output_dir: Path) -> None:
    """Replace ``blog_post_files/`` with the images of this rendering."""
    shutil.rmtree(output_dir / FILES_DIR, ignore_errors=True)
    for name, data in files.items():
        path = output_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def render(notebook_paths: list[Path], output_dir: Path, today: date | None = None) -> list[Path]:
    """Write ``blog_post.md``, ``blog_post.html`` and the cells they show (``cells.json``) into
    ``output_dir``; return their paths."""
    merged = merge_notebooks(notebook_paths, today or date.today())
    markdown, files = export_markdown(merged)
    html = export_html(merged)
    output_dir.mkdir(parents=True, exist_ok=True)
    write_output_files(files, output_dir)
    markdown_path, html_path = output_dir / f"{POST_NAME}.md", output_dir / f"{POST_NAME}.html"
    markdown_path.write_text(markdown, encoding="utf-8")
    html_path.write_text(html, encoding="utf-8")
    return [markdown_path, html_path, write_shown_cells(notebook_paths, output_dir)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--notebooks", type=Path, required=True, help="directory of executed notebooks"
    )
    parser.add_argument("--output", type=Path, required=True, help="directory for the post")
    arguments = parser.parse_args(argv)
    try:
        paths = render(notebooks_in(arguments.notebooks), arguments.output)
    except (RenderError, OutlineError, FactsError, OSError, nbformat.reader.NotJSONError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("wrote " + ", ".join(str(path) for path in paths))
    markdown = next(path for path in paths if path.suffix == ".md")
    print(f"the post: {post_length(markdown.read_text(encoding='utf-8')).summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
