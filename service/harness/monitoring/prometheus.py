"""A local Prometheus that scrapes the service while a load test runs, and its HTTP API.

    with LocalPrometheus(["127.0.0.1:8000"], workdir, rule_files=[RULES_FILE]) as prometheus:
        ...  # the load test
        frame = prometheus.query_range("sum(rate(http_requests_total[15s]))", start, end, "2s")

It runs the ``prometheus`` binary (Debian's package, or a release from prometheus.io) with a
configuration written for the run: the targets, a short scrape interval so a run of seconds has
points to chart, and the rule files, evaluated as often. Its data lives in ``workdir`` and goes
with it; each start begins with no data, so that a previous run's series never enter the rates.
"""

import shutil
import subprocess
from pathlib import Path
from typing import Any, Self

import httpx
import pandas as pd
import yaml

from common.paths import PROJECT_ROOT
from kubernetes_deployment.manifests import APP_NAME
from monitoring import child_process
from monitoring.availability import APP_LABEL
from service_runner.readiness import free_port
from system_tools import MissingToolError, Skipped, missing, require

JOB = "insurance-charges-model"


class PrometheusError(RuntimeError):
    """Prometheus is missing, did not start, or refused a query; the message says which."""


def installed(command: str) -> str:
    """The path of ``prometheus`` or ``promtool``; PrometheusError saying how to install it."""
    try:
        return require(command)
    except MissingToolError as error:
        raise PrometheusError(str(error)) from None


def prometheus_binary() -> str:
    return installed("prometheus")


def promtool(*arguments: str | Path) -> str:
    """``promtool ARGUMENTS`` (Prometheus's checker), run in the project's folder, so paths
    under it are named from there: its output; PrometheusError if it fails."""
    found = installed("promtool")
    shown = [
        path.relative_to(PROJECT_ROOT)
        if isinstance(path, Path) and path.is_relative_to(PROJECT_ROOT)
        else path
        for path in arguments
    ]
    done = subprocess.run(
        [found, *map(str, shown)], capture_output=True, text=True, timeout=120, check=False,
        cwd=PROJECT_ROOT,
    )  # fmt: skip
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise PrometheusError(f"promtool {' '.join(map(str, shown))} failed:\n{output}")
    return output


def checked_rules(rules_file: Path, tests_file: Path) -> str | Skipped:
    """promtool's check of the rules and its run of their tests; Skipped, saying why, when
    promtool is missing; PrometheusError when either fails."""
    problem = missing("promtool")
    if problem:
        return Skipped("the rules' check by promtool", problem)
    return "\n".join(
        [promtool("check", "rules", rules_file), promtool("test", "rules", tests_file)]
    )


def configuration(
    targets: list[str],
    rule_files: list[Path],
    scrape_interval: str,
    alertmanagers: list[str] | None = None,
) -> dict[str, Any]:
    """prometheus.yml for a local run: one job scraping ``targets`` (labelled ``app`` as the
    cluster's pods are), the rules evaluated, their alerts sent to ``alertmanagers``."""
    scraped = {"targets": targets, "labels": {APP_LABEL: APP_NAME}}
    config = {
        "global": {"scrape_interval": scrape_interval, "evaluation_interval": scrape_interval},
        "rule_files": [str(path.resolve()) for path in rule_files],
        "scrape_configs": [{"job_name": JOB, "static_configs": [scraped]}],
    }
    if alertmanagers:
        config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": alertmanagers}]}]}
    return config


def result_of(response: httpx.Response, expression: str) -> Any:
    """The ``data`` of an API answer; PrometheusError with Prometheus's own error otherwise."""
    try:
        answer = response.json() if response.content else {}
    except ValueError:
        answer = {}
    if response.status_code != 200 or answer.get("status") != "success":
        error = answer.get("error") or response.text[:300] or "no reason given"
        raise PrometheusError(
            f"Prometheus refused {expression!r} (HTTP {response.status_code}): {error}"
        )
    return answer["data"]


def series_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """An instant query's result as series: a scalar or a string is one series without labels."""
    if data["resultType"] in ("scalar", "string"):
        return [{"labels": {}, "value": float(data["result"][1])}]
    return [{"labels": item["metric"], "value": float(item["value"][1])} for item in data["result"]]


class LocalPrometheus(child_process.ChildServer):
    """``prometheus`` in a child process, on a free port of 127.0.0.1."""

    log_name = "prometheus.log"
    error = PrometheusError

    def __init__(
        self,
        targets: list[str],
        workdir: Path,
        rule_files: list[Path] | None = None,
        scrape_interval: str = "1s",
        alertmanagers: list[str] | None = None,
    ) -> None:
        self.targets, self.workdir = targets, Path(workdir)
        self.rule_files, self.scrape_interval = rule_files or [], scrape_interval
        self.alertmanagers = alertmanagers or []
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self, config_path: Path) -> list[str]:
        return [
            prometheus_binary(), f"--config.file={config_path}",
            f"--storage.tsdb.path={self.workdir / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}", "--storage.tsdb.retention.time=1d",
            "--log.level=warn",
        ]  # fmt: skip

    def clear_data(self) -> None:
        """An empty ``workdir``'s data folder: what a previous run scraped is gone."""
        shutil.rmtree(self.workdir / "data", ignore_errors=True)
        self.workdir.mkdir(parents=True, exist_ok=True)

    def start(self) -> Self:
        missing = [str(path) for path in self.rule_files if not Path(path).is_file()]
        if missing:  # Prometheus reads rule_files as patterns, and skips one matching nothing
            raise PrometheusError(f"no such rule file: {', '.join(missing)}")
        self.clear_data()
        config_path = self.workdir / "prometheus.yml"
        config = configuration(
            self.targets, self.rule_files, self.scrape_interval, self.alertmanagers
        )
        config_path.write_text(yaml.safe_dump(config, sort_keys=False))
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command(config_path), stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_until_ready()
        return self

    def api(self, path: str, params: dict[str, Any], expression: str = "") -> Any:
        response = httpx.get(f"{self.url}/api/v1/{path}", params=params, timeout=30)
        return result_of(response, expression or path)

    def query(self, expression: str, at: float | None = None) -> list[dict[str, Any]]:
        """An instant query: each series' labels and its value (a float; NaN stays NaN)."""
        params = {"query": expression, **({"time": at} if at is not None else {})}
        return series_of(self.api("query", params, expression))

    def scalar(self, expression: str, at: float | None = None) -> float:
        """The one value an instant query gives; NaN when it gives none."""
        series = self.query(expression, at)
        return series[0]["value"] if series else float("nan")

    def query_range(self, expression: str, start: float, end: float, step: str) -> pd.Series:
        """One series over time (the first the expression gives), indexed by Unix time."""
        params = {"query": expression, "start": start, "end": end, "step": step}
        data = self.api("query_range", params, expression)
        if not data["result"]:
            return pd.Series(dtype=float, name=expression)
        values = data["result"][0]["values"]
        return pd.Series(
            [float(value) for _, value in values],
            index=[float(moment) for moment, _ in values],
            name=expression,
        )

    def alerts(self) -> list[dict[str, Any]]:
        """The alerts pending or firing now, with their labels and state."""
        return self.api("alerts", {})["alerts"]

    def targets_up(self) -> int:
        """How many targets answered their last scrape."""
        return sum(target["health"] == "up" for target in self.api("targets", {})["activeTargets"])
