"""Charts of what monitoring saw: the SLIs over time from Prometheus, one line per run, and the
distributions the drift monitor compared, bin by bin."""

import math

import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from drift_monitor.report import DriftReport, FeatureResult
from service_levels.objectives import ServiceLevelObjectives


def sli_chart(runs: dict[str, pd.DataFrame], objectives: ServiceLevelObjectives) -> Figure:
    """Throughput, error ratio and p99 latency over time, each run a line, with the SLO lines.

    ``runs`` maps a run's name to ``monitoring.slis.slis_over_time``'s frame.
    """
    figure, (throughput, errors, latency) = plt.subplots(3, 1, figsize=(8, 7.5), sharex=True)
    for name, frame in runs.items():
        throughput.plot(frame.index, frame["requests per second"], label=name)
        errors.plot(frame.index, 100 * frame["error ratio"].fillna(0), label=name)
        latency.plot(frame.index, frame["p99 ms"], label=f"{name}: p99")
    budget = 100 * objectives.errors_per_10k / 10_000
    errors.axhline(budget, color="tab:red", linestyle="--", label=f"error budget ({budget:g} %)")
    latency.axhline(objectives.p99_ms, color="tab:red", linestyle="--", label="p99 SLO")
    throughput.set(ylabel="requests/s", title="What Prometheus scraped (10 s rates)")
    errors.set(ylabel="5xx, % of requests")
    latency.set(ylabel="ms", xlabel="seconds since the run started")
    for axes in (throughput, errors, latency):
        axes.set_ylim(bottom=0)
        axes.legend(loc="lower right", fontsize=8)
    errors.set_ylim(top=max(2 * budget, errors.get_ylim()[1]))
    latency.set_ylim(top=max(1.2 * objectives.p99_ms, latency.get_ylim()[1]))
    return figure


def side_by_side(locust: dict[str, float], prometheus: dict[str, float]) -> pd.DataFrame:
    """Locust's figures of a run beside the service's, as Prometheus has them."""
    names = ["requests", "errors", "p50 ms", "p99 ms"]
    return pd.DataFrame(
        {
            "Locust (client)": [locust[name] for name in names],
            "Prometheus (service)": [round_figure(prometheus[name]) for name in names],
        },
        index=names,
    )


def round_figure(value: float) -> float:
    if math.isnan(value):
        return value
    return round(value, 1) if value < 100 else round(value)


def drift_chart(report: DriftReport, title: str) -> Figure:
    """For each feature with a verdict, its shares bin by bin: the baseline's against the logs'."""
    judged = [feature for feature in report.features if feature.bins]
    columns = 3
    rows = max(1, math.ceil(len(judged) / columns))
    figure, grid = plt.subplots(rows, columns, figsize=(10, 2.8 * rows), squeeze=False)
    for axes, feature in zip(grid.flat, judged, strict=False):
        bar_chart(axes, feature)
    for axes in list(grid.flat)[len(judged) :]:
        axes.set_visible(False)
    if judged:
        grid.flat[0].legend(fontsize=7)
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def bar_chart(axes: Axes, feature: FeatureResult) -> None:
    """One feature's shares, bin by bin: the baseline's in grey, the logs' beside them."""
    positions = list(range(len(feature.bins)))
    logged_color = "tab:red" if feature.verdict == "drift" else "tab:blue"
    axes.bar([p - 0.2 for p in positions], [b.expected for b in feature.bins], 0.4,
             label="baseline (training)", color="tab:gray")  # fmt: skip
    axes.bar([p + 0.2 for p in positions], [b.observed for b in feature.bins], 0.4,
             label="logged", color=logged_color)  # fmt: skip
    labels = [short_label(b.label) for b in feature.bins]
    axes.set_xticks(positions, labels, rotation=60, fontsize=7)
    axes.set_title(f"{feature.name}: {feature.verdict} (PSI {feature.psi:.2f})", fontsize=9)


def short_label(label: str) -> str:
    """A bin's label, cut to fit under an axis."""
    return label if len(label) <= 12 else label[:11] + "…"
