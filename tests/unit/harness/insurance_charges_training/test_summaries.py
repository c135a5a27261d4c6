import pandas as pd
import pytest

from insurance_charges_model.schemas import AGE_RANGE, BMI_RANGE, CATEGORIES, CHILDREN_RANGE
from insurance_charges_training.summaries import (
    category_shares,
    charges_by_obesity,
    display_number,
    loss_comparison,
    numeric_summary,
    schema_bounds,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (0.85624, "0.8562"),
        (-0.04031, "-0.0403"),
        (30.6634, "30.66"),
        (13270.42, "13,270"),
        (1338.0, "1,338"),
        (0.0, "0"),
    ],
)
def test_numbers_get_fewer_decimals_as_they_grow(value: float, shown: str) -> None:
    assert display_number(value) == shown


def test_the_numeric_summary_has_one_full_row_per_number(insurance_frame: pd.DataFrame) -> None:
    summary = numeric_summary(insurance_frame)
    assert list(summary.index) == ["age", "bmi", "children", "charges"]
    assert not summary.isna().any().any()
    assert summary.loc["bmi", "max"] == insurance_frame.bmi.max()
    assert summary.loc["charges", "count"] == len(insurance_frame)


def test_category_shares_list_every_value_even_an_absent_one(
    insurance_frame: pd.DataFrame,
) -> None:
    smokers = insurance_frame[insurance_frame.smoker]
    shares = category_shares(smokers)
    assert len(shares) == sum(len(values) for values in CATEGORIES.values())
    smoker = shares.loc["smoker"].set_index("value")
    assert smoker.customers.to_dict() == {False: 0, True: len(smokers)}
    assert shares.groupby(level="feature").percent.sum().round(9).eq(100).all()


def test_charges_by_obesity_are_medians_and_obesity_starts_at_30() -> None:
    frame = pd.DataFrame(
        {
            "bmi": [25.0, 30.0, 29.9, 35.0, 40.0],
            "smoker": [False, False, True, True, True],
            "charges": [1.0, 2.0, 3.0, 5.0, 7.0],
        }
    )
    table = charges_by_obesity(frame)
    assert table.to_dict(orient="index") == {
        "non-smoker": {"BMI < 30": 1.0, "BMI ≥ 30": 2.0},
        "smoker": {"BMI < 30": 3.0, "BMI ≥ 30": 6.0},
    }


def test_the_schema_bounds_come_from_the_schema_and_contain_the_data(
    insurance_frame: pd.DataFrame,
) -> None:
    bounds = schema_bounds(insurance_frame)
    assert bounds.loc["age", ["schema_minimum", "schema_maximum"]].tolist() == list(AGE_RANGE)
    assert bounds.loc["bmi", ["schema_minimum", "schema_maximum"]].tolist() == list(BMI_RANGE)
    assert bounds.loc["children", ["schema_minimum", "schema_maximum"]].tolist() == list(
        CHILDREN_RANGE
    )
    assert bounds.loc["bmi", "data_minimum"] == insurance_frame.bmi.min()
    assert (bounds.schema_minimum <= bounds.data_minimum).all()
    assert (bounds.data_maximum <= bounds.schema_maximum).all()


COMPARISON = pd.DataFrame(
    {
        "candidate": [
            "boosting_huber",
            "random_forest",
            "boosting_absolute_error",
            "boosting_squared_error",
        ],
        "cv_mae_mean": [1500.0, 2500.0, 1800.0, 2000.0],
        "cv_r2_mean": [0.86, 0.86, 0.80, 0.85],
        "cv_r2_std": [0.02, 0.03, 0.01, 0.04],
    }
)


def test_each_loss_is_compared_with_squared_error_in_fold_standard_deviations() -> None:
    table = loss_comparison(COMPARISON)
    assert set(table.index) == {
        "boosting_squared_error",
        "boosting_huber",
        "boosting_absolute_error",
    }
    assert table.loc["boosting_squared_error"].drop(["cv_mae_mean", "cv_r2_mean"]).eq(0).all()
    huber = table.loc["boosting_huber"]
    assert huber.mae_change_percent == pytest.approx(-25.0)
    assert huber.r2_change == pytest.approx(0.01)
    assert huber.r2_change_in_fold_stds == pytest.approx(0.01 / 0.04)


def test_the_larger_standard_deviation_of_the_pair_is_the_unit() -> None:
    table = loss_comparison(COMPARISON, reference="boosting_absolute_error")
    assert table.loc["boosting_huber"].r2_change_in_fold_stds == pytest.approx(0.06 / 0.02)


def test_a_reference_that_is_no_boosting_candidate_is_refused() -> None:
    with pytest.raises(ValueError, match="'random_forest' is not a boosting candidate"):
        loss_comparison(COMPARISON, reference="random_forest")
