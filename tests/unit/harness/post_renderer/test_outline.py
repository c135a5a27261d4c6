from pathlib import Path

import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from post_renderer.outline import (
    OutlineError,
    Section,
    anchor_markdown,
    notebook_title,
    sections,
    slug,
    table_of_contents,
)

PATH = Path("01_example.ipynb")


def test_title_is_the_first_top_level_heading() -> None:
    notebook = new_notebook(
        cells=[
            new_code_cell("# Not a title: a code comment"),
            new_markdown_cell("# Parameters", metadata={"tags": ["hide-cell"]}),
            new_markdown_cell("```\n# In a fence\n```\n## A subheading"),
            new_markdown_cell("intro\n\n# 1. The real title ##\n\n# A later one"),
        ]
    )
    assert notebook_title(notebook, PATH) == "1. The real title"


def test_a_notebook_without_a_title_is_an_error() -> None:
    notebook = new_notebook(cells=[new_markdown_cell("## Only a subheading")])
    with pytest.raises(OutlineError, match=r"01_example\.ipynb has no title"):
        notebook_title(notebook, PATH)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("1. Training an insurance-charges model", "1-training-an-insurance-charges-model"),
        ("4. Deploying to Kubernetes (minikube)", "4-deploying-to-kubernetes-minikube"),
        ("2. Logging, and `serving` it", "2-logging-and-serving-it"),
        ("Snake_case & Co.", "snake_case--co"),
    ],
)
def test_slugs_are_githubs(title: str, expected: str) -> None:
    assert slug(title) == expected


def test_repeated_titles_get_unique_anchors() -> None:
    assert [section.anchor for section in sections(["Next", "Other", "Next", "Next"])] == [
        "next",
        "other",
        "next-1",
        "next-2",
    ]


def test_contents_link_to_the_anchors() -> None:
    first, second = Section("1. First", "1-first"), Section("2. Second", "2-second")
    assert table_of_contents([first, second]) == (
        "- [1. First](#1-first)\n- [2. Second](#2-second)"
    )
    assert anchor_markdown(first) == '<a id="1-first"></a>'
