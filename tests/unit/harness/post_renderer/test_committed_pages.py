"""The committed pages read as articles: each within its reading time, no plumbing, no raw
numbers in tables, no notebook prompts in the HTML.

These tests read ``blog_post/`` as committed: they fail until the pages are rendered again with
``make blog`` after a notebook changes what they show. The rules themselves are tested first, on
small examples, so that a rule that cannot fail is seen.
"""

import re

import pytest
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt

from common.paths import PROJECT_ROOT
from post_renderer.length import post_length
from post_renderer.pages import PAGES, Page

POST_DIR = PROJECT_ROOT / "blog_post"
PLUMBING = ("if engine", "if where", "if on_pods")
CODE_BLOCKS = ("fence", "code_block")
# A number's fraction of more than 4 digits, as in 0.123456 or 9298.98154
LONG_FRACTION = re.compile(r"(?<![\d.])\d+\.\d{5,}")
# 4 or more digits in a row that are not a fraction's digits nor part of a word: 1064, not 1,064
UNSEPARATED = re.compile(r"(?<![\w.,])\d{4,}(?![\w,])")
# A calendar date or time (2026-01-02, 2026-01-02T10:00:00): its year is not a quantity
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?")
# A port number or a user:group id (port 8000, 10001:10001) names something; it is no quantity
IDENTIFIER = re.compile(r"\bport \d+\b|\b\d+:\d+\b")
PROMPT = re.compile(r"\b(?:In|Out)\s?\[\s*\d*\s*\]:")


def parsed(markdown: str):
    return MarkdownIt("commonmark").enable("table").parse(markdown)


def plumbing_lines(markdown: str) -> list[str]:
    """Lines that open with a branch on the machine the notebooks ran on."""
    return [line for line in markdown.splitlines() if line.lstrip().startswith(PLUMBING)]


def assert_lines(markdown: str) -> list[str]:
    """Lines of code blocks that are asserts."""
    return [
        line
        for token in parsed(markdown)
        if token.type in CODE_BLOCKS
        for line in token.content.splitlines()
        if line.lstrip().startswith("assert ")
    ]


def table_cell_texts(markdown: str) -> list[str]:
    """The text of every table cell (headers included), its inline code left out: code is not
    a quantity."""
    texts, in_cell = [], False
    for token in parsed(markdown):
        if token.type in ("th_open", "td_open"):
            in_cell = True
        elif token.type in ("th_close", "td_close"):
            in_cell = False
        elif in_cell and token.type == "inline":
            texts.append(" ".join(c.content for c in token.children or [] if c.type == "text"))
    return texts


def raw_table_numbers(markdown: str) -> list[str]:
    """Numbers in tables with more than 4 decimals, or of 4 or more digits without thousands
    separators; dates do not count."""
    found = []
    for text in table_cell_texts(markdown):
        text = IDENTIFIER.sub("", DATE.sub("", text))
        found += [match.group() for match in LONG_FRACTION.finditer(text)]
        found += [match.group() for match in UNSEPARATED.finditer(text)]
    return found


def prompts(html: str) -> list[str]:
    """Jupyter's input and output prompts, as elements or as text, in the page's body."""
    soup = BeautifulSoup(html, "html.parser")
    found = [element.get_text() for element in soup.select(".jp-InputPrompt, .jp-OutputPrompt")]
    return found + PROMPT.findall(soup.body.get_text() if soup.body else "")


# The rules, on small examples.


def test_plumbing_lines_are_found_wherever_they_are_indented() -> None:
    markdown = "```python\nif engine:\n    build()\n  if where == 'pods':\n```\nif only"
    assert plumbing_lines(markdown) == ["if engine:", "  if where == 'pods':"]


def test_asserts_are_found_in_code_blocks_only() -> None:
    markdown = "assert in prose\n\n```python\nx = 1\n    assert x, x\n```\n"
    assert assert_lines(markdown) == ["    assert x, x"]


@pytest.mark.parametrize(
    ("cell", "raw"),
    [
        ("1064", ["1064"]),
        ("1,064", []),
        ("http port 8000, metrics port 9100", []),
        ("10001:10001", []),
        ("9100 requests", ["9100"]),
        ("9298.9815", ["9298"]),
        ("42.8400", []),
        ("125.04411", ["125.04411"]),
        ("0.123456 s", ["0.123456"]),
        ("12.5%", []),
        ("p99 (ms)", []),
        ("2026-01-02", []),
        ("2026-01-02T10:00:00", []),
        ("`--port 8000`", []),
        ("HTTP 503", []),
        ("$63,111", []),
        ("63111.0", ["63111"]),
    ],
)
def test_raw_numbers_in_tables(cell: str, raw: list[str]) -> None:
    assert raw_table_numbers(f"| a |\n|---|\n| {cell} |\n") == raw


def test_numbers_outside_tables_do_not_count() -> None:
    assert raw_table_numbers("1064 requests\n\n```text\n9298.98154\n```\n") == []


def test_prompts_are_found_as_elements_and_as_text() -> None:
    html = '<body><div class="jp-InputPrompt">In&nbsp;[3]:</div><pre>Out[7]: 1</pre></body>'
    assert prompts(html) == ["In\xa0[3]:", "In\xa0[3]:", "Out[7]:"]
    assert prompts("<body><p>In [the] text, Out of [range]</p></body>") == []


# The committed pages.


def committed(page: Page, suffix: str) -> str:
    path = POST_DIR / f"{page.stem}{suffix}"
    assert path.is_file(), f"blog_post/{path.name} is missing: render the pages with `make blog`"
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_each_page_reads_within_its_limit(page: Page) -> None:
    length = post_length(committed(page, ".md"))
    assert length.reading_minutes <= page.reading_limit_minutes, (
        f"{page.markdown_name}: {length.summary()}; its limit is {page.reading_limit_minutes} min"
    )


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_no_page_shows_plumbing_or_asserts(page: Page) -> None:
    markdown = committed(page, ".md")
    assert plumbing_lines(markdown) == []
    assert assert_lines(markdown) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_no_table_shows_a_raw_number(page: Page) -> None:
    assert raw_table_numbers(committed(page, ".md")) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.stem)
def test_no_html_page_shows_a_prompt(page: Page) -> None:
    assert prompts(committed(page, ".html")) == []
