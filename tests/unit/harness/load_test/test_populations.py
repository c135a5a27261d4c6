"""Populations: each shift moves its own feature and no other; bad files are named."""

import json
from pathlib import Path

import pytest

from common.yaml_files import ConfigurationError
from insurance_charges_model.schemas import FEATURE_NAMES
from load_test.customers import customer_bodies
from load_test.populations import (
    TRAINING,
    Shift,
    load_populations,
    shifted,
    shifts_of,
)

ROWS = [
    {"age": 20 + index, "sex": "male", "bmi": 30.0, "children": 1, "smoker": index % 5 == 0,
     "region": ["northeast", "southeast"][index % 2]}
    for index in range(100)
]  # fmt: skip


def unchanged_except(before: list[dict], after: list[dict], feature: str) -> bool:
    others = [name for name in FEATURE_NAMES if name != feature]
    return all(
        {name: row[name] for name in others} == {name: new[name] for name in others}
        for row, new in zip(before, after, strict=True)
    )


def test_the_shipped_populations_load_and_training_is_unshifted() -> None:
    populations = load_populations().populations
    assert populations[TRAINING] == []
    assert {"older", "more-smokers", "heavier", "southeast-grows", "shifted"} <= set(populations)


def test_adding_years_keeps_within_the_api_bounds_and_touches_nothing_else() -> None:
    after = shifted(ROWS, [Shift(feature="age", add=30)])
    assert [row["age"] for row in after] == [min(20 + i + 30, 65) for i in range(100)]
    assert unchanged_except(ROWS, after, "age")
    assert ROWS[0]["age"] == 20  # the input rows are not changed


def test_multiplying_bmi_rounds_and_caps() -> None:
    after = shifted([{**ROWS[0], "bmi": 50.0}, ROWS[1]], [Shift(feature="bmi", multiply=1.15)])
    assert [row["bmi"] for row in after] == [55.0, 34.5]


def test_a_category_reaches_its_share_by_changing_other_rows_only() -> None:
    after = shifted(ROWS, [Shift(feature="smoker", value=True, share=0.5)])
    assert sum(row["smoker"] for row in after) == 50
    assert all(new["smoker"] for row, new in zip(ROWS, after, strict=True) if row["smoker"])
    assert unchanged_except(ROWS, after, "smoker")


def test_a_share_already_reached_changes_nothing() -> None:
    assert shifted(ROWS, [Shift(feature="region", value="southeast", share=0.3)]) == ROWS


def test_the_same_seed_gives_the_same_rows() -> None:
    shift = [Shift(feature="region", value="northwest", share=0.4)]
    assert shifted(ROWS, shift, seed=1) == shifted(ROWS, shift, seed=1)
    assert shifted(ROWS, shift, seed=1) != shifted(ROWS, shift, seed=2)


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"feature": "income", "add": 1}, "feature 'income' is not one of"),
        ({"feature": "age"}, "give `add` or `multiply`"),
        ({"feature": "age", "add": 1, "value": "x", "share": 0.5}, "give `add` or `multiply`"),
        ({"feature": "region", "value": "southeast"}, "both `value` and `share`"),
        ({"feature": "region", "add": 1}, "region is not numeric"),
        ({"feature": "smoker", "value": True, "share": 1.5}, "less than or equal to 1"),
    ],
)
def test_a_bad_shift_is_refused_with_the_reason(fields: dict, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        Shift(**fields)


def test_a_file_without_the_training_population_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "populations.yaml"
    path.write_text("populations:\n  older: [{feature: age, add: 10}]\n")
    with pytest.raises(ConfigurationError, match="`training: \\[\\]` must be there"):
        load_populations(path)


def test_an_unknown_population_names_the_known_ones() -> None:
    with pytest.raises(ConfigurationError, match=r"no population 'younger'.*'older'"):
        shifts_of("younger")


def test_shifted_bodies_are_valid_requests_of_the_shifted_mix(insurance_csv: Path) -> None:
    bodies = [json.loads(body) for body in customer_bodies(insurance_csv, "more-smokers")]
    assert len(bodies) == 1338
    assert sum(body["smoker"] for body in bodies) == round(0.5 * 1338)
