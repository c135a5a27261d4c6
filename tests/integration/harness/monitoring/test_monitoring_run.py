"""End to end: the service under Locust, Prometheus scraping it, the drift monitor on its log."""

import json
import time
from pathlib import Path

import pytest

from common.paths import CONFIGURATION_DIR
from drift_monitor.__main__ import main as drift_main
from insurance_charges_model.artifact import ARTIFACT_NAME
from insurance_charges_model.model import MODEL_PATH_ENV_VAR, InsuranceChargesModel
from load_test.run import LoadTest, run_load_test
from model_service.routes import PREDICTION_ROUTE
from monitoring.prometheus import LocalPrometheus
from monitoring.slis import Selectors, slis_of_run
from service_runner.process import ServiceProcess
from service_runner.readiness import free_port
from system_tools import missing

pytestmark = pytest.mark.slow
USERS = 8


def run_population(
    population: str, model_dir: Path, workdir: Path
) -> tuple[int, dict[str, float], Path]:
    """Locust sends ``population`` for a few seconds while Prometheus scrapes the service:
    Locust's request count, Prometheus's SLIs of the run, and the service's log."""
    port = free_port()
    environment = {MODEL_PATH_ENV_VAR: str(model_dir / ARTIFACT_NAME)}
    log = workdir / "service.log"
    service = ServiceProcess(
        CONFIGURATION_DIR / "local.yaml", log, port=port, environment=environment
    )
    with LocalPrometheus([f"127.0.0.1:{port}"], workdir / "prometheus") as prometheus, service:
        test = LoadTest(
            reports=workdir, host=service.url, users=USERS, spawn_rate=USERS,
            duration="6s", population=population, locust_log=workdir / "locust.log",
        )  # fmt: skip
        result = run_load_test(test)
        time.sleep(2.5)  # the last scrapes
        selectors = Selectors(PREDICTION_ROUTE, InsuranceChargesModel.qualified_name)
        slis = slis_of_run(prometheus, selectors, time.time())
    return result.summary.measurements.requests, slis, log


def drift_verdict(log: Path, model_dir: Path, report: Path) -> int:
    return drift_main(
        ["--logs", str(log), "--baseline", str(model_dir / "baseline.json"),
         "--thresholds", str(CONFIGURATION_DIR / "drift.yaml"), "--report", str(report)]
    )  # fmt: skip


@pytest.fixture(autouse=True)
def needs_prometheus() -> None:
    if missing("prometheus"):
        pytest.skip(missing("prometheus"))


@pytest.mark.parametrize(
    ("population", "exit_code", "drifted"),
    [("training", 0, set()), ("older-in-the-southeast", 1, {"age", "region", "charges"})],
)
def test_prometheus_counts_what_locust_sent_and_the_monitor_names_what_moved(
    population: str,
    exit_code: int,
    drifted: set[str],
    model_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sent, slis, log = run_population(population, model_dir, tmp_path)
    assert sent > 1_000
    assert sent - USERS <= slis["requests"] <= sent + USERS  # in flight when Locust stopped
    assert slis["errors"] == 0
    assert 0 < slis["p50 ms"] <= slis["p99 ms"]
    assert drift_verdict(log, model_dir, tmp_path / "report.json") == exit_code
    report = json.loads((tmp_path / "report.json").read_text())
    assert set(report["drifted"]) == drifted
    assert f"verdict: {report['verdict']}" in capsys.readouterr().out
