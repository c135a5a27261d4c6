"""Tables as a reader wants them: no index column, thousands separators on every number, the
precision each column needs, and at most ``MAX_COLUMNS`` columns. Units go in the headers
("p99 (ms)"), so a cell holds a number and nothing else.

    display(reader_table(frame, decimals={"p99 (ms)": 1}, percent=["error ratio"]))
"""

from collections.abc import Collection, Mapping
from numbers import Integral, Real
from typing import Any

import pandas as pd
from pandas.io.formats.style import Styler

MAX_COLUMNS = 8
MISSING = "\N{EN DASH}"  # what a cell without a value (NaN, None) shows


def reader_table(
    frame: pd.DataFrame,
    *,
    decimals: Mapping[Any, int] | None = None,
    default_decimals: int = 0,
    percent: Collection[Any] | None = None,
) -> Styler:
    """``frame`` styled for the post: its index hidden, each number with thousands separators
    and ``decimals[column]`` digits (``default_decimals`` for a column not named), the
    ``percent`` columns' fractions as percentages (0.125 → "12.5%" with one decimal); text
    cells as they are.
    ValueError when the frame has more than ``MAX_COLUMNS`` columns, or a column named in
    ``decimals`` or ``percent`` is not in it."""
    decimals, percent = dict(decimals or {}), set(percent or ())
    check_columns(frame, [*decimals, *percent])
    styler = frame.style.hide(axis="index")
    for column in frame.columns:
        digits = decimals.get(column, default_decimals)
        styler = styler.format(cell_format(digits, column in percent), subset=[column])
    numeric = [column for column in frame.columns if is_numeric_column(frame[column])]
    return styler.set_properties(subset=numeric, **{"text-align": "right"})


def check_columns(frame: pd.DataFrame, named: list[Any]) -> None:
    """ValueError when the frame is too wide for a page, or ``named`` holds a column it lacks."""
    if len(frame.columns) > MAX_COLUMNS:
        raise ValueError(
            f"{len(frame.columns)} columns, more than a reader can follow ({MAX_COLUMNS}): "
            f"{', '.join(map(str, frame.columns))}; split the table or drop columns"
        )
    unknown = [column for column in named if column not in frame.columns]
    if unknown:
        raise ValueError(f"no column {', '.join(map(repr, unknown))} in the table")


def cell_format(digits: int, as_percent: bool = False):
    """The formatter of one column's cells: numbers formatted, anything else left as it is."""

    def formatted(value: Any) -> str:
        if value is None or (isinstance(value, float) and value != value):  # NaN
            return MISSING
        if not is_number(value):
            return value if isinstance(value, str) else str(value)
        return number_text(value * 100 if as_percent else value, digits) + (
            "%" if as_percent else ""
        )

    return formatted


def is_number(value: Any) -> bool:
    """A real number, not a boolean (True is an int to Python, not to a reader)."""
    return isinstance(value, Real) and not isinstance(value, bool)


def is_numeric_column(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def number_text(value: Real, digits: int) -> str:
    """``value`` with thousands separators and ``digits`` decimals; never "-0"."""
    exact = digits == 0 and isinstance(value, Integral)
    text = f"{int(value):,}" if exact else f"{float(value):,.{digits}f}"
    rounds_to_zero = text.startswith("-") and not any(digit in text for digit in "123456789")
    return text[1:] if rounds_to_zero else text
