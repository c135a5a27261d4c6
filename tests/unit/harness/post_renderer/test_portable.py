from collections import Counter

import pandas as pd
import pytest
from IPython.display import Code
from markdown_it import MarkdownIt
from nbconvert import MarkdownExporter
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from common.paths import PROJECT_ROOT
from notebook_support.tables import MISSING, reader_table
from post_renderer.portable import (
    PortableOutputs,
    code_language,
    fenced,
    markdown_table,
    portable_data,
    portable_outputs,
)

MARKDOWN = MarkdownIt("commonmark").enable("table")


def code_data(source: str, language: str) -> dict[str, str]:
    """What IPython's Code display puts in a notebook: highlighted HTML and the source."""
    code = Code(source, language=language)
    return {
        "text/html": code._repr_html_(),
        "text/latex": code._repr_latex_(),
        "text/plain": source,
    }


def test_a_fence_is_longer_than_any_run_of_backticks_inside() -> None:
    assert fenced("plain\n") == "```text\nplain\n```\n"
    text = "a ```python fence``` and ````four````"
    block = fenced(text, "markdown")
    assert block.startswith("`````markdown\n")
    [token] = MARKDOWN.parse(block)
    assert (token.type, token.info, token.content) == ("fence", "markdown", text + "\n")


def test_a_dataframe_becomes_a_markdown_table_numbers_right_aligned() -> None:
    frame = pd.DataFrame({"req/s": [2178.4, 61.3], "bound by": ["Locust", "a | b"]})
    frame.index = pd.Index(["ceiling", "tutorial"], name="service")
    assert markdown_table(frame.to_html(classes="dataframe")) == (
        "| service | req/s | bound by |\n"
        "| --- | ---: | --- |\n"
        "| ceiling | 2178.4 | Locust |\n"
        "| tutorial | 61.3 | a \\| b |\n"
    )


def test_a_column_of_numbers_with_gaps_is_still_numbers() -> None:
    frame = pd.DataFrame({"mean": [39.2, None], "top": [None, "male"]})
    assert markdown_table(frame.to_html()).splitlines()[1] == "| ---: | ---: | --- |"


def test_levels_of_columns_are_joined_in_one_header() -> None:
    frame = pd.DataFrame([[1, 2, 3]], columns=pd.MultiIndex.from_tuples(
        [("p99 ms", "frozen"), ("p99 ms", "not frozen"), ("req/s", "")]
    ))  # fmt: skip
    table = markdown_table(frame.to_html())
    assert table.splitlines()[0] == "|   | p99 ms frozen | p99 ms not frozen | req/s |"
    assert table.splitlines()[2] == "| 0 | 1 | 2 | 3 |"


def test_html_without_a_dataframe_is_no_table() -> None:
    assert markdown_table("<p>no table here</p>") is None
    assert markdown_table("<table><tr><td>not pandas</td></tr></table>") is None
    assert markdown_table('<table class="dataframe"></table>') is None


def test_a_cell_on_several_lines_stays_in_its_row() -> None:
    html = '<table class="dataframe"><tbody><tr><td>two\nlines</td></tr></tbody></table>'
    assert markdown_table(html) == "|   |\n| --- |\n| two lines |\n"


def styler_output(frame: pd.DataFrame, **options) -> dict[str, str]:
    """What a notebook holds for a displayed Styler: its HTML, and its repr as text."""
    styler = reader_table(frame, **options)
    return {"text/html": styler._repr_html_(), "text/plain": repr(styler)}


def test_a_reader_table_becomes_a_markdown_table_without_index_or_style() -> None:
    frame = pd.DataFrame(
        {"service": ["ceiling", "tutorial"], "req/s": [2178.4, 61.3], "p99 (ms)": [14.27, 9.0]},
        index=pd.Index(["a", "b"], name="setting"),
    )
    assert portable_data(styler_output(frame, decimals={"p99 (ms)": 1}), "python") == {
        "text/markdown": "| service | req/s | p99 (ms) |\n"
        "| --- | ---: | ---: |\n"
        "| ceiling | 2,178 | 14.3 |\n"
        "| tutorial | 61 | 9.0 |\n"
    }


def test_a_dollar_figure_and_a_missing_value_keep_a_column_numeric() -> None:
    html = reader_table(pd.DataFrame({"cost": ["$2,465", MISSING]})).to_html()
    assert markdown_table(html).splitlines()[1] == "| ---: |"


def test_highlighted_code_becomes_a_fence_in_the_cells_language() -> None:
    data = code_data("key: value\n", "yaml")
    assert portable_data(data, "yaml") == {"text/markdown": "```yaml\nkey: value\n```\n"}


def test_plain_text_results_are_fenced_and_other_outputs_are_left_alone() -> None:
    assert portable_data({"text/plain": "42"}, "python") == {"text/markdown": "```text\n42\n```\n"}
    assert portable_data({"text/markdown": "**bold**"}, "python") is None
    assert portable_data({"image/png": "iVBOR", "text/plain": "<Figure>"}, "python") is None


@pytest.mark.parametrize(
    ("source", "language"),
    [
        ('display(Code(Path("Dockerfile").read_text(), language="docker"))', "docker"),
        ("display(Code(a, language='yaml'))\ndisplay(Code(b, language='yaml'))", "yaml"),
        ("show_source(build_pipeline)", "python"),
        ('Code(a, language="yaml"); Code(b, language="text")', "python"),  # ambiguous
    ],
)
def test_the_language_is_the_one_the_cell_asked_for(source: str, language: str) -> None:
    assert code_language(source) == language


def test_consecutive_writes_to_a_stream_are_one_fenced_block() -> None:
    image = new_output("display_data", data={"image/png": "iVBOR"})
    outputs = [
        new_output("stream", name="stdout", text="== first run\n"),
        new_output("stream", name="stdout", text="   2178.4 req/s\n"),
        new_output("stream", name="stderr", text="a warning\n"),
        image,
        new_output("stream", name="stdout", text="after the image\n"),
    ]
    shown = portable_outputs(outputs, "python")
    assert [output.get("data", {}).get("text/markdown") for output in shown] == [
        "```text\n== first run\n   2178.4 req/s\n```\n",
        "```text\na warning\n```\n",
        None,
        "```text\nafter the image\n```\n",
    ]
    assert shown[2] is image


def test_an_exported_notebook_has_no_stylesheet_and_no_span_soup() -> None:
    listing = new_code_cell('display(Code(source, language="python"))')
    listing.outputs = [new_output("display_data", data=code_data("x = 1\n", "python"))]
    table = new_code_cell("frame")
    frame = pd.DataFrame({"a": [1, 2]})
    data = {"text/html": frame.to_html(), "text/plain": str(frame)}
    table.outputs = [new_output("execute_result", execution_count=1, data=data)]
    styled = new_code_cell("reader_table(frame)")
    styled.outputs = [new_output("execute_result", execution_count=2, data=styler_output(frame))]
    printed = new_code_cell("print('hello')")
    printed.outputs = [new_output("stream", name="stdout", text="hello\n")]
    notebook = new_notebook(
        cells=[new_markdown_cell("# Title"), listing, table, styled, printed],
        metadata={"language_info": {"name": "python"}},
    )
    exporter = MarkdownExporter()
    exporter.register_preprocessor(PortableOutputs(), enabled=True)
    markdown, _ = exporter.from_notebook_node(notebook)
    assert "<style" not in markdown
    assert "<span" not in markdown
    tokens = MARKDOWN.parse(markdown)
    fences = [t.info for t in tokens if t.type == "fence"]  # each input, then its output
    assert fences == ["python", "python", "python", "python", "python", "text"]
    assert [t.type for t in tokens if t.type in ("table_open", "code_block", "html_block")] == [
        "table_open",
        "table_open",
    ]


def test_the_committed_post_is_markdown_that_renders_anywhere() -> None:
    post = (PROJECT_ROOT / "blog_post" / "blog_post.md").read_text(encoding="utf-8")
    assert "<style" not in post
    assert "<span class=" not in post
    tokens = MARKDOWN.parse(post)
    kinds = Counter(token.type for token in tokens)
    assert kinds["fence"] > 0
    assert kinds["table_open"] > 0
    assert kinds["code_block"] == kinds["html_block"] == 0  # no indented output, no raw HTML
    tables = [range(*token.map) for token in tokens if token.type == "table_open"]
    lines = post.splitlines()
    rules = [number for number, line in enumerate(lines) if line.startswith("| --")]
    assert all(any(number in table for table in tables) for number in rules)
