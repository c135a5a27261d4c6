"""Sizing counts a rollout's surge pods (at the autoscaler's maximum, with ``maxUnavailable: 0``
no old pod stops first) and reports the limits beside the requests."""

import re
from decimal import Decimal
from typing import Any

import pytest

from kubernetes_deployment.manifests import OVERLAYS_DIR, documents, main, render
from kubernetes_deployment.sizing import (
    GIB,
    UNLIMITED,
    Requests,
    container_limits,
    pod_limits,
    surge_pods,
    total_limits,
    total_requests,
    workloads,
)

MIB = 2**20


def deployment(strategy: dict[str, Any] | None = None, kind: str = "Deployment") -> dict[str, Any]:
    spec: dict[str, Any] = {"template": {"spec": {"containers": []}}}
    if strategy is not None:
        spec["updateStrategy" if kind == "DaemonSet" else "strategy"] = strategy
    return {"kind": kind, "metadata": {"name": "app"}, "spec": spec}


@pytest.mark.parametrize(
    ("item", "pods", "surge"),
    [
        (deployment(), 4, 1),  # Kubernetes' default: 25 %, rounded up
        (deployment(), 5, 2),
        (deployment({"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}), 4, 1),
        (deployment({"rollingUpdate": {"maxSurge": "50%"}}), 4, 2),
        (deployment({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}), 4, 0),
        (deployment({"type": "Recreate"}), 4, 0),
        (deployment(kind="StatefulSet"), 3, 0),
        (deployment(kind="DaemonSet"), 1, 0),
        (deployment({"rollingUpdate": {"maxSurge": 1}}, kind="DaemonSet"), 1, 1),
        (deployment(kind="Job"), 2, 0),
    ],
)
def test_a_rollout_surges_as_its_strategy_says(item: dict[str, Any], pods: int, surge: int) -> None:
    assert surge_pods(item, pods) == surge


@pytest.fixture(scope="module")
def elk() -> list[dict[str, Any]]:
    return documents(render(OVERLAYS_DIR / "minikube-elk"))


def test_the_service_counts_its_maximum_and_one_surge_pod(elk: list[dict[str, Any]]) -> None:
    [autoscaler] = [item for item in elk if item["kind"] == "HorizontalPodAutoscaler"]
    [service] = [w for w in workloads(elk) if w.name == "Deployment/insurance-charges-model"]
    assert (service.pods, service.surge) == (autoscaler["spec"]["maxReplicas"], 1)
    assert service.requests == service.per_pod.times(service.pods + 1)


def test_the_totals_hold_every_pod_of_every_workload(elk: list[dict[str, Any]]) -> None:
    found = workloads(elk)
    assert total_requests(found) == sum(
        (w.per_pod.times(w.pods + w.surge) for w in found), Requests()
    )
    assert total_limits(found) == sum(
        (w.per_pod_limits.times(w.pods + w.surge) for w in found), Requests()
    )
    assert total_limits(found).cpu > total_requests(found).cpu


def test_a_container_without_a_limit_is_unlimited() -> None:
    limits = container_limits({"resources": {"limits": {"memory": "256Mi"}}})
    assert limits == Requests(UNLIMITED, Decimal(256 * MIB))
    assert limits.describe() == "no CPU limit, 0.25 GiB"
    assert limits.times(0) == Requests()


def test_a_pod_s_limits_are_its_containers_sum() -> None:
    pod = {
        "containers": [
            {"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}},
            {"resources": {"limits": {"cpu": "500m", "memory": "512Mi"}}},
        ]
    }
    assert pod_limits(pod) == Requests(Decimal("1.5"), Decimal("1.5") * GIB)


def test_the_requests_command_prints_the_limits_and_what_each_decides(
    capsys: pytest.CaptureFixture[str], elk: list[dict[str, Any]]
) -> None:
    assert main(["requests", "--overlay", "minikube-elk"]) == 0
    output = capsys.readouterr().out
    limits = total_limits(workloads(elk)).describe()
    assert re.search(rf"\n  limits +{re.escape(limits)}\n", output)
    assert "+1 surge pod]" in output
    assert "requests decide where pods are scheduled; limits are the most they may use" in output
