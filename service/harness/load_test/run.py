"""Run a load test, as ``make load-test`` does; exit with the SLO gate's verdict.

    python -m load_test.run --users 32 --duration 30s --shape constant
    python -m load_test.run --host http://192.168.49.2:30080 --slo p99_ms=50
    python -m load_test.run --processes 2     # Locust's master and 2 workers, on this machine
    python -m load_test.run --ui              # Locust's web UI on 127.0.0.1:8089; Ctrl-C stops

With no ``--host`` it starts the local service (``python -m model_service``), waits until it is
ready, runs the test and stops the service. Under ``--reports`` it writes Locust's CSV files (with
history) and HTML report, ``summary.json``, the charts, and ``service_view.json``: the service's
counters before and after, and its prediction log records.
"""

import argparse
import json
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from httpx import HTTPError

from common.yaml_files import ConfigurationError
from insurance_charges_model.model import MODEL_PATH_ENV_VAR
from load_test.charts import draw_charts
from load_test.defaults import DEFAULTS
from load_test.gate import verdict
from load_test.populations import shifts_of
from load_test.service_view import counter_changes, prediction_record_counts, scrape
from load_test.shapes import SHAPES
from load_test.summary import SUMMARY_NAME, LoadTestSummary, read_summary
from service_levels.objectives import (
    ServiceLevelObjectives,
    latency_targets,
    load_objectives,
    with_overrides,
)
from service_runner.process import ServiceError, ServiceProcess
from service_runner.readiness import free_port

CSV_PREFIX = "locust"
HISTORY_CSV = f"{CSV_PREFIX}_stats_history.csv"
SERVICE_VIEW_NAME = "service_view.json"
LOCUSTFILE = Path(__file__).with_name("locustfile.py")  # not imported: Locust patches with gevent
LOOPBACK = "127.0.0.1"
STOP_GRACE_S = 10.0  # how long Locust may take to write its reports after Ctrl-C


@dataclass(frozen=True)
class LoadTest:
    """What to load, how hard, for how long, and against which SLOs."""

    reports: Path
    host: str = ""  # empty: start the local service
    users: int = DEFAULTS.users
    spawn_rate: float = DEFAULTS.spawn_rate
    duration: str = DEFAULTS.duration
    shape: str = DEFAULTS.shape
    slo_file: Path = DEFAULTS.slo_file
    slo_overrides: tuple[str, ...] = ()
    service_config: Path = DEFAULTS.service_config
    workers: int = DEFAULTS.workers
    model_path: Path | None = None
    chart_prefix: str = "load_test"
    locust_log: Path | None = None  # None: Locust prints to this process's output
    request_log: Path | None = None  # where Locust writes each request's id and outcome
    stop_timeout_s: float = 0  # how long users may finish their request when the run ends
    # Scrape /metrics before and after. Off for replicas behind one port: each scrape reaches one
    # of them, whose counters hold only its own share.
    scrape_metrics: bool = True
    population: str = DEFAULTS.population  # who the users are: configuration/populations.yaml
    # Locust processes that send requests: 1, a lone Locust; N > 1, Locust's master and N workers
    # (``--processes``), since one Locust process uses at most about one core.
    processes: int = DEFAULTS.processes
    ui: bool = False  # Locust's web UI on 127.0.0.1:web_port instead of a headless run
    web_port: int = DEFAULTS.web_port

    def locust_command(self, host: str) -> list[str]:
        """The Locust command line: headless, or with the web UI; alone, or a master and workers."""
        return [
            sys.executable, "-m", "locust", "--locustfile", str(LOCUSTFILE),
            *self.interface_arguments(), *self.distribution_arguments(),
            "--host", host, "--users", str(self.users), "--spawn-rate", str(self.spawn_rate),
            "--run-time", self.duration, "--shape", self.shape,
            "--csv", str(self.reports / CSV_PREFIX), "--csv-full-history",
            "--html", str(self.reports / "report.html"),
            "--summary", str(self.reports / SUMMARY_NAME), "--slo-file", str(self.slo_file),
            *(argument for override in self.slo_overrides for argument in ("--slo", override)),
            *(("--request-log", str(self.request_log)) if self.request_log else ()),
            *(("--stop-timeout", f"{self.stop_timeout_s:g}s") if self.stop_timeout_s else ()),
            "--population", self.population,
        ]  # fmt: skip

    def interface_arguments(self) -> list[str]:
        """Headless with the summary only, or the web UI on the loopback interface."""
        if not self.ui:
            return ["--headless", "--only-summary"]
        return ["--web-host", LOOPBACK, "--web-port", str(self.web_port)]

    def distribution_arguments(self) -> list[str]:
        """None for a lone Locust; else ``--processes``, the master on a free loopback port."""
        if self.processes == 1:
            return []
        port = str(free_port())
        return [
            "--processes", str(self.processes), "--master-bind-host", LOOPBACK,
            "--master-bind-port", port, "--master-port", port,
        ]  # fmt: skip

    @property
    def web_url(self) -> str:
        return f"http://{LOOPBACK}:{self.web_port}"

    def objectives(self) -> ServiceLevelObjectives:
        """The SLOs of ``slo_file`` with this run's overrides."""
        return with_overrides(load_objectives(self.slo_file), list(self.slo_overrides))


@dataclass
class LoadTestResult:
    """The gate's exit code, the summary, and the service's own view of the test."""

    exit_code: int
    summary: LoadTestSummary
    charts: list[Path]
    counter_changes: dict[str, float] | None = None  # None: no /metrics, or not scraped
    log_counts: dict[str, int] | None = None  # None: the service ran elsewhere
    interrupted: bool = False  # Ctrl-C stopped Locust (and a local service with it)
    metrics_before: str | None = field(default=None, repr=False)
    metrics_after: str | None = field(default=None, repr=False)

    def service_view(self) -> dict[str, Any]:
        return {"counter_changes": self.counter_changes, "log_record_counts": self.log_counts}


def wait_for_locust(process: subprocess.Popen) -> tuple[int, bool]:
    """Locust's exit code, and whether Ctrl-C stopped it. Ctrl-C reaches Locust too: let it
    write its reports, and SIGINT it only when it got none."""
    try:
        return process.wait(), False
    except KeyboardInterrupt:
        try:
            return process.wait(STOP_GRACE_S), True
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGINT)
            return process.wait(), True


def run_locust(command: list[str], log_path: Path | None) -> tuple[int, bool]:
    """Run Locust to the end, its output into ``log_path`` when given: its exit code, and
    whether Ctrl-C stopped it."""
    if log_path is None:
        return wait_for_locust(subprocess.Popen(command))
    with open(log_path, "wb") as log:
        return wait_for_locust(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))


def require_free_port(port: int) -> None:
    """OSError naming the port when something listens on it already."""
    with socket.socket() as probe:
        try:
            probe.bind((LOOPBACK, port))
        except OSError:
            raise OSError(f"port {port} is in use: choose another with LOCUST_PORT") from None


def drive(test: LoadTest, host: str, metrics_url: str | None = None) -> LoadTestResult:
    """Scrape /metrics (at ``metrics_url``; None: at ``host``), run Locust, scrape again (unless
    Ctrl-C stopped the service too); read what Locust wrote."""
    test.reports.mkdir(parents=True, exist_ok=True)
    metrics_url = metrics_url or host
    before = scrape(metrics_url) if test.scrape_metrics else None
    if test.ui:
        print(f"\nLocust's web UI: {test.web_url} (Ctrl-C stops Locust, and a local service)\n")
    exit_code, interrupted = run_locust(test.locust_command(host), test.locust_log)
    after = scrape(metrics_url) if test.scrape_metrics and not interrupted else None
    summary_path = test.reports / SUMMARY_NAME
    if not summary_path.exists():
        raise RuntimeError(f"Locust exited with {exit_code} and wrote no {summary_path}")
    return LoadTestResult(
        exit_code=exit_code,
        summary=read_summary(summary_path),
        charts=draw_charts(
            test.reports / HISTORY_CSV,
            test.reports,
            test.chart_prefix,
            latency_targets(test.objectives()),
        ),
        counter_changes=counter_changes(before, after) if before and after else None,
        interrupted=interrupted,
        metrics_before=before,
        metrics_after=after,
    )


def local_service(test: LoadTest) -> ServiceProcess:
    """The service as ``make serve`` runs it, logging into the reports directory."""
    environment = {MODEL_PATH_ENV_VAR: str(test.model_path)} if test.model_path else {}
    return ServiceProcess(
        test.service_config, test.reports / "service.log", workers=test.workers,
        environment=environment,
    )  # fmt: skip


def run_load_test(test: LoadTest) -> LoadTestResult:
    """Run the test against ``test.host``, or against a local service started for it."""
    test.objectives()  # a bad SLO file or override fails early
    shifts_of(test.population)  # an unknown population, too
    if test.ui:
        require_free_port(test.web_port)
    for stale in (SUMMARY_NAME, SERVICE_VIEW_NAME):
        (test.reports / stale).unlink(missing_ok=True)
    if test.host:
        result = drive(test, test.host)
    else:
        with local_service(test) as service:
            result = drive(test, service.url, service.metrics_url)
        result.log_counts = prediction_record_counts(service.log_records())
    (test.reports / SERVICE_VIEW_NAME).write_text(json.dumps(result.service_view(), indent=2))
    return result


def counted_fewer(result: LoadTestResult) -> bool:
    """Whether the service counted fewer 200s than Locust got answers: not one process's view."""
    measured = result.summary.measurements
    served = sum(
        change
        for name, change in (result.counter_changes or {}).items()
        if name.startswith("http_requests_total{") and 'status="200"' in name
    )
    return served < measured.requests - measured.failures


def service_view_report(result: LoadTestResult) -> str:
    """The service's counters and log records, beside what Locust counted."""
    lines = [f"Locust counted {result.summary.measurements.requests} requests."]
    if result.counter_changes is None and result.interrupted:
        lines.append("Ctrl-C stopped the run, and a local service with it: /metrics was not read.")
    elif result.counter_changes is None:
        lines.append("No counters were read from /metrics (none served, or replicas share a port).")
    else:
        lines += ["The service's counters grew by:"] + [
            f"  {name} +{change:g}" for name, change in result.counter_changes.items()
        ]
        if counted_fewer(result):
            lines.append(
                "  (fewer than Locust counted: several replicas answer this host, and each "
                "scrape reaches one of them; --no-metrics leaves them out)"
            )
    if result.log_counts is None:
        lines.append("The service ran elsewhere: its log records are in its own logs.")
    else:
        lines += ["Its prediction log records:"] + [
            f"  {message}: {count}" for message, count in result.log_counts.items()
        ]
    return "\n".join(lines)


RUN_ERRORS = (ServiceError, ConfigurationError, ValueError, RuntimeError, OSError, HTTPError)
"""What a load test raises when it cannot run: each answered with its message, not a traceback."""


def positive_int(text: str) -> int:
    """A whole number above 0."""
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return int(text)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="", help="URL of the service; empty: start it here")
    parser.add_argument("--users", type=int, default=DEFAULTS.users, help="users at the peak")
    parser.add_argument(
        "--spawn-rate", type=float, default=DEFAULTS.spawn_rate, help="users started per second"
    )
    parser.add_argument("--duration", default=DEFAULTS.duration, help="run time, e.g. 30s or 2m")
    parser.add_argument("--shape", choices=sorted(SHAPES), default=DEFAULTS.shape)
    parser.add_argument("--reports", type=Path, default=DEFAULTS.reports)
    parser.add_argument("--slo-file", type=Path, default=DEFAULTS.slo_file)
    parser.add_argument("--slo", action="append", default=[], help="NAME=VALUE, repeatable")
    parser.add_argument("--config", type=Path, default=DEFAULTS.service_config)
    parser.add_argument(
        "--workers", type=int, default=DEFAULTS.workers, help="uvicorn workers of a local run"
    )
    parser.add_argument("--model", type=Path, help="the artifact a local service serves")
    parser.add_argument("--population", default=DEFAULTS.population, help="who the users are")
    parser.add_argument(
        "--processes", type=positive_int, default=DEFAULTS.processes,
        help="Locust processes sending requests; above 1, Locust's master and that many workers",
    )  # fmt: skip
    parser.add_argument("--ui", action="store_true", help="Locust's web UI instead of headless")
    parser.add_argument(
        "--web-port", type=positive_int, default=DEFAULTS.web_port, help="the web UI's port"
    )
    parser.add_argument(
        "--no-metrics", dest="scrape_metrics", action="store_false",
        help="do not read /metrics: several replicas answer the host, each counting its own",
    )  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    test = LoadTest(
        reports=arguments.reports, host=arguments.host.rstrip("/"), users=arguments.users,
        spawn_rate=arguments.spawn_rate, duration=arguments.duration, shape=arguments.shape,
        slo_file=arguments.slo_file, slo_overrides=tuple(arguments.slo),
        service_config=arguments.config, workers=arguments.workers, model_path=arguments.model,
        scrape_metrics=arguments.scrape_metrics, population=arguments.population,
        processes=arguments.processes, ui=arguments.ui, web_port=arguments.web_port,
    )  # fmt: skip
    try:
        result = run_load_test(test)
    except RUN_ERRORS as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    print(f"\n{service_view_report(result)}\n\nReports, charts and summary.json in {test.reports}/")
    print(verdict(result.summary))
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
