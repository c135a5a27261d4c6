"""The Locust component as rendered: a master with the web UI, workers that find it through its
Service and load the service through the service's Service, the committed locustfile and the
requests it sends, and hardened pods."""

import ast
import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

from common.paths import PROJECT_ROOT
from kubernetes_deployment import sizing
from kubernetes_deployment.manifests import (
    KUBERNETES_DIR,
    NAMESPACE,
    OVERLAYS_DIR,
    SELECTOR,
    SERVICE_NAME,
    SERVICE_PORT,
    documents,
    render,
    validation_errors,
)
from load_test.cluster_requests import COMPONENT_FILE, cluster_requests
from load_test.customers import customer_bodies
from load_test.run import LoadTest
from model_service.configuration import API_KEY_ENV_VAR
from support.kubernetes_objects import one

COMPONENT = KUBERNETES_DIR / "components" / "locust"
OVERLAY = OVERLAYS_DIR / "minikube-load-test"
HARDENED = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}


@pytest.fixture(scope="module")
def rendered() -> list[dict[str, Any]]:
    return documents(render(OVERLAY))


def pod_of(objects: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return one(objects, "Deployment", name)["spec"]["template"]["spec"]


def container_of(objects: list[dict[str, Any]], name: str) -> dict[str, Any]:
    [container] = pod_of(objects, name)["containers"]
    return container


def options(container: dict[str, Any]) -> dict[str, str]:
    """The container's ``--flag=value`` arguments; a bare flag maps to ''."""
    return dict([*argument.split("=", 1), ""][:2] for argument in container["args"])


def mounted(objects: list[dict[str, Any]], name: str, path: str) -> dict[str, Any]:
    """The volume that the Deployment ``name`` mounts at ``path``."""
    pod = pod_of(objects, name)
    [mount] = [m for m in pod["containers"][0]["volumeMounts"] if m["mountPath"] == path]
    [volume] = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    return volume


def test_the_overlay_validates_strictly(rendered: list[dict[str, Any]]) -> None:
    assert validation_errors(rendered) == []


def test_locust_only_in_its_own_overlay(rendered: list[dict[str, Any]]) -> None:
    light = documents(render(OVERLAYS_DIR / "minikube"))
    added = {"Deployment/locust-master", "Deployment/locust-worker", "Service/locust-master"}
    assert added <= {f"{o['kind']}/{o['metadata']['name']}" for o in rendered}
    assert not [o for o in light if o["metadata"]["name"].startswith("locust")]
    assert {o["metadata"]["namespace"] for o in rendered if o["kind"] != "Namespace"} == {NAMESPACE}


@pytest.mark.parametrize("name", ["locustfile.py", "requests.json"])
def test_the_config_map_holds_the_committed_file(rendered: list[dict[str, Any]], name: str) -> None:
    assert (
        one(rendered, "ConfigMap", "locust-files")["data"][name] == (COMPONENT / name).read_text()
    )


@pytest.mark.parametrize("deployment", ["locust-master", "locust-worker"])
def test_each_pod_runs_the_locustfile_of_the_config_map(
    rendered: list[dict[str, Any]], deployment: str
) -> None:
    locustfile = Path(options(container_of(rendered, deployment))["--locustfile"])
    volume = mounted(rendered, deployment, str(locustfile.parent))
    config_map = one(rendered, "ConfigMap", "locust-files")
    assert volume["configMap"] == {"name": config_map["metadata"]["name"]}
    assert locustfile.name in config_map["data"]


def test_the_requests_are_what_the_project_writes_today(insurance_csv: Path) -> None:
    """requests.json is generated and committed: regenerate it with `make cluster-requests`."""
    assert COMPONENT_FILE == COMPONENT / "requests.json"
    assert COMPONENT_FILE.read_text() == cluster_requests(), "run make cluster-requests"


def test_the_bodies_are_the_customers_the_local_load_test_sends(insurance_csv: Path) -> None:
    bodies = json.loads(COMPONENT_FILE.read_text())["bodies"]
    assert [json.dumps(body).encode() for body in bodies] == customer_bodies()


def imported_names(node: ast.AST) -> list[str]:
    if isinstance(node, ast.ImportFrom):
        return [node.module or ""]
    return [alias.name for alias in node.names] if isinstance(node, ast.Import) else []


def test_the_locustfile_imports_nothing_of_the_project() -> None:
    """The official image has Locust and the standard library only."""
    tree = ast.parse((COMPONENT / "locustfile.py").read_text())
    imported = {name.split(".")[0] for node in ast.walk(tree) for name in imported_names(node)}
    assert imported - sys.stdlib_module_names == {"locust"}


def test_the_workers_send_the_service_s_optional_api_key(rendered: list[dict[str, Any]]) -> None:
    source = (COMPONENT / "locustfile.py").read_text()
    [variable] = re.findall(r'^API_KEY_VARIABLE = "(\w+)"$', source, re.M)
    assert variable == API_KEY_ENV_VAR
    [worker_key] = [
        e for e in container_of(rendered, "locust-worker")["env"] if e["name"] == variable
    ]
    [service_key] = [
        e for e in container_of(rendered, "insurance-charges-model")["env"] if e["name"] == variable
    ]
    assert worker_key == service_key  # the same optional Secret, never a literal


def test_the_workers_find_the_master_through_its_service(rendered: list[dict[str, Any]]) -> None:
    worker = options(container_of(rendered, "locust-worker"))
    service = one(rendered, "Service", worker["--master-host"])
    ports = {port["name"]: port for port in service["spec"]["ports"]}
    assert ports["master"]["port"] == int(worker["--master-port"])
    master = one(rendered, "Deployment", "locust-master")
    assert (
        service["spec"]["selector"].items()
        <= master["spec"]["template"]["metadata"]["labels"].items()
    )
    declared = {
        p["name"]: p["containerPort"] for p in container_of(rendered, "locust-master")["ports"]
    }
    assert {name: declared[port["targetPort"]] for name, port in ports.items()} == {
        "web": 8089,
        "master": 5557,
    }
    assert "--worker" in worker
    assert one(rendered, "Deployment", "locust-worker")["spec"]["replicas"] == 2


def test_the_master_serves_the_ui_with_the_local_load_test_s_defaults(
    rendered: list[dict[str, Any]],
) -> None:
    master = options(container_of(rendered, "locust-master"))
    assert "--master" in master
    assert not {"--headless", "--autostart"} & master.keys()  # a Deployment restarts an exit
    assert master["--host"] == f"http://{SERVICE_NAME}"  # the Service, on its port:
    assert SERVICE_PORT == 80
    defaults = LoadTest(reports=Path())
    assert (master["--users"], master["--spawn-rate"], master["--run-time"]) == (
        str(defaults.users),
        f"{defaults.spawn_rate:g}",
        defaults.duration,
    )
    readiness = container_of(rendered, "locust-master")["readinessProbe"]["httpGet"]
    assert readiness == {"path": "/", "port": "web"}


def test_the_image_is_the_locust_of_requirements_txt(rendered: list[dict[str, Any]]) -> None:
    [pinned] = re.findall(r"^locust==(\S+)$", (PROJECT_ROOT / "requirements.txt").read_text(), re.M)
    for deployment in ("locust-master", "locust-worker"):
        assert container_of(rendered, deployment)["image"] == f"locustio/locust:{pinned}"


@pytest.mark.parametrize("deployment", ["locust-master", "locust-worker"])
def test_every_locust_pod_is_hardened(rendered: list[dict[str, Any]], deployment: str) -> None:
    pod, container = pod_of(rendered, deployment), container_of(rendered, deployment)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0  # a number: kubelet cannot check a name
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    assert pod["enableServiceLinks"] is False  # else LOCUST_MASTER_PORT=tcp://... misleads Locust
    assert container["securityContext"] == HARDENED
    for bound in ("requests", "limits"):
        assert set(container["resources"][bound]) == {"cpu", "memory"}
    for writable in ("/home/locust", "/tmp"):  # the working directory, and the temporary one
        assert mounted(rendered, deployment, writable)["emptyDir"]["sizeLimit"]


def test_no_locust_pod_is_taken_for_the_service(rendered: list[dict[str, Any]]) -> None:
    """The Service and `kubectl logs` select the service's pods by the app label."""
    key, value = SELECTOR.split("=")
    for deployment in ("locust-master", "locust-worker"):
        labels = one(rendered, "Deployment", deployment)["spec"]["template"]["metadata"]["labels"]
        assert labels.get(key) != value


def test_the_overlay_fits_the_minikube_that_minikube_start_sizes(
    rendered: list[dict[str, Any]],
) -> None:
    """make minikube-start sizes minikube for minikube-elk; Locust's pods fit in it too."""

    def size(objects: list[dict[str, Any]]) -> sizing.MinikubeSize:
        return sizing.minikube_size(sizing.total_requests(sizing.workloads(objects)))

    load_test, elk = size(rendered), size(documents(render(OVERLAYS_DIR / "minikube-elk")))
    assert load_test.cpus <= elk.cpus
    assert load_test.memory_gib <= elk.memory_gib
