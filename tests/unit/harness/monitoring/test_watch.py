"""Step 6's runs and their views: what Prometheus saw, or why nothing was seen."""

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from load_test.run import LoadTest, LoadTestResult
from load_test.summary import LoadSettings, LoadTestSummary
from load_test.verdicts import Measurements
from monitoring import watch
from monitoring.watch import (
    PrometheusView,
    WatchedRun,
    firing,
    locust_against_prometheus,
    prometheus_if_installed,
    rules_at_the_end,
    run_line,
    sli_chart_file,
    uncounted,
    unwatched,
)
from service_levels.objectives import SLO_FILE, load_objectives
from system_tools import Skipped

OBJECTIVES = load_objectives(SLO_FILE)


def locust_result(requests: int = 1_000, passed: bool = True) -> LoadTestResult:
    summary = LoadTestSummary(
        settings=LoadSettings(host="http://x", shape="constant", users=16, spawn_rate=16,
                              duration_s=20),
        started_at="2026-01-01T00:00:00+00:00", elapsed_s=20,
        measurements=Measurements(requests=requests, failures=0, rps=500, p50_ms=1.5,
                                  p90_ms=2, p99_ms=3.4),
        slos=[], generator_errors=[], passed=passed, breaches=[],
    )  # fmt: skip
    return LoadTestResult(exit_code=0, summary=summary, charts=[])


def seen(requests: float = 1_000, alerts: list[dict] | None = None) -> PrometheusView:
    over_time = pd.DataFrame(
        {"requests per second": [10.0, 12.0], "error ratio": [0.0, math.nan], "p99 ms": [3.0, 4.0]},
        index=[0.0, 1.0],
    )
    whole = {"requests": requests, "errors": 0.0, "p50 ms": 1.2, "p99 ms": 3.9}
    recorded = {"slo:errors:ratio_rate5m": math.nan, "slo:latency_p99:ratio_rate5m": 0.00123}
    return PrometheusView(over_time, whole, alerts or [], recorded)


def run(view: PrometheusView | None, requests: int = 1_000) -> WatchedRun:
    return WatchedRun(locust_result(requests), Path("service.log"), view)


def without_prometheus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)


def test_without_prometheus_every_view_says_why_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    without_prometheus(monkeypatch)
    runs = {"training mix": run(None), "shifted": run(None)}
    why = unwatched()
    assert isinstance(why, Skipped)
    assert "prometheus is not installed" in str(why)
    assert sli_chart_file(runs, OBJECTIVES, Path("never.png")) == why
    assert locust_against_prometheus(runs["shifted"]) == why
    assert rules_at_the_end(runs) == why
    assert firing(runs) == []
    assert uncounted(runs, in_flight=16) == {}


def test_with_prometheus_nothing_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    assert unwatched() is None


def test_without_prometheus_the_runs_go_on_with_none_watching(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    without_prometheus(monkeypatch)
    with prometheus_if_installed("127.0.0.1:1", tmp_path, []) as prometheus:
        assert prometheus is None
    assert capsys.readouterr().out.startswith("Skipped: what Prometheus sees of the runs")
    assert not (tmp_path / "prometheus.yml").exists()


def test_each_population_is_one_run_in_a_folder_of_its_own(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    without_prometheus(monkeypatch)
    loads: list[LoadTest] = []
    monkeypatch.setattr(
        watch,
        "watched_run",
        lambda _, load, population, port, workers: (
            loads.append(load) or f"{population} on {port} with {workers}"
        ),
    )
    runs = watch.watched_runs({"a": "training", "b": "shifted"}, LoadTest(tmp_path), [], 2)
    assert list(runs) == ["a", "b"]
    assert runs["a"].startswith("training on ")
    assert runs["b"].endswith("with 2")


def test_prometheus_and_locust_side_by_side() -> None:
    table = locust_against_prometheus(run(seen()))
    assert table.loc["requests"].tolist() == [1_000, 1_000]
    assert table.loc["p99 ms"].tolist() == [3.4, 3.9]


def test_the_rules_at_the_end_of_each_run_as_shares() -> None:
    table = rules_at_the_end({"shifted": run(seen(alerts=[{"state": "pending"}]))})
    assert table["shifted"].tolist() == ["no 5xx yet", "0.123%", 1]


def test_only_firing_alerts_count_as_firing() -> None:
    page = {"state": "firing", "labels": {"alertname": "Page"}}
    runs = {"a": run(seen(alerts=[{"state": "pending"}])), "b": run(seen(alerts=[page]))}
    assert firing(runs) == [page]


def test_prometheus_may_miss_only_the_requests_in_flight() -> None:
    runs = {"close": run(seen(requests=990)), "short": run(seen(requests=900))}
    assert uncounted(runs, in_flight=16) == {"short": (1_000, 900)}


def test_the_sli_chart_is_saved_when_prometheus_saw_every_run(tmp_path: Path) -> None:
    path = sli_chart_file({"a": run(seen())}, OBJECTIVES, tmp_path / "slis.png")
    assert path == tmp_path / "slis.png"
    assert path.stat().st_size > 0


def test_a_run_line_says_what_locust_measured() -> None:
    assert run_line("shifted", run(None)) == (
        "shifted: 1,000 requests, 500 req/s, 0 failures, p99 3 ms; SLOs met"
    )
