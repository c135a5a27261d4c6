"""Per feature: how far the logged distribution moved from the baseline, and whether by chance.

The population stability index sums, over the bins (or categories), ``(o - e) * ln(o / e)``
with ``o`` and ``e`` the logged and the reference shares; an empty bin counts as ``EPSILON`` so
the logarithm stays finite. Values outside the baseline's categories make one more category,
``unseen``, whose reference share is ``EPSILON``: a category the model never saw is drift. The
chi-square goodness-of-fit test (``chi_square.py``, checked against ``scipy.stats.chisquare``)
asks whether the logged counts could come from the reference shares by chance; the shares are
floored at ``EPSILON`` there too, so every expected count is positive.
"""

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from drift_monitor.baseline import CategoricalReference, NumericReference
from drift_monitor.chi_square import goodness_of_fit_p_value
from drift_monitor.thresholds import Thresholds

EPSILON = 1e-4
UNSEEN = "unseen"
DRIFT = "drift"
NO_DRIFT = "no drift"
NOT_ENOUGH_DATA = "not enough data"
NOT_LOGGED = "not logged"
Verdict = Literal["drift", "no drift", "not enough data", "not logged"]


@dataclass(frozen=True)
class Comparison:
    """The baseline's shares and the logged counts, bin by bin (or category by category)."""

    labels: list[str]
    expected: np.ndarray
    observed: np.ndarray

    @property
    def observed_shares(self) -> np.ndarray:
        return self.observed / self.observed.sum()


def compare(reference: NumericReference | CategoricalReference, values: list[Any]) -> Comparison:
    """The logged ``values`` counted in the reference's bins or categories (plus ``unseen``)."""
    if isinstance(reference, NumericReference):
        return Comparison(reference.labels(), np.array(reference.shares), reference.counts(values))
    known, unseen = reference.counts(values)
    shares = [category.share for category in reference.categories]
    if not unseen:
        return Comparison(reference.labels(), np.array(shares), known)
    return Comparison(
        [*reference.labels(), UNSEEN], np.array([*shares, 0.0]), np.append(known, unseen)
    )


def population_stability_index(expected: np.ndarray, observed_counts: np.ndarray) -> float:
    """The PSI of the observed counts against the expected shares; 0 when they agree."""
    observed = np.maximum(observed_counts / observed_counts.sum(), EPSILON)
    expected = np.maximum(expected, EPSILON)
    return float(np.sum((observed - expected) * np.log(observed / expected)))


def chi_square_p_value(expected: np.ndarray, observed_counts: np.ndarray) -> float:
    """The p-value of the chi-square goodness-of-fit test of the counts against the shares.

    A single bin cannot move, and no counts show no move: the p-value is 1.
    """
    if len(observed_counts) < 2 or observed_counts.sum() == 0:
        return 1.0
    shares = np.maximum(expected, EPSILON)
    expected_counts = shares / shares.sum() * observed_counts.sum()
    return goodness_of_fit_p_value(observed_counts, expected_counts)


@dataclass(frozen=True)
class Judgement:
    """A feature's verdict, and the figures behind it (None without enough data)."""

    verdict: Verdict
    psi: float | None = None
    p_value: float | None = None
    comparison: Comparison | None = None


def judge(
    reference: NumericReference | CategoricalReference, values: list[Any], thresholds: Thresholds
) -> Judgement:
    """Drift when the move is large (PSI) and not chance (p-value); under ``min_records``
    values, no verdict at all."""
    if len(values) < thresholds.min_records:
        return Judgement(NOT_ENOUGH_DATA)
    comparison = compare(reference, values)
    psi = population_stability_index(comparison.expected, comparison.observed)
    p_value = chi_square_p_value(comparison.expected, comparison.observed)
    drifted = psi >= thresholds.psi and p_value < thresholds.p_value
    return Judgement(DRIFT if drifted else NO_DRIFT, psi, p_value, comparison)
