"""JSON log records shown so that a reader can read them: one record a line is too wide for a page.

- ``readable_json(value)``: the same JSON, on one line where it fits in ``width`` characters, else
  one key or item a line, each value laid out the same way;
- ``print_records(records)``: each record so;
- ``readable_json_lines()``: a context manager that holds back what is written to ``sys.stdout``
  inside it and prints it when it ends, each line that holds a JSON object readable, the other
  lines as they are. A log handler set up inside it with ``stream: ext://sys.stdout`` writes
  there, so a cell shows the records the service's own formatter wrote, laid out readably. It
  keeps writing to the held text after the end, so a cell sets logging up again before it logs.
"""

import contextlib
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

WIDTH = 88
INDENT = "  "


def readable_json(value: Any, width: int = WIDTH, indent: str = "", key: str = "") -> str:
    """``value`` as JSON, laid out in ``width`` characters where it can be (a long string
    stays whole); ``key`` and ``indent`` are for the lines of a nested value."""
    compact = json.dumps(value, ensure_ascii=False)
    if len(indent) + len(key) + len(compact) <= width or not isinstance(value, dict | list):
        return compact
    inner = indent + INDENT
    if isinstance(value, dict):
        keys = [json.dumps(name, ensure_ascii=False) + ": " for name in value]
        items = zip(keys, value.values(), strict=True)
        entries = [key + readable_json(item, width, inner, key) for key, item in items]
        opening, closing = "{", "}"
    else:
        entries = [readable_json(item, width, inner) for item in value]
        opening, closing = "[", "]"
    if not entries:
        return compact
    body = ",\n".join(inner + entry for entry in entries)
    return f"{opening}\n{body}\n{indent}{closing}"


def readable_line(line: str, width: int = WIDTH) -> str:
    """A line that holds a JSON object, laid out readably; any other line as it is."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return line
    return readable_json(value, width) if isinstance(value, dict) else line


def print_records(records: Iterable[dict[str, Any]], width: int = WIDTH) -> None:
    for record in records:
        print(readable_json(record, width))


@contextlib.contextmanager
def readable_json_lines(width: int = WIDTH) -> Iterator[io.StringIO]:
    """Hold back what is written to ``sys.stdout`` inside; print it at the end, readably."""
    held = io.StringIO()
    try:
        with contextlib.redirect_stdout(held):
            yield held
    finally:
        for line in held.getvalue().splitlines():
            print(readable_line(line, width))
