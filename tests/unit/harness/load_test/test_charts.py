import csv
from pathlib import Path

import pytest
from matplotlib import pyplot as plt

from load_test.charts import answering, draw_charts, kill_chart, latency_chart, read_history

HEADER = ["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s", "50%", "90%",
          "99%", "Total Request Count", "Total Failure Count"]  # fmt: skip


def write_history(path: Path, seconds: int, rate: int, failing_from: int) -> Path:
    """A stats history as Locust writes it: a route row and an Aggregated row each second."""
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        writer.writerow([1000, 0, "", "Aggregated", 0, 0, "N/A", "N/A", "N/A", 0, 0])
        for second in range(1, seconds + 1):
            failures = max(0, second - failing_from) * 5
            for kind, name in (("POST", "/predict"), ("", "Aggregated")):
                writer.writerow(
                    [1000 + second, 8, kind, name, 999, 0, 10, 20, 40, second * rate, failures]
                )
    return path


def test_rates_come_from_the_running_totals(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path / "h.csv", 10, rate=300, failing_from=5))
    assert len(history) == 11  # the aggregated rows only
    assert history.seconds.tolist() == list(range(11))
    assert history.requests_per_s.dropna().tolist() == [300.0] * 8  # not Locust's 999
    assert history.failures_per_s.iloc[4] == 0
    assert history.failures_per_s.iloc[-1] == 5


def test_three_charts_are_saved(tmp_path: Path) -> None:
    history = write_history(tmp_path / "h.csv", 10, rate=300, failing_from=5)
    paths = draw_charts(history, tmp_path / "images", "05_load_test")
    assert [path.name for path in paths] == [
        "05_load_test_throughput.png", "05_load_test_latency.png", "05_load_test_failures.png"
    ]  # fmt: skip
    for path in paths:
        assert path.read_bytes().startswith(b"\x89PNG")


def test_a_file_that_is_not_locusts_history_is_named(tmp_path: Path) -> None:
    path = tmp_path / "stats.csv"
    path.write_text("Name,Requests\n/predict,10\n")
    with pytest.raises(ValueError, match="has no 'Aggregated' rows"):
        read_history(path)


def test_the_latency_chart_starts_at_the_first_answer(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path / "h.csv", 10, rate=300, failing_from=5))
    assert answering(history).seconds.tolist() == list(range(1, 11))  # not the empty second 0


def test_the_latency_chart_draws_each_target_in_its_percentiles_colour(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path / "h.csv", 10, rate=300, failing_from=5))
    figure = latency_chart(history, {"p90": 75, "p99": 100})
    lines = {line.get_label(): line for line in figure.axes[0].get_lines()}
    assert lines["p99 SLO (100 ms)"].get_ydata()[0] == 100
    assert lines["p99 SLO (100 ms)"].get_color() == lines["p99"].get_color()
    assert lines["p90 SLO (75 ms)"].get_color() == lines["p90"].get_color()
    plt.close(figure)


def test_a_target_for_an_unknown_percentile_is_named(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path / "h.csv", 10, rate=300, failing_from=5))
    with pytest.raises(ValueError, match="no percentile 'p95'"):
        latency_chart(history, {"p95": 80})
    plt.close("all")


def legend_outside(axes) -> bool:
    """The legend sits right of the plotting area or below it, over no line."""
    figure = axes.figure
    figure.canvas.draw()
    legend = axes.get_legend().get_window_extent(figure.canvas.get_renderer())
    area = axes.get_window_extent()
    return legend.x0 >= area.x1 or legend.y1 <= area.y0


def test_the_latency_chart_keeps_its_legend_off_the_slo_lines(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path / "h.csv", 10, rate=300, failing_from=5))
    figure = latency_chart(history, {"p99": 100})
    axes = figure.axes[0]
    assert legend_outside(axes)
    assert axes.get_ylim()[1] >= 1.1 * 100  # the SLO line below the frame's top
    plt.close(figure)


def test_the_kill_chart_marks_the_kill_and_the_readiness(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path / "h.csv", 10, rate=300, failing_from=5))
    figure = kill_chart(history, killed_at=1004.0, ready_after_s=2.5)
    rate = figure.axes[0]
    labels = [text.get_text() for text in rate.get_legend().get_texts()]
    assert labels == [
        "requests/s (left axis)", "failures/s (right axis)", "SIGKILL", "ready again (2.5 s)",
    ]  # fmt: skip
    vertical = [line.get_xdata()[0] for line in rate.get_lines()[1:]]
    assert vertical == [4.0, 6.5]  # seconds since the first row
    assert legend_outside(rate)
    plt.close(figure)


def test_the_kill_charts_few_failures_fill_an_axis_of_their_own(tmp_path: Path) -> None:
    history = read_history(write_history(tmp_path / "h.csv", 10, rate=300, failing_from=5))
    figure = kill_chart(history, killed_at=1004.0, ready_after_s=2.5)
    rate, failures = figure.axes
    [line] = failures.get_lines()
    assert line.get_color() == "tab:red"
    assert line.get_marker() == "o"
    assert failures.get_ylim()[1] == pytest.approx(1.2 * 5)  # 5 failures/s at most, not 300
    assert rate.get_ylim()[1] >= 300
    plt.close(figure)


def test_the_kill_chart_of_a_container_never_ready_again_has_no_readiness_mark(
    tmp_path: Path,
) -> None:
    history = read_history(write_history(tmp_path / "h.csv", 10, rate=300, failing_from=5))
    figure = kill_chart(history, killed_at=1004.0, ready_after_s=None)
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels == ["requests/s (left axis)", "failures/s (right axis)", "SIGKILL"]
    plt.close(figure)
