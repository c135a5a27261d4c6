"""Charts of what monitoring saw: the SLIs over time from Prometheus, one line per run, and the
distributions the drift monitor compared, bin by bin."""

import json
import math
import re

import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import PercentFormatter, StrMethodFormatter

from drift_monitor.report import DriftReport, FeatureResult
from service_levels.objectives import ServiceLevelObjectives

RUN_COLOURS = ("tab:blue", "tab:green", "tab:purple", "tab:brown", "tab:pink")  # no SLO colour
THOUSANDS = StrMethodFormatter("{x:,.0f}")
DRIFT_COLUMNS = 3
BASELINE_COLOUR = "tab:gray"
DRIFT, NO_DRIFT = "drift", "no drift"
LOGGED_STYLES = {
    DRIFT: ("tab:red", "logged, drift found"),
    NO_DRIFT: ("tab:blue", "logged, no drift"),
}
FEATURE_TITLES = {"age": "age (years)", "bmi": "BMI (kg/m²)", "charges": "charges ($)"}
RANGE_DASH = "\N{EN DASH}"
BIN = re.compile(r"^\[(?P<low>[-+]?(?:inf|[\d.e+-]+)), (?P<high>[-+]?(?:inf|[\d.e+-]+))\)$")


def sli_chart(runs: dict[str, pd.DataFrame], objectives: ServiceLevelObjectives) -> Figure:
    """Throughput, error ratio and latency (p99, and p90 where the frames have it) over time,
    each run a colour, with the SLO lines; legends beside the panels. A panel of errors that
    are all zero is left out, and the title says so.

    ``runs`` maps a run's name to ``monitoring.slis.slis_over_time``'s frame.
    """
    any_errors = any(frame["error ratio"].fillna(0).any() for frame in runs.values())
    panels = 3 if any_errors else 2
    figure, grid = plt.subplots(panels, 1, figsize=(9, 2.6 * panels), sharex=True, squeeze=False)
    throughput, *rest = grid[:, 0]
    latency = rest[-1]
    for colour, (name, frame) in zip(RUN_COLOURS, runs.items(), strict=False):
        throughput.plot(frame.index, frame["requests per second"], color=colour, label=name)
        latency.plot(frame.index, frame["p99 ms"], color=colour, label=f"{name}: p99")
        if "p90 ms" in frame:
            latency.plot(frame.index, frame["p90 ms"], color=colour, linestyle=":",
                         label=f"{name}: p90")  # fmt: skip
    throughput.set(ylabel="requests/s")
    throughput.yaxis.set_major_formatter(THOUSANDS)
    title = "What Prometheus scraped (10 s rates)"
    if any_errors:
        error_panel(rest[0], runs, objectives)
    else:
        title += "\nNo 5xx answer in any run: the error panel is left out"
    throughput.set_title(title, fontsize=11)
    latency_panel(latency, objectives, any("p90 ms" in frame for frame in runs.values()))
    for axes in grid[:, 0]:
        axes.set_ylim(bottom=0)
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=9, frameon=False)
    figure.tight_layout()
    return figure


def error_panel(
    axes: Axes, runs: dict[str, pd.DataFrame], objectives: ServiceLevelObjectives
) -> None:
    """The share of 5xx answers of each run, against the error budget."""
    for colour, (name, frame) in zip(RUN_COLOURS, runs.items(), strict=False):
        axes.plot(frame.index, 100 * frame["error ratio"].fillna(0), color=colour, label=name)
    budget = 100 * objectives.errors_per_10k / 10_000
    axes.axhline(budget, color="tab:red", linestyle="--", label=f"error budget ({budget:g}%)")
    axes.set(ylabel="5xx, % of requests")
    axes.set_ylim(bottom=0, top=max(2 * budget, axes.get_ylim()[1]))


def latency_panel(axes: Axes, objectives: ServiceLevelObjectives, with_p90: bool) -> None:
    """The latency panel's SLO lines, labels and scale."""
    axes.axhline(objectives.p99_ms, color="tab:red", linestyle="--",
                 label=f"p99 SLO ({objectives.p99_ms:g} ms)")  # fmt: skip
    if with_p90:
        axes.axhline(objectives.p90_ms, color="tab:orange", linestyle="--",
                     label=f"p90 SLO ({objectives.p90_ms:g} ms)")  # fmt: skip
    axes.set(ylabel="latency (ms)", xlabel="seconds since the run started")
    axes.set_ylim(bottom=0, top=max(1.2 * objectives.p99_ms, axes.get_ylim()[1]))


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
    """For each feature with a verdict, its shares bin by bin: the baseline's against the logs'.
    One panel per such feature (no empty ones), one legend for the figure."""
    judged = [feature for feature in report.features if feature.bins]
    columns = min(DRIFT_COLUMNS, max(1, len(judged)))
    rows = max(1, math.ceil(len(judged) / columns))
    figure = plt.figure(figsize=(3.8 * columns, 3.0 * rows + 0.7))
    for n, (axes, feature) in enumerate(
        zip(panel_grid(figure, len(judged), columns), judged, strict=True)
    ):
        bar_chart(axes, feature)
        if n % columns == 0:
            axes.set_ylabel("share of requests", fontsize=9)
    figure.suptitle(title, fontsize=12)
    if judged:
        below_title = 1 - 0.4 / figure.get_figheight()
        figure.legend(handles=drift_legend(judged), loc="upper center", ncol=3, fontsize=9,
                      frameon=False, bbox_to_anchor=(0.5, below_title))  # fmt: skip
    figure.tight_layout(rect=(0, 0, 1, 1 - 0.65 / figure.get_figheight()))
    return figure


def panel_grid(figure: Figure, panels: int, columns: int) -> list[Axes]:
    """``panels`` axes in rows of ``columns``, the last row centred: no empty panel."""
    grid = figure.add_gridspec(max(1, math.ceil(panels / columns)), 2 * columns)
    axes = []
    for n in range(panels):
        row, column = divmod(n, columns)
        in_row = min(columns, panels - row * columns)
        start = 2 * column + (columns - in_row)
        axes.append(figure.add_subplot(grid[row, start : start + 2]))
    return axes


def drift_legend(judged: list[FeatureResult]) -> list[Patch]:
    """The baseline, and the logged shares in each colour the figure uses."""
    handles = [Patch(color=BASELINE_COLOUR, label="training baseline")]
    for verdict, (colour, label) in LOGGED_STYLES.items():
        if any(feature.verdict == verdict for feature in judged):
            handles.append(Patch(color=colour, label=label))
    return handles


def bar_chart(axes: Axes, feature: FeatureResult) -> None:
    """One feature's shares, bin by bin: the baseline's in grey, the logs' beside them."""
    positions = list(range(len(feature.bins)))
    logged_colour = LOGGED_STYLES.get(feature.verdict, LOGGED_STYLES[NO_DRIFT])[0]
    axes.bar([p - 0.2 for p in positions], [b.expected for b in feature.bins], 0.4,
             color=BASELINE_COLOUR)  # fmt: skip
    axes.bar([p + 0.2 for p in positions], [b.observed for b in feature.bins], 0.4,
             color=logged_colour)  # fmt: skip
    labels = [bin_label(b.label) for b in feature.bins]
    rotation = 45 if feature.kind == "numeric" and len(labels) > 4 else 0
    axes.set_xticks(positions, labels, rotation=rotation, ha="right" if rotation else "center",
                    rotation_mode="anchor", fontsize=9)  # fmt: skip
    axes.tick_params(axis="y", labelsize=9)
    axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes.set_title(f"{feature_title(feature.name)}: {feature.verdict}, PSI {feature.psi:.2f}",
                   fontsize=10)  # fmt: skip


def feature_title(name: str) -> str:
    """A feature's name with its unit, where it has one."""
    return FEATURE_TITLES.get(name, name)


def bin_label(label: str) -> str:
    """A bin's label for an axis: ``[34398.6, 45120.2)`` as ``34.4k-45.1k`` (an en dash),
    ``[-inf, 19)`` as ``< 19``, ``[59, inf)`` as ``≥ 59``; a category without its JSON quotes
    (``"female"`` → ``female``, ``true`` → ``yes``)."""
    bounds = BIN.match(label)
    if bounds is None:
        return category_label(label)
    low, high = float(bounds["low"]), float(bounds["high"])
    if math.isinf(low):
        return f"< {compact(high)}"
    if math.isinf(high):
        return f"≥ {compact(low)}"
    if min(abs(low), abs(high)) >= 1000:  # one "k" for both: 34-45k
        return f"{compact(low)[:-1]}{RANGE_DASH}{compact(high)}"
    return f"{compact(low)}{RANGE_DASH}{compact(high)}"


def category_label(label: str) -> str:
    try:
        value = json.loads(label)
    except json.JSONDecodeError:
        return label  # e.g. "unseen": a value the baseline never saw
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def compact(value: float) -> str:
    """A bound, short: 34398.6 → 34k, 2429.4 → 2.4k, 23.18 → 23.2, 19.0 → 19."""
    if abs(value) >= 10_000:
        return f"{value / 1000:.0f}k"
    if abs(value) >= 1000:
        return f"{value / 1000:.1f}k"
    return f"{value:.3g}"
