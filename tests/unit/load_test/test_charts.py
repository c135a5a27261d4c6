import csv
from pathlib import Path

import pytest

from load_test.charts import draw_charts, read_history

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
