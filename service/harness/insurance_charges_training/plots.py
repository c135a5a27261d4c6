"""Charts for notebook 01 and the post: the data, then how well the model fits it."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

SMOKER_STYLES = {False: ("tab:blue", "non-smoker"), True: ("tab:red", "smoker")}
OBESITY_BMI = 30.0
BMI_LABEL = "BMI (kg/m²)"


def dollar_text(value: float, _position: int | None = None) -> str:
    """$12,000, not 12000; -$5,000, not $-5,000."""
    return f"{'-' if value < 0 else ''}${abs(value):,.0f}"


def dollars(*axes: Axis) -> None:
    """Dollar amounts with thousands separators on each axis, few enough not to collide."""
    for axis in axes:
        axis.set_major_formatter(FuncFormatter(dollar_text))
        if axis.get_scale() == "linear":
            axis.set_major_locator(MaxNLocator(5))


def charges_distribution(frame: pd.DataFrame) -> Figure:
    """Histogram of charges, on a linear and a log scale: a long right tail."""
    figure, (linear, logarithmic) = plt.subplots(1, 2, figsize=(10, 3.6))
    linear.hist(frame.charges, bins=50, color="tab:gray")
    linear.axvline(frame.charges.median(), color="black", linestyle="--", label="median")
    linear.axvline(frame.charges.mean(), color="tab:orange", linestyle="--", label="mean")
    linear.set(xlabel="charges", ylabel="customers", title="Charges")
    linear.legend()
    logarithmic.hist(frame.charges, bins=np.geomspace(frame.charges.min(), frame.charges.max(), 51),
                     color="tab:gray")  # fmt: skip
    logarithmic.set_xscale("log")
    logarithmic.set(xlabel="charges, log scale", title="Charges, log scale")
    dollars(linear.xaxis, logarithmic.xaxis)
    return figure


def scatter_by_smoker(axes: plt.Axes, frame: pd.DataFrame, column: str) -> None:
    """Charges against ``column``, smokers in red."""
    for smoker, (colour, label) in SMOKER_STYLES.items():
        rows = frame[frame.smoker == smoker]
        axes.scatter(rows[column], rows.charges, s=10, alpha=0.6, color=colour, label=label)


def charges_by_age(frame: pd.DataFrame) -> Figure:
    """Charges against age, coloured by smoker: three bands."""
    figure, axes = plt.subplots(figsize=(7, 4.2))
    scatter_by_smoker(axes, frame, "age")
    axes.set(xlabel="age (years)", ylabel="charges", title="Charges by age")
    dollars(axes.yaxis)
    axes.legend()
    return figure


def charges_by_bmi(frame: pd.DataFrame) -> Figure:
    """Charges against BMI, coloured by smoker: for smokers, obesity (BMI ≥ 30) is a step."""
    figure, axes = plt.subplots(figsize=(7, 4.2))
    scatter_by_smoker(axes, frame, "bmi")
    axes.axvline(OBESITY_BMI, color="black", linestyle=":", label="BMI 30 (obesity)")
    axes.set(xlabel=BMI_LABEL, ylabel="charges", title="The effect of BMI")
    dollars(axes.yaxis)
    axes.legend()
    return figure


def predicted_vs_actual(actual: pd.Series, predicted: np.ndarray) -> Figure:
    """Holdout predictions against the truth, with the diagonal of a perfect model."""
    figure, axes = plt.subplots(figsize=(5.5, 5.5))
    axes.scatter(actual, predicted, s=12, alpha=0.6)
    limits = [0, max(actual.max(), predicted.max()) * 1.05]
    axes.plot(limits, limits, color="black", linestyle="--", label="perfect")
    axes.set(xlim=limits, ylim=limits, xlabel="actual charges", ylabel="predicted charges")
    dollars(axes.xaxis, axes.yaxis)
    axes.set_title("Holdout: predicted vs actual")
    axes.legend()
    return figure


def residuals(actual: pd.Series, predicted: np.ndarray) -> Figure:
    """Residuals against predictions, and their histogram: most near zero, a few far above."""
    errors = np.asarray(actual) - predicted
    figure, (scatter, histogram) = plt.subplots(1, 2, figsize=(10, 3.6))
    scatter.scatter(predicted, errors, s=12, alpha=0.6)
    scatter.axhline(0, color="black", linestyle="--")
    scatter.set(xlabel="predicted charges", ylabel="actual minus predicted", title="Residuals")
    histogram.hist(errors, bins=50, color="tab:gray")
    histogram.set(
        xlabel="actual minus predicted", ylabel="customers", title="Residual distribution"
    )
    dollars(scatter.xaxis, scatter.yaxis, histogram.xaxis)
    return figure


def candidate_comparison(comparison: pd.DataFrame) -> Figure:
    """Cross-validated MAE and R² of each candidate: what the loss does to the typical error."""
    ordered = comparison.sort_values("cv_mae_mean", ascending=False)
    figure, (mae, r2) = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    mae.barh(ordered.candidate, ordered.cv_mae_mean, xerr=ordered.cv_mae_std, color="tab:gray")
    mae.set(xlabel="CV mean absolute error", title="Typical error (lower is better)")
    dollars(mae.xaxis)
    r2.barh(ordered.candidate, ordered.cv_r2_mean, xerr=ordered.cv_r2_std, color="tab:blue")
    r2.set(xlabel="CV R²", xlim=(0.5, 1.0), title="Variance explained (higher is better)")
    return figure
