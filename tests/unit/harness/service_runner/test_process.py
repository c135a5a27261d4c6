"""Where a service started as a child process answers, read from its configuration file."""

from pathlib import Path

from common.paths import CONFIGURATION_DIR
from service_runner.process import ServiceProcess
from support.services import stub_service_file


def test_without_a_metrics_port_the_metrics_are_on_the_api_s_url(tmp_path: Path) -> None:
    service = ServiceProcess(CONFIGURATION_DIR / "local.yaml", tmp_path / "log", port=18080)
    assert service.metrics_url == service.url == "http://127.0.0.1:18080"


def test_with_a_metrics_port_the_metrics_are_on_it(tmp_path: Path) -> None:
    config = stub_service_file(tmp_path, metrics_port=19100)
    service = ServiceProcess(config, tmp_path / "log", port=18080)
    assert service.metrics_url == "http://127.0.0.1:19100"
