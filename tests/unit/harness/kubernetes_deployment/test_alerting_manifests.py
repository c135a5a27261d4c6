"""The cluster's alerting: Prometheus sends to Alertmanager, which routes by the committed file
to the receiver that logs what it gets; the receiver's script logs each notification."""

import importlib.util
import json
from types import ModuleType
from typing import Any

import pytest
import yaml

from kubernetes_deployment.manifests import KUBERNETES_DIR, OVERLAYS_DIR, documents, render
from monitoring.alertmanager_config import ALERTMANAGER_FILE, AlertmanagerConfig
from support.kubernetes_objects import one

RECEIVER_SCRIPT = KUBERNETES_DIR / "components" / "monitoring" / "alert-receiver.py"


@pytest.fixture(scope="module")
def monitoring() -> list[dict[str, Any]]:
    return documents(render(OVERLAYS_DIR / "minikube-monitoring"))


def service_port(objects: list[dict[str, Any]], name: str) -> int:
    [port] = one(objects, "Service", name)["spec"]["ports"]
    return port["port"]


def test_prometheus_sends_its_alerts_to_the_alertmanager_service(
    monitoring: list[dict[str, Any]],
) -> None:
    text = one(monitoring, "ConfigMap", "prometheus-config")["data"]["prometheus.yml"]
    [alertmanagers] = yaml.safe_load(text)["alerting"]["alertmanagers"]
    port = service_port(monitoring, "alertmanager")
    assert alertmanagers["static_configs"] == [{"targets": [f"alertmanager:{port}"]}]


def test_alertmanager_runs_the_committed_configuration(monitoring: list[dict[str, Any]]) -> None:
    data = one(monitoring, "ConfigMap", "alertmanager-config")["data"]
    assert data["alertmanager.yml"] == ALERTMANAGER_FILE.read_text()
    pod = one(monitoring, "Deployment", "alertmanager")["spec"]["template"]["spec"]
    [container] = pod["containers"]
    [mount] = [m for m in container["volumeMounts"] if m["name"] == "config"]
    assert f"--config.file={mount['mountPath']}/alertmanager.yml" in container["args"]
    [volume] = [v for v in pod["volumes"] if v["name"] == "config"]
    assert volume["configMap"]["name"].startswith("alertmanager-config-")  # the hashed name


def test_every_webhook_reaches_the_receiver_service(monitoring: list[dict[str, Any]]) -> None:
    config = AlertmanagerConfig.model_validate(yaml.safe_load(ALERTMANAGER_FILE.read_text()))
    port = service_port(monitoring, "alert-receiver")
    for receiver in config.receivers:
        for webhook in receiver.webhook_configs:
            assert webhook.url == f"http://alert-receiver:{port}/{receiver.name}"


def receiver_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("alert_receiver_script", RECEIVER_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_receiver_listens_where_its_service_points(monitoring: list[dict[str, Any]]) -> None:
    [port] = one(monitoring, "Service", "alert-receiver")["spec"]["ports"]
    assert port["port"] == receiver_script().PORT
    pod = one(monitoring, "Deployment", "alert-receiver")["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["ports"][0]["containerPort"] == port["port"]
    assert container["command"][-1] == f"/receiver/{RECEIVER_SCRIPT.name}"


def test_the_receiver_logs_each_alert_s_state_and_name() -> None:
    body = {"alerts": [{"status": "firing", "labels": {"alertname": "PredictionServiceDown"}}]}
    line = json.loads(receiver_script().log_line("/page", json.dumps(body).encode()))
    assert line["receiver"] == "page"
    assert line["alerts"] == [{"status": "firing", "alertname": "PredictionServiceDown"}]


@pytest.mark.parametrize("body", [b"not json", b"[1]", b'{"alerts": [{"labels": {}}]}'])
def test_the_receiver_logs_what_it_could_not_read_as_refused(body: bytes) -> None:
    line = json.loads(receiver_script().log_line("/ticket", body))
    assert line["receiver"] == "ticket"
    assert "refused" in line
