"""Reading what schemathesis and the service's counters say of a fuzzing run."""

import json
import subprocess
from pathlib import Path

import pytest

from reliability import fuzz as fuzz_module
from reliability.fuzz import (
    REPORT_NAME,
    FuzzResult,
    fuzz,
    read_report,
    requests_by_status,
    schemathesis_command,
)

BEFORE = """# TYPE http_requests_total counter
http_requests_total{method="GET",route="/api/health",status="200"} 2.0
"""
AFTER = """# TYPE http_requests_total counter
http_requests_total{method="GET",route="/api/health",status="200"} 5.0
http_requests_total{method="POST",route="/p",status="200"} 4.0
http_requests_total{method="POST",route="/p",status="422"} 7.0
"""


def test_requests_are_summed_by_status() -> None:
    assert requests_by_status(BEFORE, AFTER) == {"200": 7, "422": 7}


def test_the_report_gives_test_cases_and_failures(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_text(
        json.dumps(
            {
                "test_cases": {"generated": 1135},
                "failures": [{"code": "ST108", "title": "Response violates schema", "count": 2}],
                "errors": ["connection refused"],
            }
        )
    )
    assert read_report(report) == (
        1135,
        ["ST108 Response violates schema (2)", "error: connection refused"],
    )


def result(**changes: object) -> FuzzResult:
    fields = {
        "exit_code": 0,
        "test_cases": 1100,
        "failures": [],
        "requests_by_status": {"200": 1000},
    }
    return FuzzResult.model_validate(fields | changes)


@pytest.mark.parametrize(
    ("changes", "passed"),
    [
        ({}, True),
        ({"exit_code": 1}, False),
        ({"failures": ["ST108 Response violates schema (1)"]}, False),
        ({"requests_by_status": {"200": 999, "500": 1}}, False),
        ({"requests_by_status": {"200": 999}}, False),
    ],
)
def test_a_run_passes_only_clean_and_large_enough(changes: dict, passed: bool) -> None:
    assert result(**changes).passed is passed


def test_server_errors_count_every_5xx() -> None:
    assert result(requests_by_status={"200": 5, "500": 2, "503": 1}).server_errors == 3


def test_the_command_sends_the_headers(tmp_path: Path) -> None:
    command = schemathesis_command("http://h", tmp_path / "r.json", 50, 7, {"X-API-Key": "k"})
    assert command[command.index("-H") + 1] == "X-API-Key: k"
    assert command[command.index("--max-examples") + 1] == "50"
    assert "http://h/openapi.json" in command


def test_the_counters_are_read_where_the_metrics_are_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scraped: list[str] = []
    pages = iter([BEFORE, AFTER])
    monkeypatch.setattr(fuzz_module, "scrape", lambda url: scraped.append(url) or next(pages))

    def schemathesis(command: list[str], **options: object) -> subprocess.CompletedProcess:
        report = {"test_cases": {"generated": 3}, "failures": [], "errors": []}
        (tmp_path / REPORT_NAME).write_text(json.dumps(report))
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(fuzz_module.subprocess, "run", schemathesis)
    result = fuzz("http://h:8000", tmp_path, metrics_url="http://h:9100")
    assert scraped == ["http://h:9100", "http://h:9100"]
    assert result.requests_by_status == {"200": 7, "422": 7}
