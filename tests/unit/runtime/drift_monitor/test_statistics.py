import math
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from drift_monitor.baseline import categorical_reference, numeric_reference
from drift_monitor.statistics import (
    DRIFT,
    EPSILON,
    NO_DRIFT,
    NOT_ENOUGH_DATA,
    UNSEEN,
    chi_square_p_value,
    compare,
    judge,
    population_stability_index,
)
from drift_monitor.thresholds import Thresholds
from support.drift_logs import THRESHOLDS, customers

LIMITS = THRESHOLDS.for_feature("any")


def test_psi_is_zero_for_the_same_shares_and_known_for_a_known_move() -> None:
    assert population_stability_index(np.array([0.8, 0.2]), np.array([80, 20])) == 0
    # 20 % smokers become 50 %: 0.3 ln(2.5) + 0.3 ln(1.6)
    expected = 0.3 * math.log(2.5) + 0.3 * math.log(0.8 / 0.5)
    moved = population_stability_index(np.array([0.8, 0.2]), np.array([50, 50]))
    assert moved == pytest.approx(expected)


def test_an_empty_bin_counts_as_epsilon_so_the_psi_stays_finite() -> None:
    assert population_stability_index(np.array([0.5, 0.5, 0.0]), np.array([5, 5, 0])) == 0
    unseen = population_stability_index(np.array([0.5, 0.5, 0.0]), np.array([4, 4, 2]))
    assert math.isfinite(unseen)
    assert unseen > 0.2 * math.log(0.2 / EPSILON) > 1


def test_the_chi_square_p_value_is_1_for_counts_that_match_and_tiny_for_a_move() -> None:
    assert chi_square_p_value(np.array([0.8, 0.2]), np.array([800, 200])) == pytest.approx(1)
    assert chi_square_p_value(np.array([0.8, 0.2]), np.array([500, 500])) < 1e-100
    assert chi_square_p_value(np.array([1.0]), np.array([1000])) == 1


def test_without_counts_the_chi_square_p_value_is_1() -> None:
    assert chi_square_p_value(np.array([0.8, 0.2]), np.array([0, 0])) == 1


@st.composite
def shares_and_counts(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Reference shares (0 included, as for ``unseen``) and logged counts, 2 to 60 bins."""
    bins = draw(st.integers(2, 60))
    shares = draw(st.lists(st.floats(0, 1), min_size=bins, max_size=bins))
    counts = draw(st.lists(st.integers(0, 10**6), min_size=bins, max_size=bins))
    return np.array(shares), np.array(counts)


@given(shares_and_counts())
def test_the_chi_square_p_value_is_scipys_on_shares_floored_at_epsilon(
    case: tuple[np.ndarray, np.ndarray],
) -> None:
    """As tolerant as ``test_chi_square.py``, which says why."""
    shares, counts = case
    ours = chi_square_p_value(shares, counts)
    if counts.sum() == 0:
        assert ours == 1
        return
    floored = np.maximum(shares, EPSILON)
    scipys = scipy_stats.chisquare(counts, floored / floored.sum() * counts.sum()).pvalue
    assert ours == pytest.approx(scipys, rel=1e-10, abs=sys.float_info.min)


def test_the_same_sample_does_not_drift() -> None:
    ages = customers()["age"]
    judgement = judge(numeric_reference(ages, "input"), list(ages), LIMITS)
    assert judgement.verdict == NO_DRIFT
    assert judgement.psi == pytest.approx(0, abs=1e-12)
    assert judgement.p_value == pytest.approx(1)


def test_ten_years_older_drifts() -> None:
    reference = numeric_reference(customers()["age"], "input")
    judgement = judge(reference, customers(seed=1, age_shift=10)["age"].tolist(), LIMITS)
    assert judgement.verdict == DRIFT
    assert judgement.psi > 1


def test_smokers_from_a_fifth_to_a_half_drift() -> None:
    reference = categorical_reference(customers()["smoker"], "input")
    judgement = judge(reference, customers(seed=1, smokers=0.5)["smoker"].tolist(), LIMITS)
    assert judgement.verdict == DRIFT
    assert judgement.psi == pytest.approx(0.4, abs=0.1)


def test_another_sample_of_the_same_population_does_not_drift() -> None:
    reference = numeric_reference(customers()["age"], "input")
    judgement = judge(reference, customers(seed=1)["age"].tolist(), LIMITS)
    assert judgement.verdict == NO_DRIFT
    assert judgement.psi < 0.05


def test_a_tiny_shift_in_a_large_sample_is_significant_but_not_drift() -> None:
    """Half a year older on 200,000 records: the test alone would flag it; the PSI does not."""
    rng = np.random.default_rng(3)
    reference = numeric_reference(rng.normal(40, 10, 200_000), "input")
    judgement = judge(reference, list(rng.normal(40.5, 10, 200_000)), LIMITS)
    assert judgement.p_value < 1e-10
    assert judgement.psi < 0.01
    assert judgement.verdict == NO_DRIFT


def test_below_the_minimum_sample_there_is_no_verdict_and_no_figure() -> None:
    reference = numeric_reference(customers()["age"], "input")
    shifted = customers(rows=499, age_shift=30)["age"].tolist()
    judgement = judge(reference, shifted, LIMITS)
    assert (judgement.verdict, judgement.psi, judgement.p_value) == (NOT_ENOUGH_DATA, None, None)
    fewer_needed = Thresholds(psi=0.2, p_value=0.01, min_records=499)
    assert judge(reference, shifted, fewer_needed).verdict == DRIFT


def test_both_thresholds_must_be_crossed() -> None:
    reference = categorical_reference(customers()["smoker"], "input")
    smokers = customers(seed=1, smokers=0.5)["smoker"].tolist()
    assert judge(reference, smokers, LIMITS.model_copy(update={"psi": 0.5})).verdict == NO_DRIFT
    strict_p = LIMITS.model_copy(update={"p_value": 1e-300})
    assert judge(reference, smokers, strict_p).verdict == NO_DRIFT


def test_categories_the_baseline_never_saw_are_unseen_and_drift() -> None:
    reference = categorical_reference(customers()["region"], "input")
    regions = customers(seed=1)["region"].tolist()
    regions[:300] = ["moon"] * 300
    comparison = compare(reference, regions)
    assert comparison.labels[-1] == UNSEEN
    assert (comparison.expected[-1], comparison.observed[-1]) == (0, 300)
    assert judge(reference, regions, LIMITS).verdict == DRIFT


def test_without_unseen_values_there_is_no_unseen_category() -> None:
    reference = categorical_reference(["a", "b"], "input")
    assert compare(reference, ["a", "b", "b"]).labels == ['"a"', '"b"']
