import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import pandas as pdst

from notebook_support.tables import MAX_COLUMNS, MISSING, reader_table
from post_renderer.portable import markdown_table


def cells(frame: pd.DataFrame, **options) -> list[list[str]]:
    """The table's body as the markdown export shows it, one list of cell texts per row."""
    table = markdown_table(reader_table(frame, **options).to_html())
    return [line.strip("| ").split(" | ") for line in table.splitlines()[2:]]


def test_numbers_get_separators_and_each_columns_decimals() -> None:
    frame = pd.DataFrame({"req/s": [1346.04, 61.3], "p99 (ms)": [14.27, 9.0], "n": [63111, 2]})
    assert cells(frame, decimals={"p99 (ms)": 1}) == [
        ["1,346", "14.3", "63,111"],
        ["61", "9.0", "2"],
    ]


def test_the_index_is_not_shown() -> None:
    frame = pd.DataFrame({"value": [1.0]}, index=pd.Index(["row"], name="setting"))
    html = reader_table(frame).to_html()
    assert "setting" not in html
    assert ">row<" not in html


def test_text_cells_are_left_as_they_are_and_missing_values_show_a_dash() -> None:
    frame = pd.DataFrame({"service": ["ceiling", None], "cost ($)": [2465.5, np.nan]})
    assert cells(frame, default_decimals=2) == [["ceiling", "2,465.50"], [MISSING, MISSING]]


def test_percent_columns_show_fractions_as_percentages() -> None:
    frame = pd.DataFrame({"error ratio": [0.0012, 0.5]})
    assert cells(frame, decimals={"error ratio": 2}, percent=["error ratio"]) == [
        ["0.12%"],
        ["50.00%"],
    ]


def test_a_negative_number_that_rounds_to_zero_shows_no_minus() -> None:
    assert cells(pd.DataFrame({"x": [-0.0001]})) == [["0"]]


def test_booleans_are_not_numbers() -> None:
    assert cells(pd.DataFrame({"passed": [True, False]})) == [["True"], ["False"]]


def test_a_table_wider_than_a_reader_can_follow_is_refused_naming_its_columns() -> None:
    frame = pd.DataFrame({f"column {n}": [n] for n in range(MAX_COLUMNS + 1)})
    with pytest.raises(ValueError, match=r"9 columns.*column 0, column 1.*column 8"):
        reader_table(frame)


def test_a_column_named_in_the_options_must_be_in_the_table() -> None:
    with pytest.raises(ValueError, match="'p90 ms'"):
        reader_table(pd.DataFrame({"p99 ms": [1.0]}), decimals={"p90 ms": 1})


def expected_text(value: float, digits: int) -> str:
    text = f"{value:,.{digits}f}"
    return text.lstrip("-") if float(text.replace(",", "")) == 0 else text


SEPARATED = re.compile(r"^-?\d{1,3}(,\d{3})*(\.\d+)?$")
NUMBERS = st.one_of(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.integers(min_value=-(10**12), max_value=10**12),
)


@given(
    frame=pdst.data_frames(
        columns=pdst.columns(["a", "b", "c"], elements=NUMBERS, dtype=object),
        index=pdst.range_indexes(min_size=1, max_size=5),
    ),
    digits=st.integers(min_value=0, max_value=4),
)
def test_any_frame_of_numbers_comes_out_with_separators_and_the_asked_decimals(
    frame: pd.DataFrame, digits: int
) -> None:
    frame = frame.astype(float)
    shown = cells(frame, decimals={"b": digits}, default_decimals=1)
    for row, (_, values) in zip(shown, frame.iterrows(), strict=True):
        for text, column in zip(row, frame.columns, strict=True):
            wanted = digits if column == "b" else 1
            assert SEPARATED.match(text), text
            assert len(text.partition(".")[2]) == wanted
            assert math.isclose(float(text.replace(",", "")), values[column], abs_tol=10**-wanted)
            assert text == expected_text(values[column], wanted)
