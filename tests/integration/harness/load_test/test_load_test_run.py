"""A real Locust run of a few seconds against a local stub service, started by the runner."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from load_test.run import LoadTest, LoadTestResult, run_load_test
from load_test.service_view import sample_key
from model_service.routes import PREDICTION_ROUTE
from support.services import stub_models_on_pythonpath, stub_service_file

USERS = 4


def load_test(directory: Path, fail_smokers: bool, *overrides: str) -> LoadTestResult:
    return run_load_test(
        LoadTest(
            reports=directory / "reports",
            users=USERS,
            spawn_rate=USERS,
            duration="5s",
            slo_overrides=overrides,
            service_config=stub_service_file(directory, fail_smokers),
        )
    )


@pytest.fixture(scope="module", autouse=True)
def stub_models_importable() -> Iterator[None]:
    with stub_models_on_pythonpath():
        yield


@pytest.fixture(scope="module")
def healthy_run(tmp_path_factory: pytest.TempPathFactory, insurance_csv: Path) -> LoadTestResult:
    return load_test(tmp_path_factory.mktemp("healthy"), False, "min_rps=1", "p99_ms=1000")


@pytest.fixture(scope="module")
def failing_run(tmp_path_factory: pytest.TempPathFactory, insurance_csv: Path) -> LoadTestResult:
    return load_test(tmp_path_factory.mktemp("failing"), True, "min_rps=1", "p99_ms=1000")


def test_a_healthy_run_passes_the_gate(healthy_run: LoadTestResult) -> None:
    assert healthy_run.exit_code == 0
    assert healthy_run.summary.passed
    assert healthy_run.summary.measurements.failures == 0
    assert healthy_run.summary.measurements.requests > 100


def test_the_reports_are_written(healthy_run: LoadTestResult) -> None:
    reports = healthy_run.charts[0].parent
    names = {path.name for path in reports.iterdir()}
    assert {"summary.json", "service_view.json", "report.html", "service.log"} <= names
    assert {"locust_stats.csv", "locust_stats_history.csv", "locust_failures.csv"} <= names
    assert "<html" in (reports / "report.html").read_text()[:2000].lower()
    assert [path.exists() for path in healthy_run.charts] == [True] * 3


def test_the_service_served_what_locust_counted(healthy_run: LoadTestResult) -> None:
    counted = healthy_run.summary.measurements.requests
    labels = {"method": "POST", "route": PREDICTION_ROUTE, "status": "200"}
    served = healthy_run.counter_changes[sample_key("http_requests_total", labels)]
    assert counted <= served <= counted + USERS  # the last requests in flight are not counted
    assert healthy_run.log_counts["Prediction requested"] == served
    assert healthy_run.log_counts["Prediction created"] == served


def test_failures_breach_the_error_budget(failing_run: LoadTestResult) -> None:
    assert failing_run.exit_code == 1
    measurements = failing_run.summary.measurements
    assert 0.1 < measurements.failures / measurements.requests < 0.3  # the smokers
    assert failing_run.summary.breaches == [
        next(slo.breach() for slo in failing_run.summary.slos if slo.name == "errors_per_10k")
    ]
    assert failing_run.log_counts["Prediction failed"] >= measurements.failures
