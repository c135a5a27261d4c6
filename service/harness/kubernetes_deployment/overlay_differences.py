"""Where two overlays' Deployments of the service differ, setting by setting, for a table.

The podman overlay patches the base only where podman cannot do what a cluster does; this module
reads both rendered Deployments and names each difference, so the table cannot drift from them.
"""

from typing import Any

from kubernetes_deployment.manifests import OVERLAYS_DIR, documents, render

COMPARED_VARIABLES = ("NODE_NAME", "PORT", "REUSE_PORT")


def service_deployment(overlay: str) -> dict[str, Any]:
    """The service's Deployment as ``overlay`` renders it."""
    objects = documents(render(OVERLAYS_DIR / overlay))
    return next(item for item in objects if item["kind"] == "Deployment")


def first_container(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]["containers"][0]


def variable(container: dict[str, Any], name: str) -> str:
    """An environment variable's value, where it comes from, or "not set"."""
    found = [item for item in container.get("env", []) if item["name"] == name]
    if not found:
        return "not set"
    return f"`{found[0]['value']}`" if "value" in found[0] else "from the pod's description"


def ports(container: dict[str, Any]) -> str:
    declared = container.get("ports", [])
    return ", ".join(f"{port['name']} port {port['containerPort']}" for port in declared) or "none"


def liveness(container: dict[str, Any]) -> str:
    probe = container.get("livenessProbe")
    return probe["httpGet"]["path"] if probe else "none"


def differences(
    first: dict[str, Any], second: dict[str, Any], names: tuple[str, str] = ("minikube", "podman")
) -> list[dict[str, str]]:
    """The settings podman's overlay patches, as each Deployment has them, a row a setting that
    differs."""
    containers = first_container(first), first_container(second)
    rows = [
        (
            "replicas",
            *(str(d["spec"].get("replicas", "the autoscaler's")) for d in (first, second)),
        ),
        *((name, *(variable(c, name) for c in containers)) for name in COMPARED_VARIABLES),
        ("declared ports", *(ports(c) for c in containers)),
        ("liveness probe", *(liveness(c) for c in containers)),
    ]
    return [
        {"setting": setting, names[0]: one, names[1]: other}
        for setting, one, other in rows
        if one != other
    ]
