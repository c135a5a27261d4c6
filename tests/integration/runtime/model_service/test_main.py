"""``python -m model_service`` with a metrics port: two ports over real HTTP, each answering its
own paths."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from insurance_charges_model.schemas import EXAMPLE_INPUT
from model_service.routes import HEALTH_PATH, METRICS_PATH, PREDICTION_ROUTE
from service_runner.process import ServiceProcess
from service_runner.readiness import free_port
from support.services import stub_models_on_pythonpath, stub_service_file


def served(count: int) -> str:
    """The /metrics line that counts ``count`` predictions answered with 200."""
    return f'http_requests_total{{method="POST",route="{PREDICTION_ROUTE}",status="200"}} {count}.0'


@pytest.fixture
def split_service(tmp_path: Path) -> Iterator[ServiceProcess]:
    """The stub service, its metrics on a free port of their own."""
    config = stub_service_file(tmp_path, metrics_port=free_port())
    with stub_models_on_pythonpath(), ServiceProcess(config, tmp_path / "service.log") as service:
        yield service


def test_the_api_and_the_metrics_answer_on_ports_of_their_own(
    split_service: ServiceProcess,
) -> None:
    api, metrics = split_service.url, split_service.metrics_url
    assert api != metrics
    assert httpx.post(api + PREDICTION_ROUTE, json=EXAMPLE_INPUT).status_code == 200
    assert httpx.get(api + METRICS_PATH).status_code == 404
    assert httpx.get(metrics + HEALTH_PATH).status_code == 404
    assert httpx.post(metrics + PREDICTION_ROUTE, json=EXAMPLE_INPUT).status_code == 404
    scrape = httpx.get(metrics + METRICS_PATH)
    assert scrape.status_code == 200
    assert served(1) in scrape.text


def test_a_port_that_is_the_metrics_port_stops_the_service_with_a_usage_error(
    tmp_path: Path,
) -> None:
    port = free_port()
    config = stub_service_file(tmp_path, metrics_port=port)
    with stub_models_on_pythonpath():
        service = ServiceProcess(config, tmp_path / "service.log", port=port).start()
        assert service.process.wait(30) == 2
    assert f"PORT={port} is the configuration's metrics_port {port} too" in service.log_tail()


@pytest.mark.slow
def test_workers_sharing_their_ports_serve_both(tmp_path: Path) -> None:
    """Two workers, both ports bound with SO_REUSEPORT as the podman pods bind them."""
    config = stub_service_file(tmp_path, metrics_port=free_port())
    log = tmp_path / "service.log"
    environment = {"REUSE_PORT": "true"}
    with (
        stub_models_on_pythonpath(),
        ServiceProcess(config, log, workers=2, environment=environment) as service,
    ):
        for _ in range(10):  # a connection each
            assert httpx.post(service.url + PREDICTION_ROUTE, json=EXAMPLE_INPUT).status_code == 200
        scrapes = [httpx.get(service.metrics_url + METRICS_PATH).text for _ in range(4)]
        assert httpx.get(service.url + METRICS_PATH).status_code == 404
    assert all(served(10) in scrape for scrape in scrapes)  # every worker's counters, added up
