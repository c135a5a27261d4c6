"""Every overlay renders and validates strictly; the Deployment has what production needs."""

from typing import Any

import pytest
import yaml

from kubernetes_deployment.manifests import (
    KUBERNETES_DIR,
    documents,
    main,
    overlays,
    render,
    validation_errors,
)
from model_service.configuration import ServiceConfiguration
from model_service.routes import HEALTH_PATH, READY_PATH, STARTUP_PATH

OVERLAY_NAMES = [overlay.name for overlay in overlays()]


@pytest.fixture(scope="module", params=OVERLAY_NAMES)
def rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return documents(render(KUBERNETES_DIR / "overlays" / request.param))


def one(
    objects: list[dict[str, Any]], kind: str, name: str = "insurance-charges-model"
) -> dict[str, Any]:
    [found] = [
        item
        for item in objects
        if item["kind"] == kind and item["metadata"]["name"].startswith(name)
    ]
    return found


def container_of(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return one(objects, "Deployment")["spec"]["template"]["spec"]["containers"][0]


def names(objects: list[dict[str, Any]]) -> set[str]:
    return {f"{item['kind']}/{item['metadata']['name']}" for item in objects}


def test_both_overlays_exist() -> None:
    assert OVERLAY_NAMES == ["minikube", "minikube-elk"]


def test_every_object_validates_strictly(rendered: list[dict[str, Any]]) -> None:
    assert validation_errors(rendered) == []


def test_strict_validation_catches_an_unknown_field(rendered: list[dict[str, Any]]) -> None:
    deployment = one(rendered, "Deployment")
    broken = {**deployment, "spec": {**deployment["spec"], "replicaz": 3}}
    [error] = validation_errors([broken])
    assert error.startswith("Deployment/insurance-charges-model")
    assert "replicaz" in error


def test_an_unknown_kubernetes_version_is_an_error(rendered: list[dict[str, Any]]) -> None:
    assert len(validation_errors(rendered[:1], version="0.1.0")) == 1


def test_probes_point_at_the_health_endpoints(rendered: list[dict[str, Any]]) -> None:
    container = container_of(rendered)
    assert container["startupProbe"]["httpGet"]["path"] == STARTUP_PATH
    assert container["readinessProbe"]["httpGet"]["path"] == READY_PATH
    assert container["livenessProbe"]["httpGet"]["path"] == HEALTH_PATH


def test_requests_and_limits_are_set(rendered: list[dict[str, Any]]) -> None:
    resources = container_of(rendered)["resources"]
    assert set(resources["requests"]) == {"cpu", "memory"}
    assert set(resources["limits"]) == {"cpu", "memory"}


def test_the_pod_is_hardened(rendered: list[dict[str, Any]]) -> None:
    pod = one(rendered, "Deployment")["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["automountServiceAccountToken"] is False
    assert pod["terminationGracePeriodSeconds"] >= 20
    assert container_of(rendered)["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }


def test_minikube_uses_the_local_image_and_a_node_port(rendered: list[dict[str, Any]]) -> None:
    container = container_of(rendered)
    assert container["image"] == "insurance-charges-model:0.1.0"
    assert container["imagePullPolicy"] == "Never"
    assert one(rendered, "Service")["spec"]["type"] == "NodePort"


def test_the_downward_api_names_pod_node_and_app(rendered: list[dict[str, Any]]) -> None:
    sources = {
        variable["name"]: variable.get("valueFrom", {})
        for variable in container_of(rendered)["env"]
    }
    assert sources["POD_NAME"]["fieldRef"]["fieldPath"] == "metadata.name"
    assert sources["NODE_NAME"]["fieldRef"]["fieldPath"] == "spec.nodeName"
    assert "app.kubernetes.io/name" in sources["APP_NAME"]["fieldRef"]["fieldPath"]


def test_the_api_key_comes_from_an_optional_secret(rendered: list[dict[str, Any]]) -> None:
    [variable] = [v for v in container_of(rendered)["env"] if v["name"] == "SERVICE_API_KEY"]
    assert "value" not in variable  # never a literal in the manifest
    assert variable["valueFrom"]["secretKeyRef"] == {
        "name": "insurance-charges-model-api-key",
        "key": "api-key",
        "optional": True,
    }


def test_the_config_map_is_the_service_configuration(rendered: list[dict[str, Any]]) -> None:
    config_map = one(rendered, "ConfigMap", "insurance-charges-model-config")
    text = config_map["data"]["kubernetes.yaml"]
    assert text == (KUBERNETES_DIR.parent / "configuration" / "kubernetes.yaml").read_text()
    configuration = ServiceConfiguration.model_validate(yaml.safe_load(text))
    assert (
        configuration.models[0].class_path == "insurance_charges_model.model.InsuranceChargesModel"
    )
    volumes = one(rendered, "Deployment")["spec"]["template"]["spec"]["volumes"]
    assert {"name": "config", "configMap": {"name": config_map["metadata"]["name"]}} in volumes


def test_autoscaler_disruption_budget_and_scrape_annotations(
    rendered: list[dict[str, Any]],
) -> None:
    assert (
        one(rendered, "HorizontalPodAutoscaler")["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    )
    assert one(rendered, "PodDisruptionBudget")["spec"]["minAvailable"] == 1
    annotations = one(rendered, "Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"


def test_elk_only_in_its_own_overlay() -> None:
    light = documents(render(KUBERNETES_DIR / "overlays" / "minikube"))
    full = documents(render(KUBERNETES_DIR / "overlays" / "minikube-elk"))
    elk = {"StatefulSet/elasticsearch", "Deployment/kibana", "DaemonSet/filebeat"}
    assert elk <= names(full)
    assert not elk & names(light)
    namespaced = [
        item
        for item in full
        if item["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding")
    ]
    assert {item["metadata"]["namespace"] for item in namespaced} == {"insurance-charges-model"}


def test_filebeat_decodes_the_json_records() -> None:
    settings = yaml.safe_load((KUBERNETES_DIR / "components" / "elk" / "filebeat.yml").read_text())
    parsers = settings["filebeat.inputs"][0]["parsers"]
    assert {"ndjson": {"target": "", "add_error_key": True, "overwrite_keys": True}} in parsers
    assert settings["output.elasticsearch"]["hosts"] == ["http://elasticsearch:9200"]


def test_command_line_validates_every_overlay(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    output = capsys.readouterr().out
    assert "kubernetes/overlays/minikube: 7 objects, valid" in output
    assert "kubernetes/overlays/minikube-elk: 16 objects, valid" in output
