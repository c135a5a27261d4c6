"""Charts of a load test, drawn from Locust's history CSV (``--csv PREFIX --csv-full-history``).

Locust writes a row a second. Throughput and failures are computed here from its running totals,
over 3 s: its timestamps are whole seconds, so a 1 s rate jitters, and its own ``Requests/s``
column is averaged over a lagging window. Its percentiles are over a sliding window of about 10 s.
"""

from pathlib import Path

import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from notebook_support.figures import save_figure

AGGREGATED = "Aggregated"
PERCENTILES = ("50%", "90%", "99%")
RATE_WINDOW_ROWS = 3
OUTSIDE_RIGHT = {"loc": "upper left", "bbox_to_anchor": (1.02, 1), "frameon": False}
BELOW = {"loc": "upper center", "bbox_to_anchor": (0.5, -0.2), "ncol": 4, "frameon": False}
SLO_HEADROOM = 1.15  # the highest SLO line this far below the top, clear of the frame


def thousands(axes: Axes) -> None:
    """Thousands separators on the y axis: 5,000, not 5000."""
    axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def read_history(path: Path) -> pd.DataFrame:
    """The aggregated rows, with ``seconds`` since the first one; ValueError if there are none."""
    history = pd.read_csv(path, na_values=["N/A"])
    history = history[history["Name"] == AGGREGATED].copy()
    if history.empty:
        raise ValueError(f"{path} has no '{AGGREGATED}' rows: is it Locust's stats history?")
    history["seconds"] = history["Timestamp"] - history["Timestamp"].iloc[0]
    interval = history["Timestamp"].diff(RATE_WINDOW_ROWS)
    history["requests_per_s"] = history["Total Request Count"].diff(RATE_WINDOW_ROWS) / interval
    history["failures_per_s"] = history["Total Failure Count"].diff(RATE_WINDOW_ROWS) / interval
    return history.reset_index(drop=True)


def throughput_chart(history: pd.DataFrame) -> Figure:
    """Requests per second, with the number of users on a second axis; the legend below."""
    figure, requests = plt.subplots(figsize=(8, 3.6))
    served = requests.plot(history.seconds, history.requests_per_s, color="tab:blue")
    requests.set(xlabel="seconds", ylabel="requests/s", title="Throughput (3 s window) and users")
    requests.set_ylim(bottom=0)
    thousands(requests)
    users = requests.twinx()
    running = users.step(history.seconds, history["User Count"], color="tab:gray", where="post")
    users.set(ylabel="users")
    users.set_ylim(bottom=0)
    requests.legend(served + running, ["requests/s", "users"], fontsize=9, **BELOW)
    return figure


def answering(history: pd.DataFrame) -> pd.DataFrame:
    """The rows from the first one with an answered request: before it, no percentile exists."""
    started = history.index[history["Total Request Count"] > 0]
    return history.loc[started[0] :] if len(started) else history.iloc[0:0]


def latency_chart(history: pd.DataFrame, targets: dict[str, float] | None = None) -> Figure:
    """p50, p90 and p99 latency over time, from the first answer on; ``targets`` (e.g.
    ``{"p99": 100}``, in ms) are drawn as dashed lines in the colour of their percentile, in
    view; the legend beside the chart, over no line."""
    figure, axes = plt.subplots(figsize=(8, 3.6))
    shown = answering(history)
    colours = {}
    for column in PERCENTILES:
        name = f"p{column.rstrip('%')}"
        (line,) = axes.plot(shown.seconds, shown[column], label=name)
        colours[name] = line.get_color()
    for name, target_ms in (targets or {}).items():
        if name not in colours:
            raise ValueError(
                f"no percentile {name!r} to draw a target for (there are p50, p90, p99)"
            )
        axes.axhline(target_ms, color=colours[name], linestyle="--", linewidth=1,
                     label=f"{name} SLO ({target_ms:g} ms)")  # fmt: skip
    axes.set(xlabel="seconds", ylabel="latency (ms)", title="Latency percentiles (10 s window)")
    highest = max((targets or {}).values(), default=0)
    axes.set_ylim(bottom=0, top=max(SLO_HEADROOM * highest, axes.get_ylim()[1]))
    axes.legend(fontsize=9, **OUTSIDE_RIGHT)
    return figure


def failures_chart(history: pd.DataFrame) -> Figure:
    """Failures per second, and the running total."""
    figure, rate = plt.subplots(figsize=(8, 3.6))
    rate.plot(history.seconds, history.failures_per_s, color="tab:red")
    # No totals in the title: the history's last row, written each second, can miss the last
    # requests, and the gate's summary has the exact counts.
    rate.set(xlabel="seconds", ylabel="failures/s (red)", title="Failures over the run")
    total = rate.twinx()
    total.plot(history.seconds, history["Total Failure Count"], color="tab:gray", linestyle="--")
    total.set(ylabel="failures, total (dashed)")
    for axes in (rate, total):
        axes.set_ylim(bottom=0, top=max(1, axes.get_ylim()[1]))
        thousands(axes)
    return figure


def kill_chart(history: pd.DataFrame, killed_at: float, ready_after_s: float | None) -> Figure:
    """A run in which a container was killed: requests per second, failures per second on an
    axis of their own (a few failures would be flat at the requests' scale), the kill
    (``killed_at``, a Unix time) and the restarted container's readiness marked; the legend
    below the chart."""
    killed_s = killed_at - history["Timestamp"].iloc[0]
    figure, rate = plt.subplots(figsize=(9, 3.6))
    answered = rate.plot(history.seconds, history.requests_per_s, color="tab:blue")
    marks = [rate.axvline(killed_s, color="black", linestyle="--", linewidth=1)]
    labels = ["requests/s (left axis)", "failures/s (right axis)", "SIGKILL"]
    if ready_after_s is not None:
        marks.append(rate.axvline(killed_s + ready_after_s, color="tab:green", linestyle=":"))
        labels.append(f"ready again ({ready_after_s:.1f} s)")
    rate.set(xlabel="seconds", ylabel="requests per second (3 s window)",
             title="A pod killed under load")  # fmt: skip
    rate.set_ylim(bottom=0)
    thousands(rate)
    failed = failures_axis(rate, history)
    rate.legend(answered + failed + marks, labels, fontsize=9, **BELOW)
    return figure


def failures_axis(rate: Axes, history: pd.DataFrame) -> list:
    """Failures per second on a right-hand axis of their own, in red, each point marked."""
    failures = rate.twinx()
    failed = failures.plot(history.seconds, history.failures_per_s, color="tab:red", marker="o",
                           markersize=3, linewidth=1.5)  # fmt: skip
    failures.set_ylabel("failures per second", color="tab:red")
    failures.tick_params(axis="y", colors="tab:red")
    peak = history.failures_per_s.max()  # NaN when the run is too short for a rate
    failures.set_ylim(bottom=0, top=max(1.0, 1.2 * peak) if peak > 0 else 1.0)
    thousands(failures)
    return failed


def draw_charts(
    history_csv: Path, directory: Path, prefix: str, targets: dict[str, float] | None = None
) -> list[Path]:
    """Save the three charts as ``PREFIX_throughput.png``, ``_latency`` (with ``targets``) and
    ``_failures``."""
    history = read_history(history_csv)
    charts = {
        "throughput": throughput_chart,
        "latency": lambda rows: latency_chart(rows, targets),
        "failures": failures_chart,
    }
    return [
        save_figure(draw(history), directory / f"{prefix}_{name}.png")
        for name, draw in charts.items()
    ]
