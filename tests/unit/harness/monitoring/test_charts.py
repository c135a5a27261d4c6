"""The monitoring charts: the SLIs over time against their SLO lines, Locust beside Prometheus,
and the drift monitor's bins."""

import math
from collections.abc import Iterator

import pandas as pd
import pytest
from matplotlib import pyplot as plt
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from drift_monitor.report import DriftReport, monitor
from monitoring.charts import bin_label, drift_chart, side_by_side, sli_chart
from service_levels.objectives import ServiceLevelObjectives
from support.drift_logs import PREDICTION, THRESHOLDS, customers, log_lines, toy_baseline

OBJECTIVES = ServiceLevelObjectives(p99_ms=100, p90_ms=75, errors_per_10k=10, min_rps=500)
BASELINE = toy_baseline()


@pytest.fixture(autouse=True)
def close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def run(requests: float, errors: list[float], p99: float, p90: bool = True) -> pd.DataFrame:
    """A frame as ``monitoring.slis.slis_over_time`` makes it, over 0, 2 and 4 s."""
    columns = {
        "requests per second": [requests] * 3,
        "error ratio": errors,
        "p50 ms": [p99 / 2] * 3,
        "p90 ms": [p99 * 0.8] * 3,
        "p99 ms": [p99] * 3,
        "predictions per second": [requests] * 3,
    }
    if not p90:
        del columns["p90 ms"]
    return pd.DataFrame(columns, index=pd.Index([0.0, 2.0, 4.0], name="seconds"))


def dashed_heights(axes) -> list[float]:
    return [line.get_ydata()[0] for line in axes.get_lines() if line.get_linestyle() == "--"]


def legend_outside(axes) -> bool:
    """The legend sits right of the plotting area, over no line."""
    figure = axes.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    return axes.get_legend().get_window_extent(renderer).x0 >= axes.get_window_extent().x1


def test_the_sli_chart_has_throughput_errors_and_latency_with_the_slo_lines() -> None:
    runs = {"baseline": run(400, [0.0, 0.001, float("nan")], 60), "spike": run(300, [0.03] * 3, 90)}
    figure = sli_chart(runs, OBJECTIVES)
    throughput, errors, latency = figure.axes
    assert len(figure.axes) == 3
    assert dashed_heights(throughput) == []
    assert dashed_heights(errors) == [pytest.approx(0.1)]  # 10 per 10,000, in %
    assert dashed_heights(latency) == [100, 75]
    baseline_errors = errors.get_lines()[0].get_ydata()
    assert list(baseline_errors) == pytest.approx([0.0, 0.1, 0.0])  # % of requests, NaN as 0
    assert [line.get_label() for line in latency.get_lines()] == [
        "baseline: p99", "baseline: p90", "spike: p99", "spike: p90",
        "p99 SLO (100 ms)", "p90 SLO (75 ms)",
    ]  # fmt: skip
    assert list(throughput.get_lines()[1].get_ydata()) == [300] * 3
    assert all(legend_outside(axes) for axes in figure.axes)


def test_a_run_without_p90_is_charted_by_its_p99_alone() -> None:
    figure = sli_chart({"old": run(400, [0.01] * 3, 60, p90=False)}, OBJECTIVES)
    latency = figure.axes[-1]
    assert [line.get_label() for line in latency.get_lines()] == ["old: p99", "p99 SLO (100 ms)"]


def test_an_error_panel_that_is_all_zero_is_left_out_and_the_title_says_so() -> None:
    runs = {"a": run(400, [0.0, float("nan"), 0.0], 60), "b": run(300, [0.0] * 3, 50)}
    figure = sli_chart(runs, OBJECTIVES)
    throughput, latency = figure.axes
    assert "No 5xx" in throughput.get_title()
    assert latency.get_ylabel() == "latency (ms)"


def test_the_throughput_axis_has_thousands_separators() -> None:
    figure = sli_chart({"fast": run(5400, [0.001] * 3, 5)}, OBJECTIVES)
    figure.canvas.draw()
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert any("," in label for label in labels), labels


def test_the_sli_chart_keeps_the_slo_lines_in_view_when_the_run_is_far_below_them() -> None:
    figure = sli_chart({"quiet": run(10, [0.001] * 3, 5)}, OBJECTIVES)
    _, errors, latency = figure.axes
    assert errors.get_ylim() == (0, pytest.approx(0.2))  # twice the budget
    assert latency.get_ylim() == (0, pytest.approx(120))  # 1.2 times the p99 objective


def test_side_by_side_puts_locust_beside_prometheus_rounded() -> None:
    locust = {"requests": 1000, "errors": 2, "p50 ms": 12.34, "p99 ms": 150.4, "rps": 99.0}
    prometheus = {"requests": 998.0, "errors": 2.0, "p50 ms": 12.3456, "p99 ms": 149.6}
    table = side_by_side(locust, prometheus)
    assert list(table.index) == ["requests", "errors", "p50 ms", "p99 ms"]
    assert list(table.columns) == ["Locust (client)", "Prometheus (service)"]
    assert list(table["Locust (client)"]) == [1000, 2, 12.34, 150.4]
    assert list(table["Prometheus (service)"]) == [998, 2.0, 12.3, 150]


def test_side_by_side_keeps_a_missing_figure_as_nan() -> None:
    locust = {"requests": 10, "errors": 0, "p50 ms": 1.0, "p99 ms": 2.0}
    prometheus = {"requests": float("nan"), "errors": 0.0, "p50 ms": 1.0, "p99 ms": float("nan")}
    column = side_by_side(locust, prometheus)["Prometheus (service)"]
    assert math.isnan(column["requests"])
    assert math.isnan(column["p99 ms"])
    assert column["errors"] == 0.0


def titles(figure: Figure) -> list[str]:
    return [axes.get_title().split(":")[0] for axes in figure.axes]


def report_of(**changes) -> DriftReport:
    inputs = changes.pop("inputs", ("age", "smoker", "region"))
    return monitor(log_lines(customers(seed=1, **changes), inputs=inputs), BASELINE, THRESHOLDS)


def test_the_drift_chart_has_a_panel_per_judged_feature_and_no_empty_one() -> None:
    report = report_of(age_shift=10)
    figure = drift_chart(report, "Older customers")
    assert titles(figure) == ["age (years)", "smoker", "region", PREDICTION]
    assert figure.axes[0].get_title().startswith("age (years): drift, PSI ")
    assert figure.get_suptitle() == "Older customers"
    age = report.features[0]
    bars = figure.axes[0].patches
    assert len(bars) == 2 * len(age.bins)
    assert [bar.get_height() for bar in bars[: len(age.bins)]] == [b.expected for b in age.bins]
    assert [bar.get_height() for bar in bars[len(age.bins) :]] == [b.observed for b in age.bins]


def test_the_drift_chart_has_one_legend_naming_every_series_it_draws() -> None:
    figure = drift_chart(report_of(age_shift=10), "t")
    [legend] = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "training baseline", "logged, drift found", "logged, no drift",
    ]  # fmt: skip
    assert all(axes.get_legend() is None for axes in figure.axes)


def test_the_drift_chart_labels_its_y_axes_and_reads_at_nine_points_or_more() -> None:
    figure = drift_chart(report_of(age_shift=10), "t")
    first_in_row = figure.axes[0]
    assert first_in_row.get_ylabel() == "share of requests"
    figure.canvas.draw()
    for axes in figure.axes:
        sizes = [label.get_fontsize() for label in axes.get_xticklabels() + axes.get_yticklabels()]
        assert min(sizes) >= 9
        assert axes.title.get_fontsize() >= 9


def test_a_feature_without_a_verdict_has_no_axes() -> None:
    report = report_of(inputs=("age", "region"))  # smoker is never logged
    assert [feature.bins == [] for feature in report.features] == [False, True, False, False]
    figure = drift_chart(report, "t")
    assert titles(figure) == ["age (years)", "region", PREDICTION]


def test_drifting_bars_are_red_and_steady_ones_blue() -> None:
    figure = drift_chart(report_of(age_shift=10), "t")
    age, smoker = figure.axes[:2]
    assert age.patches[-1].get_facecolor() == to_rgba("tab:red")
    assert smoker.patches[-1].get_facecolor() == to_rgba("tab:blue")


def test_a_report_without_any_verdict_still_charts() -> None:
    # Too few records for any verdict is a report the monitor makes ("not enough data"); its
    # chart should say so by its title, not crash.
    report = monitor([], BASELINE, THRESHOLDS)
    assert report.verdict == "not enough data"
    figure = drift_chart(report, "Nothing logged yet")
    assert figure.axes == []
    assert figure.get_suptitle() == "Nothing logged yet"


@pytest.mark.parametrize(
    ("label", "shown"),
    [
        ("true", "yes"),
        ("false", "no"),
        ('"female"', "female"),
        ("3", "3"),
        ("unseen", "unseen"),
        ("[18, 27.4)", "18\N{EN DASH}27.4"),
        ("[-inf, 19)", "< 19"),
        ("[59, inf)", "\N{GREATER-THAN OR EQUAL TO} 59"),
        ("[2429.44, 3957.6)", "2.4\N{EN DASH}4.0k"),
        ("[34398.6, 45120.2)", "34\N{EN DASH}45k"),
        ("[-inf, 2429.44)", "< 2.4k"),
        ("[30.495, 32.11)", "30.5\N{EN DASH}32.1"),
    ],
)
def test_a_bin_reads_as_a_short_range_and_a_category_without_quotes(label: str, shown: str) -> None:
    assert bin_label(label) == shown
