"""The targets agree on the image: the container builds it under the name and tag that make image
gives it, and the pods and the cluster ask for that very name."""

from typing import Any

import pytest

from deployment_targets import cluster, container
from deployment_targets.cluster import Cluster
from deployment_targets.container import Container
from deployment_targets.pods import Pods
from insurance_charges_model.model import InsuranceChargesModel
from kubernetes_deployment import manifests, podman
from service_runner.image_tag import image_tag


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What the container target asked the engine to build, recorded instead of built."""
    asked: dict[str, Any] = {}

    def build(engine: str, image: str, base: str, local_base: str, version: str, **_: Any) -> int:
        asked.update(engine=engine, image=image, version=version)
        return 0

    monkeypatch.setattr(container.container, "find_engine", lambda engine: "podman")
    monkeypatch.setattr(container.container, "build_image", build)
    monkeypatch.setattr(container.container, "start_container", lambda *arguments: 1.0)
    return asked


def test_the_container_builds_the_image_make_image_builds(built: dict[str, Any]) -> None:
    target = Container()
    target.deploy()
    assert built["image"] == target.image == f"{manifests.IMAGE_NAME}:{image_tag()}"
    assert built["version"] == InsuranceChargesModel.version  # the label, not the tag


def test_an_image_named_by_the_notebook_is_kept(built: dict[str, Any]) -> None:
    Container(image="insurance-charges-model:mine").deploy()
    assert built["image"] == "insurance-charges-model:mine"


def test_the_pods_ask_for_the_image_the_container_builds(built: dict[str, Any]) -> None:
    deployment = podman.the_deployment(podman.rendered())
    assert podman.service_container(deployment)["image"] == Container().image


def test_the_pods_and_the_cluster_deploy_with_the_content_s_tag(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(podman, "deploy", lambda *arguments: calls.append(arguments) or "")
    monkeypatch.setattr(
        cluster.manifests, "deploy", lambda *arguments, **options: calls.append(options) or ""
    )
    Pods(port=18081).deploy()
    Cluster(context="minikube").deploy()
    assert calls == [(18081,), {"context": "minikube"}]  # no tag given: the content's
    pod_image = manifests.pod_image(manifests.OVERLAYS_DIR / "minikube")
    assert pod_image == f"{manifests.IMAGE_NAME}:{image_tag()}"
