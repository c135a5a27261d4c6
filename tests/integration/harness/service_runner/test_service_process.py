"""The service as `make serve` runs it: uvicorn in its own process, JSON logs on stdout."""

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from common.paths import CONFIGURATION_DIR
from insurance_charges_model.artifact import ARTIFACT_NAME
from insurance_charges_model.model import MODEL_PATH_ENV_VAR
from model_service.routes import HEALTH_PATH, METRICS_PATH, PREDICTION_ROUTE
from service_runner.process import ServiceError, ServiceProcess

LOCAL_CONFIG = CONFIGURATION_DIR / "local.yaml"
GRACEFUL_EXIT_CODES = (0, -signal.SIGTERM)  # uvicorn re-raises SIGTERM once it has shut down
CUSTOMER = {
    "age": 30,
    "sex": "male",
    "bmi": 28.5,
    "children": 1,
    "smoker": False,
    "region": "southeast",
}


@pytest.fixture(scope="module")
def service(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    environment = {MODEL_PATH_ENV_VAR: str(model_dir / ARTIFACT_NAME)}
    log_path = tmp_path_factory.mktemp("service") / "service.log"
    process = ServiceProcess(LOCAL_CONFIG, log_path, environment=environment)
    with process:
        yield process


def predictions_logged(service: ServiceProcess, prediction_id: str) -> list[dict]:
    return [
        record for record in service.log_records() if record.get("prediction_id") == prediction_id
    ]


def test_a_prediction_and_its_two_json_records(service: ServiceProcess) -> None:
    response = httpx.post(
        service.url + PREDICTION_ROUTE, json=CUSTOMER, headers={"X-Request-ID": "readme-curl"}
    )
    assert response.status_code == 200
    assert set(response.json()) == {"charges"}
    requested, created = wait_for_records(service, "readme-curl", 2)
    assert requested["message"] == "Prediction requested"
    assert requested["input"] == CUSTOMER
    assert created["message"] == "Prediction created"
    assert created["output"] == response.json()
    assert created["model_version"] == "0.1.0"
    assert created["latency_ms"] > 0


def test_out_of_range_field_is_a_422_naming_it(service: ServiceProcess) -> None:
    response = httpx.post(service.url + PREDICTION_ROUTE, json=CUSTOMER | {"bmi": 80})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "bmi"


def test_sigterm_finishes_cleanly_and_loses_no_record(model_dir: Path, tmp_path: Path) -> None:
    environment = {MODEL_PATH_ENV_VAR: str(model_dir / ARTIFACT_NAME)}
    process = ServiceProcess(LOCAL_CONFIG, tmp_path / "service.log", environment=environment)
    with process, httpx.Client(base_url=process.url) as client:
        ids = [f"burst-{number}" for number in range(300)]
        for prediction_id in ids:
            assert (
                client.post(
                    PREDICTION_ROUTE, json=CUSTOMER, headers={"X-Request-ID": prediction_id}
                ).status_code
                == 200
            )
    assert process.process.returncode in GRACEFUL_EXIT_CODES
    records = process.log_records()
    created = {
        record["prediction_id"] for record in records if record["message"] == "Prediction created"
    }
    assert created >= set(ids)
    assert records[-2]["message"] == "Application shutdown complete."


def test_a_service_that_cannot_start_says_why(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [unclosed\n")
    with pytest.raises(ServiceError, match=r"(?s)exited before it was ready.*not valid YAML"):
        ServiceProcess(broken, tmp_path / "service.log").__enter__()


def wait_for_records(service: ServiceProcess, prediction_id: str, count: int) -> list[dict]:
    """Records are written by a background thread: poll briefly for them."""
    for _ in range(100):
        records = predictions_logged(service, prediction_id)
        if len(records) >= count:
            return records
        httpx.get(service.url + HEALTH_PATH, timeout=2)
    raise AssertionError(json.dumps(service.log_records()[-5:], indent=1))


@pytest.mark.slow
def test_two_workers_share_one_view_of_the_metrics(model_dir: Path, tmp_path: Path) -> None:
    environment = {MODEL_PATH_ENV_VAR: str(model_dir / ARTIFACT_NAME)}
    process = ServiceProcess(
        LOCAL_CONFIG, tmp_path / "service.log", workers=2, environment=environment
    )
    with process:  # a connection per request: both workers serve
        for _ in range(40):
            assert httpx.post(process.url + PREDICTION_ROUTE, json=CUSTOMER).status_code == 200
        scrapes = [httpx.get(process.url + METRICS_PATH).text for _ in range(6)]
    started = [record for record in process.log_records() if record["message"] == "Model loaded"]
    assert len(started) == 2
    line = 'predictions_total{model="insurance_charges_model",status="success"} 40.0'
    assert all(line in scrape for scrape in scrapes)
