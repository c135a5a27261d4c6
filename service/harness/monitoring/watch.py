"""Step 6's runs: the local service under Locust's load, watched by a local Prometheus.

    runs = watched_runs({"training mix": "training", "shifted": "shifted"}, load, rule_files)

Each run starts the service as ``make serve`` does, on the same port, so that one Prometheus
scrapes every run. Without Prometheus the runs still take place, since the drift monitor reads
their prediction logs; only what Prometheus would have seen is missing, and each view of it
(``sli_views``) says why instead.
"""

import contextlib
import dataclasses
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from insurance_charges_model.model import InsuranceChargesModel
from load_test.defaults import DEFAULTS
from load_test.run import LoadTest, LoadTestResult, run_load_test
from model_service.routes import PREDICTION_ROUTE
from monitoring.charts import side_by_side, sli_chart
from monitoring.prometheus import LocalPrometheus
from monitoring.slis import Selectors, slis_of_run, slis_over_time
from notebook_support.figures import save_figure
from service_levels.objectives import ServiceLevelObjectives
from service_runner.process import ServiceProcess
from service_runner.readiness import free_port
from system_tools import Skipped, missing

RECORDED_RULES = ("slo:errors:ratio_rate5m", "slo:latency_p99:ratio_rate5m")
SETTLE_S = 3  # two more scrapes after a run, so its last requests reach Prometheus
PROMETHEUS_VIEWS = "what Prometheus sees of the runs (the SLIs, the rules' values, the alerts)"


@dataclass(frozen=True)
class PrometheusView:
    """What Prometheus saw of one run."""

    over_time: pd.DataFrame  # the SLIs over the run
    whole: dict[str, float]  # requests, errors and quantiles over the whole run
    alerts: list[dict]  # pending or firing at the end
    recorded: dict[str, float]  # the recording rules' values at the end


@dataclass(frozen=True)
class WatchedRun:
    """One load test: Locust's result, the service's log, and Prometheus's view (None without
    Prometheus)."""

    result: LoadTestResult
    log: Path
    seen: PrometheusView | None


@contextlib.contextmanager
def prometheus_if_installed(
    target: str, workdir: Path, rule_files: list[Path]
) -> Iterator[LocalPrometheus | None]:
    """A local Prometheus scraping ``target``; None, and a line saying why, when it is missing."""
    if unwatched():
        print(unwatched())
        yield None
        return
    with LocalPrometheus([target], workdir, rule_files) as prometheus:
        yield prometheus


def unwatched() -> Skipped | None:
    """Why Prometheus cannot watch the runs here; None when it can."""
    problem = missing("prometheus")
    return Skipped(PROMETHEUS_VIEWS, problem) if problem else None


def watched_runs(
    populations: dict[str, str], load: LoadTest, rule_files: list[Path], workers: int
) -> dict[str, WatchedRun]:
    """One run per population (name: population), each loading a fresh local service with
    ``load``'s users and duration; its reports go under ``load.reports / population``."""
    port = free_port()
    workdir = load.reports / "prometheus"
    with prometheus_if_installed(f"127.0.0.1:{port}", workdir, rule_files) as prometheus:
        return {
            name: watched_run(prometheus, load, population, port, workers)
            for name, population in populations.items()
        }


def watched_run(
    prometheus: LocalPrometheus | None, load: LoadTest, population: str, port: int, workers: int
) -> WatchedRun:
    folder = load.reports / population
    log = folder / "service.log"
    with ServiceProcess(DEFAULTS.service_config, log, port=port, workers=workers) as service:
        test = dataclasses.replace(
            load,
            reports=folder,
            host=service.url,
            population=population,
            locust_log=folder / "locust.log",
        )
        started = time.time()
        result = run_load_test(test)
        seen = prometheus and prometheus_view(prometheus, started)
    return WatchedRun(result, log, seen)


def prometheus_view(prometheus: LocalPrometheus, started: float) -> PrometheusView:
    """What Prometheus saw from ``started`` until a few scrapes after now."""
    time.sleep(SETTLE_S)
    ended = time.time()
    selectors = Selectors(PREDICTION_ROUTE, InsuranceChargesModel.qualified_name)
    return PrometheusView(
        over_time=slis_over_time(prometheus, selectors, started, ended),
        whole=slis_of_run(prometheus, selectors, ended),
        alerts=prometheus.alerts(),
        recorded={rule: prometheus.scalar(rule, at=ended) for rule in RECORDED_RULES},
    )


def run_line(name: str, run: WatchedRun) -> str:
    """One line on a run: what Locust measured, and whether it met the SLOs."""
    measured, passed = run.result.summary.measurements, run.result.summary.passed
    return (
        f"{name}: {measured.requests:,} requests, {measured.rps:,.0f} req/s, "
        f"{measured.failures} failures, p99 {measured.p99_ms:.0f} ms; SLOs "
        f"{'met' if passed else 'missed'}"
    )


def shown_ratio(value: float) -> str:
    """A ratio as a share; NaN when no 5xx series exists yet (none failed since the start)."""
    return "no 5xx yet" if value != value else f"{value:.3%}"


def sli_chart_file(
    runs: dict[str, WatchedRun], objectives: ServiceLevelObjectives, path: Path
) -> Path | Skipped:
    """The SLIs of every run over time, saved at ``path``."""
    if not all(run.seen for run in runs.values()):
        return unwatched()
    frames = {name: run.seen.over_time for name, run in runs.items()}
    return save_figure(sli_chart(frames, objectives), path)


def locust_against_prometheus(run: WatchedRun) -> pd.DataFrame | Skipped:
    """A run counted from both ends: Locust's figures beside Prometheus's."""
    if run.seen is None:
        return unwatched()
    measured = run.result.summary.measurements
    locust = {
        "requests": measured.requests,
        "errors": measured.failures,
        "p50 ms": measured.p50_ms,
        "p99 ms": measured.p99_ms,
    }
    return side_by_side(locust, run.seen.whole)


def rules_at_the_end(runs: dict[str, WatchedRun]) -> pd.DataFrame | Skipped:
    """The recording rules' values at the end of each run, and the alerts pending or firing."""
    if not all(run.seen for run in runs.values()):
        return unwatched()
    return pd.DataFrame(
        {
            name: {
                **{rule: shown_ratio(value) for rule, value in run.seen.recorded.items()},
                "alerts pending or firing": len(run.seen.alerts),
            }
            for name, run in runs.items()
        }
    )


def uncounted(runs: dict[str, WatchedRun], in_flight: int) -> dict[str, tuple[int, float]]:
    """Runs in which Prometheus counted fewer requests than Locust, less the ``in_flight`` ones
    still unanswered when Locust stopped: each with both counts."""
    return {
        name: (run.result.summary.measurements.requests, run.seen.whole["requests"])
        for name, run in runs.items()
        if run.seen
        and run.seen.whole["requests"] < run.result.summary.measurements.requests - in_flight
    }


def firing(runs: dict[str, WatchedRun]) -> list[dict]:
    """The alerts firing at the end of any run Prometheus watched."""
    return [
        alert
        for run in runs.values()
        if run.seen
        for alert in run.seen.alerts
        if alert["state"] == "firing"
    ]
