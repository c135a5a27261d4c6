"""make deploy-podman for real: the manifests' pods serve, log their names, and leave nothing."""

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from insurance_charges_model.schemas import EXAMPLE_INPUT
from kubernetes_deployment import podman
from kubernetes_deployment.manifests import APP_NAME, SELECTOR
from ml_model_logging.decorator import CREATED, REQUESTED
from model_service.routes import PREDICTION_ROUTE
from service_runner.readiness import free_port
from system_tools import missing

pytestmark = pytest.mark.slow
REQUEST_ID = "podman-slow-test"


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    """The pods, played on a free port; taken down afterwards, whatever happened. Their names
    are the manifests', so a deployment left running (an interrupted run) is taken down first."""
    if missing("podman"):
        pytest.skip(missing("podman"))
    problem = podman.unavailable()
    if problem is not None:
        pytest.skip(f"podman cannot play the manifests here: {problem}")
    if podman.pod_containers():
        print(podman.undeploy())
    port = free_port()
    try:
        print(podman.deploy(port))
        yield f"http://127.0.0.1:{port}"
    finally:
        print(podman.undeploy())


def test_every_replica_of_the_deployment_runs(url: str) -> None:
    containers = podman.pod_containers()
    assert len(containers) == 2  # the base Deployment's replicas
    assert all(container.state == "running" for container in containers)
    users = {settings["user"] for settings in podman.enforced_settings().values()}
    assert users == {"10001:10001"}


def test_a_prediction_through_the_pods_is_logged_with_the_pod_and_node_names(url: str) -> None:
    response = httpx.post(
        url + PREDICTION_ROUTE, json=EXAMPLE_INPUT, headers={"X-Request-ID": REQUEST_ID}
    )
    assert response.status_code == 200
    assert response.json()["charges"] > 0
    records = []
    for _ in range(20):  # the records are written by a background thread
        records = [
            record
            for container in podman.pod_containers()
            for record in podman.container_records(container.name)
            if record.get("prediction_id") == REQUEST_ID
        ]
        if len(records) == 2:
            break
        time.sleep(0.1)
    assert [record["message"] for record in records] == [REQUESTED, CREATED]
    pod_names = {record["pod_name"] for record in records}
    assert len(pod_names) == 1
    assert pod_names.pop().startswith(f"{APP_NAME}-pod-")
    assert {record["node_name"] for record in records} == {socket.gethostname()}


def test_undeploy_leaves_no_pod_container_or_volume(url: str) -> None:
    print(podman.undeploy())
    assert podman.pod_containers() == []
    pods = podman.podman("pod", "ps", "--filter", f"label={SELECTOR}", "--quiet")
    assert pods.strip() == ""
    _, played = podman.render_played(port=0)
    volumes = podman.podman("volume", "ls", "--format", "{{.Name}}").split()
    assert not set(podman.volumes_of(played)) & set(volumes)
