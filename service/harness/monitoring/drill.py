"""Notebook 06's alert drill: two faults, and how long each takes to reach someone.

    drill = run_drill(DrillSettings(workdir, load, workers=2))
    timeline_table(drill)

The local service runs under Locust's load, scraped by a local Prometheus that evaluates the
demonstration rules (the production rules with every window and wait divided by 60) and sends
its alerts to a local Alertmanager, which routes them as configuration/alertmanager/ says, to a
webhook recorder standing in for a pager. Three phases:

1. healthy: the service under load; nothing may page;
2. the service stopped: ``PredictionServiceDown`` must reach the recorder;
3. a release that fails a share of its predictions (``monitoring.faults.FailingShare``) under
   load: the fast burn-rate page must reach it.

For each fault, the timeline: the fault at t0 (the service stopped; the bad release's first
failed prediction, by its log), the alert pending and firing (from Prometheus's ``ALERTS``
series), and the notification received by the recorder.
"""

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import yaml

from common.paths import CONFIGURATION_DIR
from load_test.defaults import DEFAULTS
from load_test.run import LoadTest, LoadTestResult, run_load_test
from monitoring import rules
from monitoring.alert_receiver import AlertRecorder, Notification
from monitoring.alertmanager import LocalAlertmanager
from monitoring.alertmanager_config import for_local_run, load_alertmanager_config
from monitoring.availability import SERVICE_DOWN
from monitoring.burn_rates import BURN_RATE_ALERTS, DEMONSTRATION
from monitoring.faults import InjectedFaultError
from monitoring.prometheus import LocalPrometheus
from service_runner.process import ServiceProcess
from service_runner.readiness import free_port
from system_tools import Skipped, missing

DEMONSTRATION_RULES = rules.RULES_DIR / rules.DEMONSTRATION_RULES
FAST_BURN_PAGE = f"PredictionErrorsBudgetBurn{BURN_RATE_ALERTS[0].long_window}"
FAULT_DECORATOR = "monitoring.faults.FailingShare"
SETTLE_S = 2  # after the healthy load: the last evaluations, and a group's wait
STEP = "250ms"  # the resolution of the pending and firing times read back from Prometheus
DRILL = "the alert drill (Prometheus, Alertmanager and a webhook receiver)"


class DrillError(RuntimeError):
    """The drill could not run as planned: Prometheus never saw a healthy service, or the bad
    release failed nothing."""


@dataclass(frozen=True)
class DrillSettings:
    workdir: Path
    load: LoadTest  # users and spawn rate; its duration is each loaded phase's
    workers: int
    failing_share: float = 0.1  # of the predictions, in the error burst
    timeout_s: float = 60  # how long a fault may take to reach the recorder


@dataclass(frozen=True)
class Timeline:
    """One fault: when it began, and when its alert was pending, firing and received (Unix
    times; None when it never was within the timeout)."""

    fault: str
    alert: str
    severity: str
    started: float
    pending: float | None
    firing: float | None
    received: float | None


@dataclass(frozen=True)
class Drill:
    healthy: LoadTestResult
    healthy_alerts: list[str]  # the alerts pending or firing at any time of the healthy phase
    healthy_notifications: list[Notification]  # what reached the recorder then
    burst: LoadTestResult
    timelines: list[Timeline]
    notifications: list[Notification]  # everything the recorder received


def unrunnable() -> Skipped | None:
    """Why the drill cannot run here; None when it can."""
    for tool in ("prometheus", "prometheus-alertmanager"):
        if missing(tool):
            return Skipped(DRILL, missing(tool))
    return None


def faulty_config(workdir: Path, share: float) -> Path:
    """The local service's file with FailingShare among its decorators, inside the logging."""
    config = yaml.safe_load(DEFAULTS.service_config.read_text())
    decorators = config["models"][0]["decorators"]
    fault = {"class_path": FAULT_DECORATOR, "kwargs": {"share": share}}
    decorators.insert(len(decorators) - 1, fault)
    config["logging"] = str(CONFIGURATION_DIR / config["logging"])
    path = workdir / "failing.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


@contextlib.contextmanager
def watchers(settings: DrillSettings, port: int) -> Iterator["Watchers"]:
    """The recorder, Alertmanager routing to it, and Prometheus scraping ``port``."""
    config = load_alertmanager_config()
    with contextlib.ExitStack() as stack:
        recorder = stack.enter_context(AlertRecorder())
        local = for_local_run(config, recorder.url, DEMONSTRATION)
        alertmanager = stack.enter_context(LocalAlertmanager(local, settings.workdir / "am"))
        prometheus = stack.enter_context(
            LocalPrometheus(
                [f"127.0.0.1:{port}"], settings.workdir / "prometheus", [DEMONSTRATION_RULES],
                alertmanagers=[alertmanager.address],
            )
        )  # fmt: skip
        yield Watchers(recorder, prometheus, settings.timeout_s)


def loaded(settings: DrillSettings, service: ServiceProcess, phase: str) -> LoadTestResult:
    folder = settings.workdir / phase
    test = dataclasses.replace(
        settings.load, reports=folder, host=service.url, locust_log=folder / "locust.log"
    )
    return run_load_test(test)


def first_time(prometheus: LocalPrometheus, alert: str, state: str, start: float) -> float | None:
    """When Prometheus first had ``alert`` in ``state`` after ``start``."""
    series = prometheus.query_range(
        f'ALERTS{{alertname="{alert}",alertstate="{state}"}}', start, time.time(), STEP
    )
    return float(series.index[0]) if len(series) else None


def alerts_between(prometheus: LocalPrometheus, start: float, end: float) -> list[str]:
    """The alerts pending or firing at any evaluation between ``start`` and ``end``."""
    window = {"query": "ALERTS", "start": start, "end": end, "step": STEP}
    data = prometheus.api("query_range", window)
    return sorted({item["metric"]["alertname"] for item in data["result"]})


@dataclass(frozen=True)
class Watchers:
    recorder: AlertRecorder
    prometheus: LocalPrometheus
    timeout_s: float

    def timeline(self, fault: str, alert: str, severity: str, started: float) -> Timeline:
        """Wait for ``alert`` to reach the recorder, then read when it was pending and firing."""
        notification = self.recorder.wait_for(alert, self.timeout_s)
        return Timeline(
            fault, alert, severity, started,
            pending=first_time(self.prometheus, alert, "pending", started),
            firing=first_time(self.prometheus, alert, "firing", started),
            received=notification.received_at if notification else None,
        )  # fmt: skip


def settled(prometheus: LocalPrometheus, timeout: float) -> None:
    """Wait until Prometheus has scraped its targets and no alert is pending any more (the
    first evaluations may run before the first scrape, when ``up`` is still absent)."""
    deadline = time.monotonic() + timeout
    while prometheus.targets_up() < len(prometheus.targets) or prometheus.query("ALERTS"):
        if time.monotonic() > deadline:
            raise DrillError(
                f"Prometheus did not settle within {timeout:g} s: {prometheus.alerts()}"
            )
        time.sleep(0.2)


def healthy_phase(
    settings: DrillSettings, service: ServiceProcess, watching: Watchers
) -> tuple[LoadTestResult, list[str], list[Notification]]:
    """The service under load: what Prometheus had pending or firing, what reached the
    recorder."""
    settled(watching.prometheus, settings.timeout_s)
    start = time.time()
    healthy = loaded(settings, service, "healthy")
    time.sleep(SETTLE_S)
    alerts = alerts_between(watching.prometheus, start, time.time())
    return healthy, alerts, watching.recorder.received()


def stopped_phase(service: ServiceProcess, watching: Watchers) -> Timeline:
    stopped = time.time()
    service.stop()
    return watching.timeline(
        "the service stopped", SERVICE_DOWN.alert, SERVICE_DOWN.severity, stopped
    )


def first_failure(service: ServiceProcess) -> float:
    """When the service first failed a prediction, by its log (Unix time)."""
    for record in service.log_records():
        if record.get("error_type") == InjectedFaultError.__name__:
            return datetime.fromisoformat(record["timestamp"]).timestamp()
    raise DrillError(f"the bad release failed no prediction:\n{service.log_tail()}")


def burst_phase(
    settings: DrillSettings, port: int, watching: Watchers
) -> tuple[LoadTestResult, Timeline]:
    """A release that fails a share of its predictions, under load, from its first failure."""
    failing = faulty_config(settings.workdir, settings.failing_share)
    logs = settings.workdir / "service" / "failing.log"
    with ServiceProcess(failing, logs, port, settings.workers) as broken:
        burst = loaded(settings, broken, "burst")
        fault = f"{settings.failing_share:.0%} of the predictions fail"
        return burst, watching.timeline(
            fault, FAST_BURN_PAGE, BURN_RATE_ALERTS[0].severity, first_failure(broken)
        )


def run_drill(settings: DrillSettings) -> Drill:
    """The three phases; see the module's description."""
    port = free_port()
    logs = settings.workdir / "service" / "healthy.log"
    # The service is ready before Prometheus starts, so that no scrape finds it down.
    with (
        ServiceProcess(DEFAULTS.service_config, logs, port, settings.workers) as service,
        watchers(settings, port) as watching,
    ):
        healthy, quiet_alerts, quiet_notifications = healthy_phase(settings, service, watching)
        down = stopped_phase(service, watching)
        burst, burn = burst_phase(settings, port, watching)
        received = watching.recorder.received()
    return Drill(healthy, quiet_alerts, quiet_notifications, burst, [down, burn], received)


def after(moment: float | None, start: float) -> str:
    return "never" if moment is None else f"+{moment - start:.1f} s"


def seconds_after(moment: float | None, start: float) -> float | None:
    return None if moment is None else round(moment - start, 1)


def timeline_table(drill: Drill | Skipped) -> pd.DataFrame | Skipped:
    """One row a fault: the alert, and the seconds from the fault until its condition was met
    (Prometheus's pending), it fired, and its notification reached the recorder (None: never);
    the Skipped that stood in for a drill that could not run."""
    if isinstance(drill, Skipped):
        return drill
    return pd.DataFrame(
        [
            {
                "fault": line.fault,
                "alert": line.alert,
                "condition met (s)": seconds_after(line.pending, line.started),
                "fired (s)": seconds_after(line.firing, line.started),
                "at the pager (s)": seconds_after(line.received, line.started),
            }
            for line in drill.timelines
        ]
    )


def notification_table(drill: Drill | Skipped) -> pd.DataFrame | Skipped:
    """What the recorder received: when, on which receiver, which alerts in which state; the
    Skipped that stood in for a drill that could not run."""
    if isinstance(drill, Skipped):
        return drill
    start = drill.timelines[0].started
    return pd.DataFrame(
        [
            {
                "received (from the first t0)": after(note.received_at, start),
                "receiver": note.path.strip("/"),
                "status": note.status,
                "alerts": ", ".join(sorted(note.names(note.status))),
            }
            for note in drill.notifications
        ]
    ).set_index("received (from the first t0)")
