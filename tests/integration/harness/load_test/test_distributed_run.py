"""Locust's own distributed mode and its web UI, each run for a few seconds against a local stub
service that the runner starts: `python -m load_test.run --processes 2` and `--ui`."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from load_test.request_log import log_files, read_request_log
from load_test.run import LoadTest, LoadTestResult, run_load_test
from load_test.service_view import sample_key
from load_test.summary import read_summary
from model_service.routes import PREDICTION_ROUTE
from service_runner.process import free_port
from support.services import stub_models_on_pythonpath, stub_service_file

pytestmark = pytest.mark.slow
USERS = 8
SLOS = ("--slo", "min_rps=1", "--slo", "p99_ms=1000")
SERVED = sample_key(
    "http_requests_total", {"method": "POST", "route": PREDICTION_ROUTE, "status": "200"}
)


@pytest.fixture(scope="module", autouse=True)
def stub_models_importable() -> Iterator[None]:
    with stub_models_on_pythonpath():
        yield


def run_command(reports: Path, *options: str) -> list[str]:
    return [
        sys.executable, "-m", "load_test.run", "--reports", str(reports),
        "--config", str(stub_service_file(reports.parent)), *SLOS, *options,
    ]  # fmt: skip


@pytest.fixture(scope="module")
def distributed(
    tmp_path_factory: pytest.TempPathFactory, insurance_csv: Path
) -> tuple[subprocess.CompletedProcess, Path]:
    """`python -m load_test.run --processes 2 --duration 5s --users 8`: its output, its reports."""
    reports = tmp_path_factory.mktemp("distributed") / "reports"
    command = run_command(reports, "--processes", "2", "--duration", "5s", "--users", str(USERS))
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    return done, reports


def test_the_distributed_run_passes_the_gate(distributed) -> None:
    done, reports = distributed
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert read_summary(reports / "summary.json").passed


def test_two_workers_ran_the_users(distributed) -> None:
    done, _ = distributed
    log = done.stdout + done.stderr
    assert "2 workers connected" in log
    assert f"Sending spawn jobs of {USERS} users at 8.00 spawn rate to 2 ready workers" in log
    assert log.count("Got quit message from master") == 2  # each worker, told to quit


def test_the_master_counted_what_the_service_served(distributed) -> None:
    _, reports = distributed
    counted = read_summary(reports / "summary.json").measurements.requests
    served = json.loads((reports / "service_view.json").read_text())["counter_changes"][SERVED]
    assert counted > 100
    assert counted <= served <= counted + USERS  # the last requests in flight are not counted


def test_the_gate_judged_once_and_the_reports_are_written(distributed) -> None:
    done, reports = distributed
    assert done.stdout.count("SLO                         target") == 1  # the master's table
    names = {path.name for path in reports.iterdir()}
    assert {"report.html", "locust_stats.csv", "locust_stats_history.csv"} <= names


def test_each_worker_s_request_log_is_merged(tmp_path: Path, insurance_csv: Path) -> None:
    test = LoadTest(
        reports=tmp_path / "reports", users=4, spawn_rate=4, duration="3s", processes=2,
        slo_overrides=("min_rps=1", "p99_ms=1000"), service_config=stub_service_file(tmp_path),
        request_log=tmp_path / "reports" / "requests.csv",
        locust_log=tmp_path / "locust.log",
    )  # fmt: skip
    result: LoadTestResult = run_load_test(test)
    assert len(log_files(test.request_log)) == 2  # one share per worker, none by the master
    sent = read_request_log(test.request_log)
    assert len(sent) == result.summary.measurements.requests
    assert len({request.request_id for request in sent}) == len(sent)


def wait_for_page(url: str, process: subprocess.Popen, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise AssertionError(f"{url} never answered; the runner exited with {process.poll()}")


def wait_for_file(path: Path, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} was never written"
        time.sleep(0.3)


def test_the_web_ui_runs_the_settings_and_ctrl_c_stops_everything(
    tmp_path: Path, insurance_csv: Path
) -> None:
    """A reader starts the run from the UI (its form holds the settings), the gate writes the
    summary when the run ends, and Ctrl-C stops Locust and the local service cleanly."""
    reports, port = tmp_path / "reports", free_port()
    # One uvicorn worker, as before the default became make load-test's 2: with 2, a worker can
    # outlive the runner by a fraction of a second (the supervisor does not wait for it).
    command = run_command(
        reports, "--ui", "--web-port", str(port), "--duration", "3s", "--workers", "1"
    )
    with open(tmp_path / "output.log", "w") as output:
        runner = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_for_page(f"http://127.0.0.1:{port}/", runner)
        started = httpx.post(
            f"http://127.0.0.1:{port}/swarm", data={"user_count": 4, "spawn_rate": 4}
        ).json()
        assert started["success"], started
        assert started["host"].startswith("http://127.0.0.1:")  # the local service
        wait_for_file(reports / "summary.json")  # the shape ended the run; the UI goes on
        assert runner.poll() is None
        os.killpg(runner.pid, signal.SIGINT)  # Ctrl-C: the whole foreground group
        assert runner.wait(60) == 0
    finally:
        if runner.poll() is None:
            os.killpg(runner.pid, signal.SIGKILL)
    text = (tmp_path / "output.log").read_text()
    assert f"Locust's web UI: http://127.0.0.1:{port}" in text
    assert read_summary(reports / "summary.json").measurements.requests > 100
    assert "Ctrl-C stopped the run" in text
    with pytest.raises(ProcessLookupError):
        os.killpg(runner.pid, 0)  # nothing of the group is left: Locust, service
