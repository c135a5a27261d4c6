"""make deploy applies the overlay with the image under the tag make image gave it, set as it
renders (kustomize's ``images:``), and leaves the committed kustomizations as they are."""

from pathlib import Path
from typing import Any

import pytest

from kubernetes_deployment import manifests
from kubernetes_deployment.manifests import (
    BASE_KUSTOMIZATION,
    IMAGE_NAME,
    OVERLAYS_DIR,
    documents,
    main,
    render,
)
from service_runner.image_tag import image_tag
from support.fake_tools import fake_tool, first_on_path


@pytest.fixture
def applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where a kubectl that renders with the real one writes what ``apply`` was given."""
    real = manifests.kubectl_path()
    first_on_path(monkeypatch, tmp_path / "bin")
    fake_tool(
        tmp_path / "bin",
        "kubectl",
        f'[ "$1" = kustomize ] && exec {real} "$@"\n'
        f'[ "$1" = apply ] && cat > {tmp_path / "applied.yaml"}\n'
        'echo "$1: ok"',
    )
    return tmp_path / "applied.yaml"


def images(objects: list[dict[str, Any]]) -> set[str]:
    """The images of the service's containers, in Deployments and CronJobs alike."""
    found = set()
    for item in objects:
        template = item.get("spec", {}).get("jobTemplate", {}).get("spec", item.get("spec", {}))
        pod = template.get("template", {}).get("spec", {})
        containers = pod.get("containers", [])
        found |= {c["image"] for c in containers if c["image"].startswith(IMAGE_NAME)}
    return found


@pytest.mark.parametrize("overlay", ["minikube", "minikube-monitoring"])
def test_deploy_applies_the_image_under_the_tag_it_is_given(applied: Path, overlay: str) -> None:
    committed = BASE_KUSTOMIZATION.read_text()
    assert main(["deploy", "--overlay", overlay, "--image-tag", "abc1234-dirty-0f0f0f0f"]) == 0
    assert images(documents(applied.read_text())) == {f"{IMAGE_NAME}:abc1234-dirty-0f0f0f0f"}
    assert BASE_KUSTOMIZATION.read_text() == committed


def test_without_a_tag_deploy_applies_the_content_s_tag(applied: Path) -> None:
    assert main(["deploy"]) == 0
    assert images(documents(applied.read_text())) == {f"{IMAGE_NAME}:{image_tag()}"}


def untagged(value: Any) -> Any:
    """``value`` with every ``image: NAME:t1`` of the service back to ``image: NAME``."""
    if isinstance(value, dict):
        return {
            key: IMAGE_NAME if key == "image" and item == f"{IMAGE_NAME}:t1" else untagged(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [untagged(item) for item in value]
    return value


@pytest.mark.parametrize("overlay", ["minikube-elk", "minikube-monitoring"])
def test_the_tag_changes_nothing_but_the_image(overlay: str) -> None:
    tagged = documents(render(OVERLAYS_DIR / overlay, "t1"))
    assert images(tagged) == {f"{IMAGE_NAME}:t1"}
    assert untagged(tagged) == documents(render(OVERLAYS_DIR / overlay))
