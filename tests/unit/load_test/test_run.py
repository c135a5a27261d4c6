import itertools
from pathlib import Path

import pytest

from load_test import run as run_module
from load_test.run import LOCUSTFILE, LoadTest, LoadTestResult, main, service_view_report
from load_test.slo import Measurements
from load_test.summary import LoadSettings, LoadTestSummary
from service_runner.process import free_port


def test_the_locust_command_is_headless_with_history_html_and_overrides(tmp_path: Path) -> None:
    test = LoadTest(reports=tmp_path, users=16, duration="30s", slo_overrides=("p99_ms=50",))
    command = test.locust_command("http://service:8000")
    assert command[command.index("--locustfile") + 1] == str(LOCUSTFILE)
    assert LOCUSTFILE.exists()
    assert {"--headless", "--csv-full-history", "--only-summary"} <= set(command)
    pairs = dict(itertools.pairwise(command))
    assert pairs["--host"] == "http://service:8000"
    assert pairs["--users"] == "16"
    assert pairs["--run-time"] == "30s"
    assert pairs["--csv"] == str(tmp_path / "locust")
    assert pairs["--summary"] == str(tmp_path / "summary.json")
    assert pairs["--slo"] == "p99_ms=50"


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--slo", "p95_ms=1"], "'p95_ms=1' is not NAME=VALUE"),
        (["--slo", "p99_ms=-1"], "invalid SLO override"),
        (["--slo-file", "missing.yaml"], "cannot read the SLO file"),
    ],
)
def test_bad_slos_stop_the_run_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture, arguments: list[str], problem: str
) -> None:
    reports = tmp_path / "reports"
    code = main(["--reports", str(reports), "--config", "nowhere.yaml", *arguments])
    assert code == 2
    assert problem in capsys.readouterr().err
    assert not (reports / "service.log").exists()  # no service was started


def test_a_service_that_cannot_start_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code = main(["--reports", str(tmp_path), "--config", str(tmp_path / "nowhere.yaml")])
    assert code == 2
    assert "the service exited before it was ready" in capsys.readouterr().err


def test_the_service_view_says_what_it_could_not_see() -> None:
    summary = LoadTestSummary(
        settings=LoadSettings(
            host="http://x", shape="constant", users=1, spawn_rate=1, duration_s=1
        ),
        started_at="2026-01-01T00:00:00+00:00",
        elapsed_s=1,
        measurements=Measurements(
            requests=1000, failures=0, rps=1000, p50_ms=1, p90_ms=1, p99_ms=1
        ),
        slos=[],
        generator_errors=[],
        passed=True,
        breaches=[],
    )
    text = service_view_report(LoadTestResult(exit_code=0, summary=summary, charts=[]))
    assert "Locust counted 1000 requests." in text
    assert "No counters were read from /metrics" in text
    assert "ran elsewhere" in text


def test_a_host_that_does_not_answer_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    host = f"http://127.0.0.1:{free_port()}"
    code = main(["--reports", str(tmp_path), "--host", host])
    assert code == 2
    assert "error:" in capsys.readouterr().err
    assert not (tmp_path / "summary.json").exists()  # Locust never ran


def test_replicas_behind_one_port_are_not_scraped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scraped = []
    monkeypatch.setattr(run_module, "scrape", lambda host: scraped.append(host) or "")
    monkeypatch.setattr(run_module, "run_locust", lambda command, log: 0)
    test = LoadTest(reports=tmp_path, host="http://x", scrape_metrics=False)
    with pytest.raises(RuntimeError, match="wrote no"):
        run_module.drive(test, test.host)
    assert scraped == []


def summary_of(requests: int, failures: int = 0) -> LoadTestSummary:
    return LoadTestSummary(
        settings=LoadSettings(
            host="http://x", shape="constant", users=1, spawn_rate=1, duration_s=1
        ),
        started_at="2026-01-01T00:00:00+00:00",
        elapsed_s=1,
        measurements=Measurements(
            requests=requests, failures=failures, rps=requests, p50_ms=1, p90_ms=1, p99_ms=1
        ),
        slos=[],
        generator_errors=[],
        passed=True,
        breaches=[],
    )


OK_200 = 'http_requests_total{method="POST",route="/p",status="200"}'


@pytest.mark.parametrize(("served", "says_so"), [(600, True), (1000, False), (1003, False)])
def test_counters_below_what_locust_counted_are_explained(served: int, says_so: bool) -> None:
    result = LoadTestResult(
        exit_code=0, summary=summary_of(1000), charts=[], counter_changes={OK_200: served}
    )
    assert ("several replicas answer this host" in service_view_report(result)) is says_so


def test_no_metrics_leaves_the_counters_out() -> None:
    parsed = run_module.parse_arguments(["--no-metrics"])
    assert parsed.scrape_metrics is False
    assert run_module.parse_arguments([]).scrape_metrics is True
