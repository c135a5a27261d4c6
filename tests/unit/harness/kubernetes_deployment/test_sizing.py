"""Kubernetes quantities, what an overlay's pods request, and the minikube with room for them."""

import re
from decimal import Decimal
from typing import Any

import pytest

from common.paths import PROJECT_ROOT
from kubernetes_deployment.manifests import OVERLAYS_DIR, documents, main, render
from kubernetes_deployment.sizing import (
    GIB,
    MinikubeSize,
    QuantityError,
    Requests,
    container_requests,
    minikube_size,
    parse_quantity,
    pod_requests,
    total_requests,
    workloads,
)

MIB = 2**20


@pytest.mark.parametrize(
    ("quantity", "value"),
    [
        ("250m", Decimal("0.25")),
        ("1", 1),
        (2, 2),
        (0.5, Decimal("0.5")),
        ("1.5", Decimal("1.5")),
        (".5", Decimal("0.5")),
        ("100n", Decimal("1e-7")),
        ("256Mi", 256 * MIB),
        ("1Gi", 2**30),
        ("0.5Gi", 2**29),
        ("1Ki", 1024),
        ("1k", 1000),
        ("128M", 128 * 10**6),
        ("1G", 10**9),
        ("1E", 10**18),  # the exa suffix, not an exponent
        ("1e3", 1000),
        ("12E6", 12 * 10**6),
        ("+1", 1),
    ],
)
def test_quantities_parse_as_kubernetes_reads_them(quantity: str | int, value: Decimal) -> None:
    assert parse_quantity(quantity) == value


@pytest.mark.parametrize("quantity", ["", "Mi", "ten", "1 Gi", "1gi", "1.5.2", "1MiB", "2x"])
def test_a_quantity_kubernetes_would_refuse_is_named(quantity: str) -> None:
    with pytest.raises(QuantityError, match=f"{re.escape(repr(quantity))} is not a Kubernetes"):
        parse_quantity(quantity)


def container(
    requests: dict[str, Any] | None = None, limits: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {"name": "c", "resources": {"requests": requests or {}, "limits": limits or {}}}


def test_a_container_with_only_limits_requests_its_limits() -> None:
    assert container_requests(container(limits={"cpu": "1", "memory": "1Gi"})) == Requests(
        Decimal(1), GIB
    )
    assert container_requests({"name": "c"}) == Requests()


def test_a_pod_requests_its_containers_sum_or_its_largest_init_container() -> None:
    pod = {
        "initContainers": [container({"cpu": "2", "memory": "64Mi"})],
        "containers": [
            container({"cpu": "250m", "memory": "256Mi"}),
            container({"cpu": "250m", "memory": "256Mi"}),
        ],
    }
    assert pod_requests(pod) == Requests(Decimal(2), Decimal(512 * MIB))


def workload(kind: str, name: str, cpu: str = "100m", **spec: Any) -> dict[str, Any]:
    template = {"spec": {"containers": [container({"cpu": cpu, "memory": "100Mi"})]}}
    return {"kind": kind, "metadata": {"name": name}, "spec": {"template": template, **spec}}


def test_each_kind_counts_the_pods_it_runs() -> None:
    objects = [
        workload("Deployment", "app", replicas=2),
        {
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "app"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "app"}, "maxReplicas": 5},
        },
        workload("Deployment", "single"),
        workload("StatefulSet", "db", replicas=3),
        workload("DaemonSet", "agent"),
        workload("Job", "once", parallelism=2),
        {"kind": "Service", "metadata": {"name": "app"}, "spec": {}},
    ]
    counted = {found.name: (found.pods, found.why) for found in workloads(objects)}
    assert counted == {
        "Deployment/app": (5, "the autoscaler's maximum"),
        "Deployment/single": (1, "replicas"),
        "StatefulSet/db": (3, "replicas"),
        "DaemonSet/agent": (1, "one per node, one node"),
        "Job/once": (2, "while it runs"),
    }
    # with each Deployment's rollout surge: 25 % of 5 pods rounds up to 2, of 1 pod to 1
    assert total_requests(workloads(objects)).cpu == Decimal("1.5")


@pytest.mark.parametrize(
    ("requests", "size"),
    [
        (Requests(), MinikubeSize(2, 2)),  # minikube's own minimum
        (Requests(Decimal("1.41"), Decimal("2.61") * GIB), MinikubeSize(3, 5)),
        (Requests(Decimal(2), Decimal("2.5") * GIB), MinikubeSize(3, 4)),
    ],
)
def test_minikube_gets_whole_cpus_and_gib_with_room_for_its_own_pods(
    requests: Requests, size: MinikubeSize
) -> None:
    assert minikube_size(requests) == size
    assert size.flags() == ["--cpus", str(size.cpus), "--memory", f"{size.memory_gib}g"]


def elk_requests() -> Requests:
    return total_requests(workloads(documents(render(OVERLAYS_DIR / "minikube-elk"))))


def elk_size() -> MinikubeSize:
    return minikube_size(elk_requests())


def test_the_makefile_says_how_minikube_is_sized_without_quoting_a_figure() -> None:
    """The figures change with the manifests: the requests command prints them, the comment not."""
    lines = (PROJECT_ROOT / "Makefile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if "minikube-start sizes minikube" in line)
    comment = " ".join(line.lstrip("# ") for line in lines[start : start + 6])
    assert "surge pod" in comment
    assert "kubernetes_deployment.manifests requests" in comment
    assert not re.search(r"\d+(\.\d+)? (CPUs?|GiB)", comment), comment


def test_the_requests_command_prints_each_workload_and_the_size(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["requests", "--overlay", "minikube-elk"]) == 0
    output = capsys.readouterr().out
    # the autoscaler's maximum, and the rollout's surge pod
    assert "Deployment/insurance-charges-model  4+1 x (" in output
    assert "StatefulSet/elasticsearch" in output
    assert "Job/kibana-data-view" in output
    assert output.rstrip().endswith(f"minikube needs {elk_size().describe()}")
