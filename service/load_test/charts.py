"""Charts of a load test, drawn from Locust's history CSV (``--csv PREFIX --csv-full-history``).

Locust writes a row a second. Throughput and failures are computed here from its running totals,
over 3 s: its timestamps are whole seconds, so a 1 s rate jitters, and its own ``Requests/s``
column is averaged over a lagging window. Its percentiles are over a sliding window of about 10 s.
"""

from pathlib import Path

import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from common.figures import save_figure

AGGREGATED = "Aggregated"
PERCENTILES = ("50%", "90%", "99%")
RATE_WINDOW_ROWS = 3


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
    """Requests per second, with the number of users on a second axis."""
    figure, requests = plt.subplots(figsize=(8, 3.6))
    served = requests.plot(history.seconds, history.requests_per_s, color="tab:blue")
    requests.set(xlabel="seconds", ylabel="requests/s", title="Throughput (3 s window) and users")
    requests.set_ylim(bottom=0)
    users = requests.twinx()
    running = users.step(history.seconds, history["User Count"], color="tab:gray", where="post")
    users.set(ylabel="users")
    users.set_ylim(bottom=0)
    requests.legend(served + running, ["requests/s", "users"], loc="lower center")
    return figure


def latency_chart(history: pd.DataFrame) -> Figure:
    """p50, p90 and p99 latency over time."""
    figure, axes = plt.subplots(figsize=(8, 3.6))
    for column in PERCENTILES:
        axes.plot(history.seconds, history[column], label=f"p{column.rstrip('%')}")
    axes.set(xlabel="seconds", ylabel="latency (ms)", title="Latency percentiles (10 s window)")
    axes.set_ylim(bottom=0)
    axes.legend()
    return figure


def failures_chart(history: pd.DataFrame) -> Figure:
    """Failures per second, and the running total."""
    failed, requested = history.iloc[-1][["Total Failure Count", "Total Request Count"]]
    figure, rate = plt.subplots(figsize=(8, 3.6))
    rate.plot(history.seconds, history.failures_per_s, color="tab:red")
    title = f"Failures: {failed:,.0f} of {requested:,.0f} requests"
    rate.set(xlabel="seconds", ylabel="failures/s (red)", title=title)
    total = rate.twinx()
    total.plot(history.seconds, history["Total Failure Count"], color="tab:gray", linestyle="--")
    total.set(ylabel="failures, total (dashed)")
    for axes in (rate, total):
        axes.set_ylim(bottom=0, top=max(1, axes.get_ylim()[1]))
    return figure


def draw_charts(history_csv: Path, directory: Path, prefix: str) -> list[Path]:
    """Save the three charts as ``PREFIX_throughput.png``, ``_latency`` and ``_failures``."""
    history = read_history(history_csv)
    charts = {"throughput": throughput_chart, "latency": latency_chart, "failures": failures_chart}
    return [
        save_figure(draw(history), directory / f"{prefix}_{name}.png")
        for name, draw in charts.items()
    ]
