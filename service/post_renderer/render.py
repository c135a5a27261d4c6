"""Render executed notebooks into one post: ``blog_post.md`` and ``blog_post.html``.

    python -m post_renderer.render --notebooks build/notebooks --output blog_post

Cells tagged ``parameters``, ``injected-parameters`` or ``hide-cell`` are left out; cells
tagged ``hide-input`` show only their output. Charts are markdown links to ``../images/``, a path
that works from ``notebooks/`` and ``blog_post/`` alike.
"""

import argparse
import sys
from datetime import date
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter, MarkdownExporter
from nbconvert.exporters import Exporter
from traitlets.config import Config

TITLE = "Deploying a machine-learning model for real"
SUMMARY = (
    "We train an insurance-charges model, log every prediction it makes, serve it, and take it "
    "to production. Every step below was executed to produce this post."
)
REMOVED_CELL_TAGS = {"parameters", "injected-parameters", "hide-cell"}
REMOVED_INPUT_TAGS = {"hide-input"}


class RenderError(Exception):
    """The notebooks to render are missing or unreadable."""


def front_matter(today: date) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(f"# {TITLE}\n\n*{today.isoformat()}*\n\n{SUMMARY}")


def merge_notebooks(paths: list[Path], today: date) -> nbformat.NotebookNode:
    """One notebook: the front matter, then every cell of every notebook, in order."""
    if not paths:
        raise RenderError("no executed notebooks to render: run `make notebooks` first")
    notebooks = [nbformat.read(path, as_version=4) for path in paths]
    merged = nbformat.v4.new_notebook(metadata=notebooks[0].metadata)
    merged.cells = [front_matter(today)] + [
        cell for notebook in notebooks for cell in notebook.cells
    ]
    return merged


def exporter_config() -> Config:
    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = REMOVED_CELL_TAGS
    config.TagRemovePreprocessor.remove_input_tags = REMOVED_INPUT_TAGS
    return config


def export(notebook: nbformat.NotebookNode, exporter_class: type[Exporter]) -> str:
    body, _ = exporter_class(config=exporter_config()).from_notebook_node(notebook)
    return body


def render(notebook_paths: list[Path], output_dir: Path, today: date | None = None) -> list[Path]:
    """Write ``blog_post.md`` and ``blog_post.html`` into ``output_dir``; return their paths."""
    merged = merge_notebooks(notebook_paths, today or date.today())
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, exporter_class in ((".md", MarkdownExporter), (".html", HTMLExporter)):
        path = output_dir / f"blog_post{suffix}"
        path.write_text(export(merged, exporter_class))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--notebooks", type=Path, required=True, help="directory of executed notebooks"
    )
    parser.add_argument("--output", type=Path, required=True, help="directory for the post")
    arguments = parser.parse_args(argv)
    try:
        paths = render(sorted(arguments.notebooks.glob("[0-9]*.ipynb")), arguments.output)
    except (RenderError, OSError, nbformat.reader.NotJSONError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print("wrote " + ", ".join(str(path) for path in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
