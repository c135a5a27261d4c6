"""Faults under load: one of two workers killed, then the whole server stopped, while Locust runs.

- SIGKILL one worker: uvicorn's supervisor starts a new one; we measure the errors the clients
  saw, how long the replacement took, and whether throughput came back.
- SIGTERM the server: it stops accepting, finishes what is in flight and flushes its log queue;
  each request carries its own id, so every 200 is paired with its log records.
"""

import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psutil
from pydantic import BaseModel, Field

from load_test.charts import read_history
from load_test.defaults import DEFAULTS
from load_test.request_log import read_request_log
from load_test.run import HISTORY_CSV, LoadTest, local_service
from load_test.service_view import requests_by, scrape
from load_test.summary import SUMMARY_NAME, read_summary
from model_service.routes import PREDICTION_ROUTE
from reliability.pairing import Pairing, pair

WORKERS = 2
WORKER_MARK = "spawn_main"  # uvicorn's workers are multiprocessing children started by spawn
POLL_SECONDS = 0.1
MAX_ERRORS_PER_10K = 10
MIN_REPLACEMENT_SHARE = 0.3  # of the two workers' CPU time; an even split is 0.5
MIN_LOGGED_PREDICTIONS = 10_000  # answered predictions a SIGTERM run needs to show no record lost


@dataclass(frozen=True)
class FaultSettings:
    """Where to write, what to serve, and how long each phase lasts."""

    reports: Path
    service_config: Path = DEFAULTS.service_config
    model_path: Path | None = None
    users: int = 32
    kill_run_s: int = 40
    kill_after_s: float = 12
    window_s: float = 8
    terminate_after_requests: int = 12_000
    terminate_timeout_s: float = 60
    min_logged_predictions: int = MIN_LOGGED_PREDICTIONS

    def load_test(self, name: str, duration_s: float, request_log: bool = False) -> LoadTest:
        reports = self.reports / name
        return LoadTest(
            reports=reports, users=self.users, spawn_rate=self.users, duration=f"{duration_s:g}s",
            service_config=self.service_config, workers=WORKERS, model_path=self.model_path,
            locust_log=reports / "locust.log",
            request_log=reports / "requests.csv" if request_log else None, stop_timeout_s=5,
        )  # fmt: skip


def start_locust(test: LoadTest, url: str) -> subprocess.Popen:
    test.reports.mkdir(parents=True, exist_ok=True)
    with open(test.locust_log, "wb") as log:
        return subprocess.Popen(test.locust_command(url), stdout=log, stderr=subprocess.STDOUT)


def worker_pids(master_pid: int) -> set[int]:
    """The master's worker processes, leaving out multiprocessing's resource tracker."""
    pids = set()
    for child in psutil.Process(master_pid).children():
        try:
            if WORKER_MARK in " ".join(child.cmdline()):
                pids.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return pids


def seconds_until_replaced(master_pid: int, killed: int, timeout: float) -> float | None:
    """Seconds until the master runs WORKERS workers again, the killed one not among them."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        pids = worker_pids(master_pid)
        if len(pids) == WORKERS and killed not in pids:
            return time.monotonic() - started
        time.sleep(POLL_SECONDS)
    return None


def rate_between(history: pd.DataFrame, start: float, end: float) -> float:
    """The median of Locust's requests per second between two Unix times; 0 without rows."""
    rows = history[(history["Timestamp"] >= start) & (history["Timestamp"] <= end)]
    rates = rows["requests_per_s"].dropna()
    return float(rates.median()) if len(rates) else 0.0


class KillResult(BaseModel):
    """One of two workers SIGKILLed in the middle of a Locust run."""

    requests: int = Field(description="Requests Locust made.")
    failures: int = Field(description="Requests that failed.")
    errors_per_10k: float = Field(description="Failures per 10,000 requests.")
    failures_by_error: dict[str, int] = Field(description="Failures by error, as Locust saw them.")
    replacement_s: float | None = Field(description="Seconds until a new worker ran; None: never.")
    rps_before: float = Field(
        description="Median requests per second in the window before the kill."
    )
    rps_lowest: float = Field(description="The lowest rate Locust charted after the kill.")
    rps_after: float = Field(description="Median requests per second in the run's last window.")
    replacement_share: float = Field(
        description="The new worker's share of both workers' CPU time in the run's last window: "
        "0.5 is an even split, 0 means the load stayed on the survivor."
    )
    pairing: Pairing = Field(
        description="Each request paired with its log records: the killed worker's requests "
        "in flight, and the records still in its queue, are lost with it."
    )

    @property
    def recovered(self) -> bool:
        """The new worker took its share of the load, and throughput rose from its low.

        On two cores shared with Locust, one worker alone serves 0.6-0.8 of what two do, within
        this machine's noise: a throughput ratio alone cannot tell the two apart.
        """
        return self.replacement_share >= MIN_REPLACEMENT_SHARE and self.rps_after > self.rps_lowest

    @property
    def passed(self) -> bool:
        return (
            self.errors_per_10k <= MAX_ERRORS_PER_10K
            and self.replacement_s is not None
            and self.recovered
        )


def failures_by_error(reports: Path) -> dict[str, int]:
    """Locust's failures CSV: each error and how often it occurred."""
    path = reports / "locust_failures.csv"
    if not path.exists():
        return {}
    failures = pd.read_csv(path)
    return {str(row.Error): int(row.Occurrences) for row in failures.itertuples()}


def kill_a_worker(settings: FaultSettings) -> KillResult:
    """Run Locust against two workers, SIGKILL one partway, and measure what the clients saw."""
    test = settings.load_test("kill_worker", settings.kill_run_s, request_log=True)
    with local_service(test) as service:
        locust = start_locust(test, service.url)
        time.sleep(settings.kill_after_s)
        victim = min(worker_pids(service.process.pid))
        killed_at = time.time()
        psutil.Process(victim).send_signal(signal.SIGKILL)
        replacement = seconds_until_replaced(service.process.pid, victim, settings.kill_run_s)
        last_window_at = killed_at - settings.kill_after_s + settings.kill_run_s - settings.window_s
        time.sleep(max(0.0, last_window_at - 1 - time.time()))
        share = cpu_share_of_newest(service.process.pid, victim, settings.window_s)
        locust.wait(settings.kill_run_s + 60)
    pairing = pair(read_request_log(test.request_log), service.log_records())
    return kill_result(test.reports, killed_at, replacement, settings.window_s, pairing, share)


def cpu_seconds(pid: int) -> float:
    times = psutil.Process(pid).cpu_times()
    return times.user + times.system


def cpu_share_of_newest(master_pid: int, killed: int, seconds: float) -> float:
    """The newest worker's share of the workers' CPU time over the next ``seconds``."""
    pids = sorted(
        worker_pids(master_pid) - {killed}, key=lambda pid: psutil.Process(pid).create_time()
    )
    if len(pids) < WORKERS:
        return 0.0
    before = [cpu_seconds(pid) for pid in pids]
    time.sleep(seconds)
    used = [cpu_seconds(pid) - start for pid, start in zip(pids, before, strict=True)]
    return used[-1] / sum(used) if sum(used) else 0.0


def kill_result(
    reports: Path,
    killed_at: float,
    replacement: float | None,
    window: float,
    pairing: Pairing,
    replacement_share: float,
) -> KillResult:
    """The figures of a kill run, from Locust's summary, history and failures."""
    measurements = read_summary(reports / SUMMARY_NAME).measurements
    history = read_history(reports / HISTORY_CSV)
    last = float(history["Timestamp"].iloc[-1]) - 1  # the final row may hold the users stopping
    after_kill = history[history["Timestamp"] > killed_at]["requests_per_s"].dropna()
    return KillResult(
        requests=measurements.requests,
        failures=measurements.failures,
        errors_per_10k=measurements.errors_per_10k,
        failures_by_error=failures_by_error(reports),
        replacement_s=replacement,
        rps_before=rate_between(history, killed_at - window, killed_at),
        rps_lowest=float(after_kill.min()) if len(after_kill) else 0.0,
        rps_after=rate_between(history, last - window, last),
        replacement_share=replacement_share,
        pairing=pairing,
    )


class TerminateResult(BaseModel):
    """The server SIGTERMed while Locust drove it; each request paired with its log records."""

    served_before_signal: int = Field(description="Predictions the service counted before it.")
    shutdown_s: float = Field(description="Seconds from SIGTERM to the server's exit.")
    exit_code: int = Field(description="The server's exit code (-15: a graceful SIGTERM exit).")
    pairing: Pairing
    min_logged_predictions: int = Field(
        default=MIN_LOGGED_PREDICTIONS,
        description="Answered predictions the run needs before a complete log counts.",
    )

    @property
    def graceful_exit(self) -> bool:
        return self.exit_code in (0, -signal.SIGTERM)

    @property
    def log_complete(self) -> bool:
        """Every answered prediction has its records, over enough predictions to tell."""
        return self.pairing.complete and self.pairing.succeeded >= self.min_logged_predictions

    @property
    def passed(self) -> bool:
        """The server exited gracefully, and no record was lost."""
        return self.graceful_exit and self.log_complete


def prediction_requests(metrics: str) -> int:
    """The prediction requests a /metrics page counts, over every status."""
    return requests_by("route", metrics)[PREDICTION_ROUTE]


def predictions_served(metrics_url: str) -> int:
    """The service's count of prediction requests, over every status."""
    return prediction_requests(scrape(metrics_url) or "")


def wait_for_predictions(metrics_url: str, count: int, timeout: float) -> int:
    """Poll /metrics until the service has served ``count`` predictions; return how many it had."""
    deadline = time.monotonic() + timeout
    served = predictions_served(metrics_url)
    while served < count and time.monotonic() < deadline:
        time.sleep(0.5)
        served = predictions_served(metrics_url)
    return served


def terminate_the_server(settings: FaultSettings) -> TerminateResult:
    """Run Locust against two workers, SIGTERM the server partway, and pair every request."""
    test = settings.load_test(
        "terminate_server", settings.terminate_timeout_s * 2, request_log=True
    )
    with local_service(test) as service:
        locust = start_locust(test, service.url)
        served = wait_for_predictions(
            service.metrics_url, settings.terminate_after_requests, settings.terminate_timeout_s
        )
        signalled = time.monotonic()
        exit_code = service.stop()
        shutdown_s = time.monotonic() - signalled
    locust.send_signal(signal.SIGINT)  # Locust writes its reports on SIGINT, not on SIGTERM
    locust.wait(60)
    pairing = pair(read_request_log(test.request_log), service.log_records())
    return TerminateResult(
        served_before_signal=served, shutdown_s=shutdown_s, exit_code=exit_code, pairing=pairing,
        min_logged_predictions=settings.min_logged_predictions,
    )  # fmt: skip
