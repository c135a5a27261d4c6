"""Fuzz the running service from its OpenAPI schema with schemathesis.

schemathesis generates requests from ``/openapi.json``, valid and invalid ones, and checks every
response: no server error, a documented status code, a body that fits the documented schema.
The service's own counters tell how many requests it answered, and with which status.
"""

import json
import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel, Field

from load_test.service_view import requests_by, scrape

MIN_REQUESTS = 1_000
REPORT_NAME = "schemathesis.json"


class FuzzResult(BaseModel):
    """What schemathesis sent and found, and what the service counted."""

    exit_code: int = Field(description="schemathesis's exit code: 0 when every check passed.")
    test_cases: int = Field(description="Test cases schemathesis generated.")
    failures: list[str] = Field(description="Each kind of failure schemathesis found.")
    requests_by_status: dict[str, int] = Field(description="Requests the service counted.")

    @property
    def requests(self) -> int:
        return sum(self.requests_by_status.values())

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.requests_by_status.items() if int(status) >= 500)

    @property
    def passed(self) -> bool:
        return (
            self.exit_code == 0
            and not self.failures
            and not self.server_errors
            and self.requests >= MIN_REQUESTS
        )


def schemathesis_command(
    url: str, report: Path, max_examples: int, seed: int, headers: dict[str, str]
) -> list[str]:
    """Every check, every phase, reproducible with ``seed``: no examples kept from earlier runs."""
    return [
        sys.executable, "-m", "schemathesis.cli", "run", f"{url}/openapi.json",
        "--checks", "all", "--max-examples", str(max_examples), "--seed", str(seed),
        "--generation-database", "none",
        "--report", "json", "--report-json-path", str(report), "--no-color",
        *(argument for name, value in headers.items() for argument in ("-H", f"{name}: {value}")),
    ]  # fmt: skip


def requests_by_status(before: str, after: str) -> dict[str, int]:
    """The service's request counter growth, summed by status."""
    growth = requests_by("status", after) - requests_by("status", before)
    return dict(sorted(growth.items()))


def read_report(path: Path) -> tuple[int, list[str]]:
    """Test cases generated, and each failure as 'CODE title (count)', from the JSON report."""
    report = json.loads(path.read_text())
    failures = [
        f"{failure['code']} {failure['title']} ({failure['count']})"
        for failure in report["failures"]
    ] + [f"error: {error}" for error in report["errors"]]
    return report["test_cases"]["generated"], failures


def fuzz(
    url: str,
    reports: Path,
    max_examples: int = 1_000,
    seed: int = 1,
    headers: dict[str, str] | None = None,
    log: Path | None = None,
    metrics_url: str | None = None,
) -> FuzzResult:
    """Run schemathesis against ``url``; its output goes to ``log``. The service's counters are
    read at ``metrics_url`` (None: ``url``)."""
    reports = reports.resolve()
    reports.mkdir(parents=True, exist_ok=True)
    report = reports / REPORT_NAME
    report.unlink(missing_ok=True)
    metrics_url = metrics_url or url
    before = scrape(metrics_url) or ""
    command = schemathesis_command(url, report, max_examples, seed, headers or {})
    with open(log or reports / "schemathesis.log", "wb") as output:
        # run in the reports folder: schemathesis keeps its cache where it runs
        exit_code = subprocess.run(
            command, stdout=output, stderr=subprocess.STDOUT, cwd=reports
        ).returncode
    if not report.exists():
        raise RuntimeError(f"schemathesis exited with {exit_code} and wrote no {report}")
    test_cases, failures = read_report(report)
    return FuzzResult(
        exit_code=exit_code,
        test_cases=test_cases,
        failures=failures,
        requests_by_status=requests_by_status(before, scrape(metrics_url) or ""),
    )
