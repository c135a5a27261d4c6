"""The figures of the fault runs."""

import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from model_service.routes import HEALTH_PATH, PREDICTION_ROUTE, prediction_route
from reliability.faults import (
    KillResult,
    failures_by_error,
    prediction_requests,
    rate_between,
    worker_pids,
)
from reliability.pairing import Pairing

PAIRING = Pairing(
    sent=10, succeeded=10, requested_records=10, created_records=10, failures_by_error={},
    succeeded_without_record=0, records_without_success=0, requested_not_created=0,
    duplicate_records=0,
)  # fmt: skip


def test_rate_between_is_the_median_in_the_window() -> None:
    history = pd.DataFrame(
        {"Timestamp": [100, 101, 102, 103, 104], "requests_per_s": [None, 10, 30, 20, 1000]}
    )
    assert rate_between(history, 100, 103) == 20
    assert rate_between(history, 200, 300) == 0


def kill(**changes: object) -> KillResult:
    fields = {
        "requests": 10_000, "failures": 10, "errors_per_10k": 10.0, "failures_by_error": {},
        "replacement_s": 0.3, "rps_before": 1000, "rps_lowest": 500, "rps_after": 700,
        "replacement_share": 0.45, "pairing": PAIRING,
    }  # fmt: skip
    return KillResult.model_validate(fields | changes)


@pytest.mark.parametrize(
    ("changes", "passed"),
    [
        ({}, True),
        ({"errors_per_10k": 10.1}, False),
        ({"replacement_s": None}, False),
        ({"replacement_share": 0.29}, False),
        ({"rps_after": 500}, False),
    ],
)
def test_a_kill_passes_within_the_error_budget_and_recovered(changes: dict, passed: bool) -> None:
    assert kill(**changes).passed is passed


def test_failures_by_error_reads_locusts_csv(tmp_path: Path) -> None:
    assert failures_by_error(tmp_path) == {}
    (tmp_path / "locust_failures.csv").write_text(
        "Method,Name,Error,Occurrences\nPOST,/p,\"HTTPConnectionClosed('closed')\",13\n"
    )
    assert failures_by_error(tmp_path) == {"HTTPConnectionClosed('closed')": 13}


def test_worker_pids_are_the_spawned_children_only() -> None:
    code = (
        "import multiprocessing as m, time; m.set_start_method('spawn'); "
        "p = m.Process(target=time.sleep, args=(30,)); p.start(); "
        "print(p.pid, flush=True); p.join()"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        worker = int(parent.stdout.readline())
        deadline = time.monotonic() + 10
        # between fork and exec the child still shows its parent's command line: wait for exec
        while worker_pids(parent.pid) != {worker} and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker_pids(parent.pid) == {worker}
    finally:
        parent.kill()
        parent.wait()


def test_prediction_requests_count_the_prediction_route_over_every_status() -> None:
    metrics = "\n".join(
        f'http_requests_total{{method="POST",route="{route}",status="{status}"}} {count}'
        for route, status, count in [
            (PREDICTION_ROUTE, 200, 7.0),
            (PREDICTION_ROUTE, 422, 2.0),
            (prediction_route("other_model"), 200, 5.0),
            (HEALTH_PATH, 200, 3.0),
        ]
    )
    assert prediction_requests("# TYPE http_requests_total counter\n" + metrics + "\n") == 9
    assert prediction_requests("") == 0
