"""configuration/alertmanager/alertmanager.yml: its schema, amtool's check, its local copy."""

import subprocess
from pathlib import Path

import pytest
import yaml

from common.yaml_files import ConfigurationError
from monitoring.alertmanager import AlertmanagerError, checked_config
from monitoring.alertmanager_config import (
    ALERTMANAGER_FILE,
    for_local_run,
    load_alertmanager_config,
)
from monitoring.availability import AVAILABILITY_ALERTS
from monitoring.burn_rates import BURN_RATE_ALERTS, DEMONSTRATION, PRODUCTION
from system_tools import Skipped, missing


def copy_with(tmp_path: Path, old: str, new: str) -> Path:
    text = ALERTMANAGER_FILE.read_text()
    assert old in text
    path = tmp_path / "alertmanager.yml"
    path.write_text(text.replace(old, new))
    return path


def test_the_committed_file_fits_its_schema_and_routes_to_receivers_it_defines() -> None:
    config = load_alertmanager_config()
    assert config.unknown_receivers() == []
    assert {receiver.name for receiver in config.receivers} == {"page", "ticket"}


def test_every_severity_the_rules_give_has_its_own_route() -> None:
    severities = {row.severity for row in BURN_RATE_ALERTS} | {
        alert.severity for alert in AVAILABILITY_ALERTS
    }
    routed = {
        matcher: route.receiver
        for route in load_alertmanager_config().route.routes
        for matcher in route.matchers
    }
    assert {routed[f'severity="{severity}"'] for severity in severities} == severities


def test_a_misspelt_key_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="group_wiat"):
        load_alertmanager_config(copy_with(tmp_path, "group_wait:", "group_wiat:"))


def test_a_webhook_without_a_url_is_refused(tmp_path: Path) -> None:
    path = copy_with(tmp_path, "url: http://alert-receiver:9095/page", "url: alert-receiver")
    with pytest.raises(ConfigurationError, match="not a URL"):
        load_alertmanager_config(path)


def test_a_route_to_an_undefined_receiver_is_found(tmp_path: Path) -> None:
    path = copy_with(tmp_path, "  - receiver: page\n", "  - receiver: pager\n")
    assert load_alertmanager_config(path).unknown_receivers() == ["pager"]


def test_a_local_run_sends_each_receiver_to_the_recorder_and_waits_a_60th() -> None:
    local = for_local_run(load_alertmanager_config(), "http://127.0.0.1:5000", DEMONSTRATION)
    urls = {r.name: [w.url for w in r.webhook_configs] for r in local.receivers}
    assert urls == {
        "page": ["http://127.0.0.1:5000/page"],
        "ticket": ["http://127.0.0.1:5000/ticket"],
    }
    route = local.route
    assert (route.group_wait, route.group_interval, route.repeat_interval) == ("1s", "5s", "4m")
    unchanged = for_local_run(load_alertmanager_config(), "http://x", PRODUCTION).route
    assert unchanged.group_wait == "30s"


def amtool_check(path: Path) -> subprocess.CompletedProcess[str]:
    if missing("amtool"):
        pytest.skip(missing("amtool"))
    return subprocess.run(
        ["amtool", "check-config", str(path)], capture_output=True, text=True, check=False
    )


def test_amtool_accepts_the_committed_file() -> None:
    done = amtool_check(ALERTMANAGER_FILE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout
    assert "2 receivers" in done.stdout


def test_amtool_refuses_a_route_to_a_receiver_that_does_not_exist(tmp_path: Path) -> None:
    done = amtool_check(copy_with(tmp_path, "  - receiver: page\n", "  - receiver: pager\n"))
    assert done.returncode != 0
    assert 'undefined receiver "pager"' in done.stdout + done.stderr


def test_checked_config_reports_amtool_s_words(tmp_path: Path) -> None:
    if missing("amtool"):
        assert isinstance(checked_config(), Skipped)
        return
    assert "SUCCESS" in checked_config()
    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump({"route": {"receiver": "nobody"}, "receivers": []}))
    with pytest.raises(AlertmanagerError, match=r"amtool check-config .* failed"):
        checked_config(broken)


def test_without_amtool_the_check_is_skipped_naming_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("shutil.which", lambda *_, **__: None)
    skipped = checked_config()
    assert isinstance(skipped, Skipped)
    assert "prometheus-alertmanager" in skipped.why
