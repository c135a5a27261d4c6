"""The local Alertmanager: it starts with a configuration, answers, stops; a configuration it
refuses, or a missing binary, is an AlertmanagerError that says why."""

from pathlib import Path

import httpx
import pytest

from monitoring.alertmanager import AlertmanagerError, LocalAlertmanager
from monitoring.alertmanager_config import AlertmanagerConfig, load_alertmanager_config
from system_tools import missing


@pytest.fixture
def installed() -> None:
    if missing("prometheus-alertmanager"):
        pytest.skip(missing("prometheus-alertmanager"))


@pytest.mark.usefixtures("installed")
def test_it_serves_the_configuration_it_was_given(tmp_path: Path) -> None:
    config = load_alertmanager_config()
    with LocalAlertmanager(config, tmp_path) as alertmanager:
        status = httpx.get(f"{alertmanager.url}/api/v2/status", timeout=5).json()
        assert "receiver: page" in status["config"]["original"]
    assert alertmanager.process.poll() is not None  # stopped


@pytest.mark.usefixtures("installed")
def test_a_configuration_it_refuses_is_an_error_with_its_log(tmp_path: Path) -> None:
    unrouted = AlertmanagerConfig.model_validate(
        {"route": {"receiver": "nobody"}, "receivers": [
            {"name": "page", "webhook_configs": [{"url": "http://127.0.0.1:9/page"}]}]}
    )  # fmt: skip
    with pytest.raises(AlertmanagerError, match="exited at start") as raised:
        LocalAlertmanager(unrouted, tmp_path).start()
    assert 'undefined receiver \\"nobody\\" used in route' in str(raised.value)


def test_without_the_binary_it_names_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda *_, **__: None)
    with pytest.raises(AlertmanagerError, match="apt-get install prometheus-alertmanager"):
        LocalAlertmanager(load_alertmanager_config(), tmp_path).start()
