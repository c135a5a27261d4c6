import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output, new_raw_cell

from post_renderer.cells import as_shown, demote_headings, is_removed, shown_source


def test_headings_go_one_level_down() -> None:
    markdown = "# Title\n\ntext\n\n## Part\n### Detail\n   #### Indented\n###### Deepest"
    assert demote_headings(markdown) == (
        "## Title\n\ntext\n\n### Part\n#### Detail\n   ##### Indented\n###### Deepest"
    )


@pytest.mark.parametrize(
    "line",
    ["#hashtag", "    # indented code", "text # not a heading", "#######  seven is not a heading"],
)
def test_lines_that_are_not_headings_stay(line: str) -> None:
    assert demote_headings(line) == line


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("```\n# code\n```\n# After", "```\n# code\n```\n## After"),
        ("~~~\n# code\n```\n# code\n~~~\n# After", "~~~\n# code\n```\n# code\n~~~\n## After"),
        (
            "````bash\n# code\n```\n# code\n````\n# After",
            "````bash\n# code\n```\n# code\n````\n## After",
        ),
        (
            "```\n# code\n``` text\n# code\n```\n# After",
            "```\n# code\n``` text\n# code\n```\n## After",
        ),
    ],
)
def test_code_in_fences_stays_and_headings_after_it_move(markdown: str, expected: str) -> None:
    assert demote_headings(markdown) == expected


@pytest.mark.parametrize("tag", ["parameters", "injected-parameters", "hide-cell"])
def test_removed_cells_show_nothing(tag: str) -> None:
    for cell in (new_code_cell("x = 1"), new_markdown_cell("# Hidden")):
        cell.metadata["tags"] = [tag]
        assert is_removed(cell)
        assert shown_source(cell) is None


def test_shown_sources() -> None:
    assert shown_source(new_markdown_cell("# Title\ntext")) == "## Title\ntext"
    assert shown_source(new_code_cell("# a comment\nx = 1")) == "# a comment\nx = 1"
    assert shown_source(new_code_cell("import os", metadata={"tags": ["hide-input"]})) is None
    assert shown_source(new_markdown_cell("# Not shown", metadata={"tags": ["hide-input"]})) is None
    assert shown_source(new_raw_cell("raw")) is None
    assert not is_removed(new_code_cell("x = 1", metadata={"tags": ["other"]}))


def test_as_shown_demotes_a_copy_and_markdown_outputs() -> None:
    cell = new_code_cell("show()")
    cell.outputs = [new_output("display_data", data={"text/markdown": "# Result\n![c](c.png)"})]
    shown = as_shown(cell)
    assert shown.outputs[0].data["text/markdown"] == "## Result\n![c](c.png)"
    assert cell.outputs[0].data["text/markdown"] == "# Result\n![c](c.png)"
    markdown = new_markdown_cell("# Title")
    assert as_shown(markdown).source == "## Title"
    assert markdown.source == "# Title"
