"""Outputs that plain markdown can hold, for the markdown export of the post.

nbconvert's markdown exporter copies an output's HTML as it is. IPython's ``Code`` brings a
Pygments stylesheet and a ``<span>`` per token, a DataFrame an HTML table: on GitHub or in a
static-site generator, a reader would see the stylesheet as text and the tags as soup. Here
``Code`` becomes a fenced block in the language the cell asked for, a DataFrame or a Styler
(``notebook_support.tables.reader_table``) a markdown table, and text outputs fenced ``text``
blocks. The HTML export keeps the HTML: there it is styling.
"""

import re
from typing import Any

from bs4 import BeautifulSoup, Tag
from nbconvert.preprocessors import Preprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_output

CODE_LANGUAGE = re.compile(r"""language\s*=\s*["']([\w+-]+)["']""")
HIGHLIGHTED = 'class="highlight"'  # the <div> Pygments wraps highlighted code in
NUMBER = re.compile(r"^[-+]?\$?[\d,]*\.?\d+(e[-+]?\d+)?%?$", re.IGNORECASE)
NO_VALUE = ("", "NaN", "\N{EN DASH}")  # what pandas, and a reader's table, show in an empty cell
STYLER_TABLE = re.compile(r"^T_")


def fenced(text: str, language: str = "text") -> str:
    """``text`` in a fenced code block, its fence longer than any run of backticks inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text.rstrip()}\n{fence}\n"


def row_cells(row: Tag) -> list[str]:
    """The texts of a table row's cells, a cell spanning n columns repeated n times."""
    cells = []
    for cell in row.find_all(["th", "td"]):
        cells += [cell.get_text(" ", strip=True)] * int(cell.get("colspan", 1))
    return cells


def header_of(rows: list[list[str]], width: int) -> list[str]:
    """One header row from pandas' header rows: the columns' levels joined, and the index's
    name (the row pandas adds below, empty but for its first cell) over the first column."""
    rows = [row + [""] * (width - len(row)) for row in rows]
    index_name = ""
    if len(rows) > 1 and not any(rows[-1][1:]):
        index_name = rows.pop()[0]
    header = [" ".join(part for part in column if part) for column in zip(*rows, strict=True)]
    header = header or [""] * width
    if index_name and not header[0]:
        header[0] = index_name
    return header


def pandas_table(html: str) -> Tag | None:
    """The table of a DataFrame's HTML or of a Styler's (``notebook_support.tables``), whose
    ``<table>`` has an id ``T_...`` and comes after its ``<style>`` block; None if neither."""
    soup = BeautifulSoup(html, "html.parser")
    return soup.find("table", class_="dataframe") or soup.find("table", id=STYLER_TABLE)


def markdown_table(html: str) -> str | None:
    """A pandas DataFrame's or Styler's HTML as a markdown table (a Styler's style block left
    out, its hidden index absent); None when the HTML holds none."""
    table = pandas_table(html)
    if table is None:
        return None
    head = [row_cells(row) for row in table.thead.find_all("tr")] if table.thead else []
    body = [row_cells(row) for row in (table.tbody or table).find_all("tr")]
    width = max((len(row) for row in head + body), default=0)
    if width == 0:
        return None
    header = header_of(head, width)
    body = [row + [""] * (width - len(row)) for row in body]
    numeric = [
        bool(column) and all(NUMBER.match(cell) for cell in column if cell not in NO_VALUE)
        for column in zip(*body, strict=True)
    ] or [False] * width
    rule = ["---:" if is_number else "---" for is_number in numeric]
    lines = [header, rule, *body]
    return "".join("| " + " | ".join(escaped(cell) for cell in line) + " |\n" for line in lines)


def escaped(cell: str) -> str:
    """A cell's text that keeps a markdown table's row whole."""
    return " ".join(cell.split()).replace("|", r"\|") or " "


def portable_data(data: dict[str, Any], language: str) -> dict[str, Any] | None:
    """The output's data as markdown, when its HTML is highlighted code or a DataFrame."""
    html = data.get("text/html", "")
    if HIGHLIGHTED in html and "text/plain" in data:
        return {"text/markdown": fenced(data["text/plain"], language)}
    table = markdown_table(html) if "<table" in html else None
    if table is not None:
        return {"text/markdown": table}
    if "text/plain" in data and set(data) <= {"text/plain", "text/html"}:
        return {"text/markdown": fenced(data["text/plain"])}
    return None


def code_language(source: str) -> str:
    """The language the cell asked ``Code`` for, when it asked for one, else ``python``."""
    languages = set(CODE_LANGUAGE.findall(source))
    return languages.pop() if len(languages) == 1 else "python"


def markdown_output(text: str) -> NotebookNode:
    return new_output("display_data", data={"text/markdown": text})


def portable_outputs(outputs: list[NotebookNode], language: str) -> list[NotebookNode]:
    """The outputs as markdown where they can be: consecutive writes to one stream become one
    fenced block (a cell that prints line by line writes many)."""
    result: list[NotebookNode] = []
    stream, text = None, ""
    for output in [*outputs, None]:
        if output is not None and output.output_type == "stream" and output.name == stream:
            text += output.text
            continue
        if stream is not None:
            result.append(markdown_output(fenced(text)))
            stream, text = None, ""
        if output is None:
            break
        if output.output_type == "stream":
            stream, text = output.name, output.text
            continue
        data = output.get("data")
        portable = portable_data(data, language) if data is not None else None
        result.append(output if portable is None else markdown_output(portable["text/markdown"]))
    return result


class PortableOutputs(Preprocessor):
    """Rewrites each code cell's outputs into markdown that renders anywhere."""

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        if cell.cell_type == "code":
            cell.outputs = portable_outputs(cell.get("outputs", []), code_language(cell.source))
        return cell, resources
