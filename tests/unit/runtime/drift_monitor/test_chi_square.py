"""The chi-square test without scipy, checked against scipy, which it replaces in the image.

Measured over about 300,000 points (k 1..200, x 0..1e5), the survival function agrees with
``scipy.stats.chi2.sf`` to a relative 3.3e-13 wherever scipy's value is a normal float (above
2.2e-308, p-values down to 1e-300 included): the error is that of the logarithms of the terms,
about ``x / 2`` times the float epsilon. The tests allow a relative 1e-10, a margin of 300 that
still catches any wrong term. Under the smallest normal float both sides are subnormal or 0,
with few or no significant digits (scipy returns 0 where this returns 7e-312), so there the
tests only ask that both are below it.
"""

import math
import sys

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from drift_monitor.chi_square import (
    chi_square_statistic,
    chi_square_survival,
    goodness_of_fit_p_value,
)

RELATIVE = 1e-10
SMALLEST_NORMAL = sys.float_info.min


def agrees_with_scipy(ours: float, scipys: float) -> bool:
    """Within ``RELATIVE`` of scipy, or both under the smallest normal float."""
    return ours == pytest.approx(scipys, rel=RELATIVE, abs=SMALLEST_NORMAL)


@given(
    degrees_of_freedom=st.integers(1, 200),
    statistic=st.floats(0, 1e5) | st.floats(0, 3000),
)
@example(degrees_of_freedom=1, statistic=1376.0)  # p = 3e-301
@example(degrees_of_freedom=200, statistic=2000.0)  # p = 6e-294
@example(degrees_of_freedom=7, statistic=1500.0)  # p = 9e-320 here, 0 for scipy
@example(degrees_of_freedom=3, statistic=5e-324)  # the statistic halves to 0
def test_the_survival_function_is_scipys(degrees_of_freedom: int, statistic: float) -> None:
    ours = chi_square_survival(statistic, degrees_of_freedom)
    assert agrees_with_scipy(ours, scipy_stats.chi2.sf(statistic, degrees_of_freedom))


@st.composite
def counts_and_expected(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    """Observed counts, and expected counts with the same total from arbitrary positive shares,
    or from shares close to the counts' own, so p-values span 1 down to underflow."""
    bins = draw(st.integers(2, 60))
    observed = np.array(draw(st.lists(st.integers(0, 10**6), min_size=bins, max_size=bins)))
    if observed.sum() == 0:
        observed[draw(st.integers(0, bins - 1))] = draw(st.integers(1, 10**6))
    arbitrary = st.lists(st.floats(1e-150, 1e150), min_size=bins, max_size=bins)
    moves = st.lists(st.floats(-0.05, 0.05), min_size=bins, max_size=bins)
    close = moves.map(lambda move: (observed + 0.5) * np.exp(move))
    shares = np.array(draw(arbitrary | close))
    return observed, shares / shares.sum() * observed.sum()


@given(counts_and_expected())
def test_the_p_value_is_scipys(counts: tuple[np.ndarray, np.ndarray]) -> None:
    observed, expected = counts
    with np.errstate(over="ignore"):  # scipy's statistic overflows to inf where ours does
        scipys = scipy_stats.chisquare(observed, expected).pvalue
    assert agrees_with_scipy(goodness_of_fit_p_value(observed, expected), scipys)


def test_the_statistic_is_pearsons() -> None:
    # (60 - 50)**2 / 50 + (40 - 50)**2 / 50
    assert chi_square_statistic(np.array([60, 40]), np.array([50.0, 50.0])) == 4


def test_two_degrees_of_freedom_give_an_exponential_and_one_an_erfc() -> None:
    assert chi_square_survival(6.0, 2) == pytest.approx(math.exp(-3), rel=1e-15)
    assert chi_square_survival(6.0, 1) == pytest.approx(math.erfc(math.sqrt(3)), rel=1e-15)


def test_the_ends_and_a_nan() -> None:
    assert chi_square_survival(0.0, 5) == 1
    assert chi_square_survival(math.inf, 5) == 0
    assert chi_square_survival(1e6, 5) == 0
    assert math.isnan(chi_square_survival(math.nan, 5))


def test_an_impossible_expectation_or_a_missing_degree_of_freedom_is_refused() -> None:
    with pytest.raises(ValueError, match="expected count"):
        chi_square_statistic(np.array([1, 1]), np.array([2.0, 0.0]))
    with pytest.raises(ValueError, match="degrees of freedom"):
        chi_square_survival(1.0, 0)
    with pytest.raises(ValueError, match="degrees of freedom"):
        chi_square_survival(1.0, 1.5)  # type: ignore[arg-type]
