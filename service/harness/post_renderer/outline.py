"""The post's outline: one section per notebook, titled by the notebook's ``#`` heading.

Each section starts with an explicit anchor, ``<a id="..."></a>``, named by the GitHub-style slug
of its title, so the table of contents links work in the HTML, on GitHub and in any markdown
renderer that keeps inline HTML.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode

from post_renderer.cells import ATX_HEADING, is_removed, prose_lines


class OutlineError(Exception):
    """A notebook has no title to name its section by."""


@dataclass(frozen=True)
class Section:
    title: str
    anchor: str


def notebook_title(notebook: NotebookNode, path: Path) -> str:
    """The text of the first ``#`` heading in the notebook's markdown cells."""
    for cell in notebook.cells:
        if cell.cell_type != "markdown" or is_removed(cell):
            continue
        lines = cell.source.split("\n")
        for index in prose_lines(lines):
            heading = ATX_HEADING.match(lines[index])
            if heading and len(heading.group(2)) == 1:
                return lines[index][heading.end() :].strip().rstrip("#").strip()
    raise OutlineError(f"{path.name} has no title: start its first markdown cell with '# Title'")


def slug(title: str) -> str:
    """GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", title.strip().lower()).replace(" ", "-")


def sections(titles: list[str]) -> list[Section]:
    """A section per title, with anchors made unique as GitHub does (``-1``, ``-2``…)."""
    seen: dict[str, int] = {}
    result = []
    for title in titles:
        anchor = slug(title)
        count = seen.get(anchor, 0)
        seen[anchor] = count + 1
        result.append(Section(title, f"{anchor}-{count}" if count else anchor))
    return result


def table_of_contents(all_sections: list[Section]) -> str:
    return "\n".join(f"- [{section.title}](#{section.anchor})" for section in all_sections)


def anchor_markdown(section: Section) -> str:
    return f'<a id="{section.anchor}"></a>'
