"""A pod's container killed under load, in the shape that ships: the pods podman plays.

The container's main process gets SIGKILL from outside, as the kernel's OOM killer would send
it. (``podman kill`` counts as an operator's stop, after which podman restarts nothing.) The
restart policy the manifest gives the pod (a Deployment's pods restart ``Always``) starts the
container again; the other replica keeps serving meanwhile. We measure the errors the clients
saw, per 10,000 requests, and the seconds from the kill until the restarted container has
loaded its model, read from its own log record; every request is paired with its records.
"""

import os
import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, Field

from kubernetes_deployment.podman import PodContainer, container_records, pod_containers
from load_test.charts import read_history
from load_test.request_log import read_request_log
from load_test.run import HISTORY_CSV, LoadTest
from load_test.summary import SUMMARY_NAME, read_summary
from ml_model_logging.decorator import CREATED
from model_service.loading import MODEL_LOADED
from reliability.faults import MAX_ERRORS_PER_10K, failures_by_error, rate_between, start_locust
from reliability.pairing import Pairing, pair

POLL_SECONDS = 0.2
BEFORE_KILL_S = 3  # the window before the kill in which each pod's own rate is read


class PodKillResult(BaseModel):
    """One pod's container SIGKILLed in the middle of a Locust run against the pods."""

    pod: str = Field(description="The pod whose container was killed.")
    pods: int = Field(description="The replicas serving.")
    killed_at: float = Field(description="When the container was killed, as a Unix time.")
    requests: int = Field(description="Requests Locust made.")
    failures: int = Field(description="Requests that failed.")
    errors_per_10k: float = Field(description="Failures per 10,000 requests.")
    failures_by_error: dict[str, int] = Field(description="Failures by error, as Locust saw them.")
    restarts: int = Field(description="How often podman restarted the container during the run.")
    ready_again_s: float | None = Field(
        description="Seconds from the kill to the restarted container's 'Model loaded' record "
        "(its readiness); None: it never came back during the run."
    )
    rps_before: float = Field(description="Median requests per second before the kill.")
    rps_lowest: float = Field(description="The lowest rate Locust charted after the kill.")
    rps_after: float = Field(description="Median requests per second at the end of the run.")
    pairing: Pairing = Field(description="Each request paired with the pods' log records.")

    @property
    def passed(self) -> bool:
        """Within the error budget, and the pod came back."""
        return self.errors_per_10k <= MAX_ERRORS_PER_10K and self.ready_again_s is not None


def record_time(record: dict) -> datetime:
    return datetime.fromisoformat(record["timestamp"])


def loaded_since(container: str, moment: datetime) -> datetime | None:
    """When the container logged its model loaded after ``moment``; None if it has not."""
    times = [
        record_time(record)
        for record in container_records(container)
        if record.get("message") == MODEL_LOADED and record_time(record) > moment
    ]
    return min(times, default=None)


def wait_until_loaded(victim: PodContainer, killed_at: datetime, timeout: float) -> float | None:
    """Seconds from ``killed_at`` to the restarted container's model loaded; None on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        loaded = loaded_since(victim.name, killed_at)
        if loaded is not None:
            return (loaded - killed_at).total_seconds()
        time.sleep(POLL_SECONDS)
    return None


def restarts_of(pod: str) -> int:
    """How often podman has restarted the pod's container; RuntimeError if the pod is gone."""
    found = [container.restarts for container in pod_containers() if container.pod == pod]
    if not found:
        raise RuntimeError(f"{pod} is gone after the run: nothing restarted it")
    return found[0]


def kill_a_pod(
    url: str, reports: Path, users: int = 16, run_s: int = 40, kill_after_s: float = 12
) -> PodKillResult:
    """Run Locust against the pods at ``url``, SIGKILL one pod's container partway, measure."""
    test = LoadTest(
        reports=reports, host=url, users=users, spawn_rate=users, duration=f"{run_s}s",
        locust_log=reports / "locust.log", request_log=reports / "requests.csv", stop_timeout_s=5,
    )  # fmt: skip
    containers = pod_containers()
    victim = containers[0]
    started = datetime.now(UTC)
    locust = start_locust(test, url)
    time.sleep(kill_after_s)
    killed_at, killed_at_unix = datetime.now(UTC), time.time()
    os.kill(victim.pid, signal.SIGKILL)
    ready_again = wait_until_loaded(victim, killed_at, run_s)
    locust.wait(run_s + 60)
    records = [r for c in pod_containers() for r in container_records(c.name, started.isoformat())]
    return pod_kill_result(
        test.reports, victim, len(containers), killed_at_unix, ready_again,
        pair(read_request_log(test.request_log), records),
    )  # fmt: skip


def pod_kill_result(
    reports: Path,
    victim: PodContainer,
    pods: int,
    killed_at: float,
    ready_again: float | None,
    pairing: Pairing,
    window: float = 5,
) -> PodKillResult:
    """The figures of a pod-kill run, from Locust's summary, history and failures."""
    measurements = read_summary(reports / SUMMARY_NAME).measurements
    history = read_history(reports / HISTORY_CSV)
    last = float(history["Timestamp"].iloc[-1]) - 1
    after_kill = history[history["Timestamp"] > killed_at]["requests_per_s"].dropna()
    return PodKillResult(
        pod=victim.pod,
        pods=pods,
        killed_at=killed_at,
        requests=measurements.requests,
        failures=measurements.failures,
        errors_per_10k=measurements.errors_per_10k,
        failures_by_error=failures_by_error(reports),
        restarts=restarts_of(victim.pod) - victim.restarts,
        ready_again_s=ready_again,
        rps_before=rate_between(history, killed_at - window, killed_at),
        rps_lowest=float(after_kill.min()) if len(after_kill) else 0.0,
        rps_after=rate_between(history, last - window, last),
        pairing=pairing,
    )


def report_lines(result: PodKillResult) -> list[str]:
    """The run, as the notebook and the command line print it."""
    ready = f"{result.ready_again_s:.1f} s" if result.ready_again_s is not None else "never"
    pairing = result.pairing
    return [
        f"killed {result.pod}'s container (1 of {result.pods} pods) with SIGKILL under load",
        f"  {result.requests:,} requests, {result.failures} failed: "
        f"{result.errors_per_10k:.1f} per 10,000 (budget {MAX_ERRORS_PER_10K})",
        f"  failures: {result.failures_by_error or 'none'}",
        f"  podman restarted it {result.restarts} time(s); it was ready again after {ready}",
        f"  throughput: {result.rps_before:,.0f} req/s before, {result.rps_lowest:,.0f} at the "
        f"lowest, {result.rps_after:,.0f} at the end",
        f"  records: {pairing.succeeded:,} answered predictions, "
        f"{pairing.succeeded_without_record} without their record (lost with the killed "
        f"container's log queue), {pairing.duplicate_records} duplicates",
        f"  {'passed' if result.passed else 'FAILED'}",
    ]


def served_per_second(records: list[dict], start: datetime, end: datetime) -> float:
    """Predictions a second that ``records`` (one pod's) show made from ``start`` to ``end``."""
    made = [
        record
        for record in records
        if record.get("message") == CREATED and start <= record_time(record) < end
    ]
    return len(made) / (end - start).total_seconds()


class ServedRates(BaseModel):
    """What each pod served before the kill, beside what the survivors served while it was down."""

    per_pod_before: float = Field(description="Predictions a second per pod, just before the kill.")
    survivors_while_down: float = Field(
        description="Predictions a second the surviving pods served from the kill to readiness."
    )
    down_s: float = Field(description="Seconds from the kill to the restarted pod's readiness.")


def served_rates(
    result: PodKillResult, records_by_pod: dict[str, list[dict]]
) -> ServedRates | None:
    """From each pod's log records; None when the killed pod never came back."""
    if result.ready_again_s is None:
        return None
    killed = datetime.fromtimestamp(result.killed_at, UTC)
    ready = killed + timedelta(seconds=result.ready_again_s)
    before = killed - timedelta(seconds=BEFORE_KILL_S)
    rates_before = [
        served_per_second(records, before, killed) for records in records_by_pod.values()
    ]
    survivors = [records for pod, records in records_by_pod.items() if pod != result.pod]
    return ServedRates(
        per_pod_before=sum(rates_before) / len(rates_before),
        survivors_while_down=sum(
            served_per_second(records, killed, ready) for records in survivors
        ),
        down_s=result.ready_again_s,
    )


def summary_rows(result: PodKillResult) -> list[dict[str, str]]:
    """The run's figures, a row each, for a notebook's table."""
    ready = f"{result.ready_again_s:.1f} s" if result.ready_again_s is not None else "never"
    pairing = result.pairing
    figures = {
        "requests": f"{result.requests:,}",
        "failed": f"{result.failures:,}: {result.errors_per_10k:.1f} per 10,000 "
        f"(budget {MAX_ERRORS_PER_10K})",
        "restarts by podman": f"{result.restarts}",
        "ready again after the kill": ready,
        "throughput before, at the lowest, at the end (req/s)": f"{result.rps_before:,.0f}, "
        f"{result.rps_lowest:,.0f}, {result.rps_after:,.0f}",
        "answered predictions without their record": f"{pairing.succeeded_without_record:,} of "
        f"{pairing.succeeded:,}",
        "verdict": "pass" if result.passed else "FAIL",
    }
    return [{"measure": measure, "value": value} for measure, value in figures.items()]
