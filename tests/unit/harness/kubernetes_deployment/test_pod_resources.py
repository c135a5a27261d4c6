"""The resources the pods' measured load gives, by the rules of pod_resources, and the ones the
manifests declare."""

import math
import time
from typing import Any

import pytest
import yaml

from kubernetes_deployment import pod_resources, podman
from kubernetes_deployment.manifests import KUBERNETES_DIR, OVERLAYS_DIR, documents, render
from kubernetes_deployment.pod_resources import (
    PodLoad,
    Resources,
    capacity_per_pod,
    declared,
    recommended,
    snapshot,
    under_load,
)
from kubernetes_deployment.pod_usage import MIB, Usage
from kubernetes_deployment.podman import PodContainer
from ml_model_logging.decorator import CREATED, REQUESTED

Snapshot = dict[str, tuple[PodContainer, Usage, int]]


def load(
    pod: str = "pod-0",
    predictions: int = 1000,
    seconds: float = 10,
    cpu_seconds: float = 2.1,
    peak_mib: float = 300,
) -> PodLoad:
    return PodLoad(pod, predictions, seconds, cpu_seconds, round(peak_mib * MIB))


def container(pod: str, restarts: int = 0) -> PodContainer:
    return PodContainer(pod, f"{pod}-service", "running", restarts, "", 1, f"/{pod}")


def test_a_pod_loads_figures() -> None:
    measured = load(predictions=1000, seconds=10, cpu_seconds=2.5)
    assert measured.cores == 0.25
    assert measured.rps == 100
    assert measured.cpu_ms_per_prediction == 2.5


def test_without_predictions_the_cost_of_one_is_unknown() -> None:
    assert math.isnan(load(predictions=0).cpu_ms_per_prediction)


def test_the_busiest_pod_sets_the_requests_rounded_up() -> None:
    loads = [
        load("pod-0", cpu_seconds=2.1, peak_mib=250),
        load("pod-1", cpu_seconds=1, peak_mib=310),
    ]
    assert recommended(loads) == Resources(
        cpu_request_m=250,  # 210m, up to 50m
        cpu_limit_m=1000,
        memory_request_mib=320,  # 310 MiB, up to 16 MiB
        memory_limit_mib=640,  # twice 310 MiB, up to 64 MiB
        hpa_target_percent=round(100 * 0.7 * 1000 / 250),
    )


def test_figures_on_a_step_stay_as_they_are() -> None:
    resources = recommended([load(cpu_seconds=2, seconds=10, peak_mib=256)])
    assert (resources.cpu_request_m, resources.memory_request_mib) == (200, 256)
    assert resources.memory_limit_mib == 512
    assert resources.hpa_target_percent == 350


@pytest.mark.parametrize(("cpu_seconds", "peak_mib"), [(0.001, 1), (0, 0)])
def test_a_pod_using_next_to_nothing_gets_one_step_of_each(
    cpu_seconds: float, peak_mib: float
) -> None:
    resources = recommended([load(cpu_seconds=cpu_seconds, seconds=10, peak_mib=peak_mib)])
    assert (resources.cpu_request_m, resources.memory_request_mib) == (50, 16)
    assert resources.memory_limit_mib == 64
    assert resources.hpa_target_percent == round(100 * 0.7 * 1000 / 50)


def test_the_cpu_request_is_capped_at_the_limit() -> None:
    resources = recommended([load(cpu_seconds=13, seconds=10)])
    assert (resources.cpu_request_m, resources.cpu_limit_m) == (1000, 1000)
    assert resources.hpa_target_percent == 70


@pytest.mark.parametrize("loads", [[], [load(predictions=0), load("pod-1", predictions=0)]])
def test_nothing_is_sized_without_predictions(loads: list[PodLoad]) -> None:
    with pytest.raises(ValueError, match="no pod served a prediction"):
        recommended(loads)


def test_the_capacity_of_a_pod_is_at_its_cpu_limit_at_the_measured_cost() -> None:
    loads = [load(predictions=1000, cpu_seconds=2), load("pod-1", predictions=3000, cpu_seconds=6)]
    assert capacity_per_pod(loads) == 500  # 2 ms of CPU each: 500 a second on one core
    assert capacity_per_pod(loads, cpu_limit_m=500) == 250


def test_resources_read_as_rows() -> None:
    assert Resources(250, 1000, 320, 640, 280).rows() == {
        "CPU request": "250m", "CPU limit": "1000m", "memory request": "320Mi",
        "memory limit": "640Mi", "autoscaler target": "280% of the CPU request",
    }  # fmt: skip


def millicores(quantity: str) -> int:
    return int(quantity[:-1]) if quantity.endswith("m") else int(quantity) * 1000


def mebibytes(quantity: str) -> int:
    units = {"Mi": 1, "Gi": 1024}
    return int(quantity[:-2]) * units[quantity[-2:]]


def base_yaml(name: str) -> dict[str, Any]:
    return yaml.safe_load((KUBERNETES_DIR / "base" / name).read_text())


def test_declared_are_the_base_deployments_resources_and_autoscaler_target() -> None:
    deployment = base_yaml("deployment.yaml")
    resources = deployment["spec"]["template"]["spec"]["containers"][0]["resources"]
    autoscaler = base_yaml("horizontal-pod-autoscaler.yaml")
    target = autoscaler["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"]
    assert declared(documents(render(OVERLAYS_DIR / "minikube"))) == Resources(
        cpu_request_m=millicores(resources["requests"]["cpu"]),
        cpu_limit_m=millicores(resources["limits"]["cpu"]),
        memory_request_mib=mebibytes(resources["requests"]["memory"]),
        memory_limit_mib=mebibytes(resources["limits"]["memory"]),
        hpa_target_percent=target,
    )


def snapshots(monkeypatch: pytest.MonkeyPatch, before: Snapshot, after: Snapshot) -> None:
    taken = iter([before, after])
    monkeypatch.setattr(pod_resources, "snapshot", lambda: next(taken))


def a_short_test() -> str:
    time.sleep(0.01)
    return "report"


def test_under_load_each_pods_figures_are_its_own_differences(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = {
        "pod-1": (container("pod-1"), Usage(20.0, 100 * MIB, 150 * MIB), 700),
        "pod-0": (container("pod-0"), Usage(10.0, 100 * MIB, 150 * MIB), 500),
    }
    after = {
        "pod-1": (container("pod-1"), Usage(23.0, 110 * MIB, 280 * MIB), 2200),
        "pod-0": (container("pod-0"), Usage(14.0, 120 * MIB, 300 * MIB), 2500),
    }
    snapshots(monkeypatch, before, after)
    result, loads = under_load(a_short_test)
    assert result == "report"
    assert [(item.pod, item.predictions, item.cpu_seconds, item.peak_memory_bytes)
            for item in loads] == [
        ("pod-0", 2000, 4.0, 300 * MIB),
        ("pod-1", 1500, 3.0, 280 * MIB),
    ]  # fmt: skip
    assert loads[0].seconds == loads[1].seconds
    assert 0.01 <= loads[0].seconds < 1


def test_a_pod_restarted_under_load_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    usage = Usage(1.0, MIB, MIB)
    snapshots(
        monkeypatch,
        {"pod-0": (container("pod-0"), usage, 0), "pod-1": (container("pod-1"), usage, 0)},
        {"pod-0": (container("pod-0"), usage, 9), "pod-1": (container("pod-1", 1), usage, 1)},
    )
    with pytest.raises(RuntimeError, match="pod-1 restarted during the load test"):
        under_load(a_short_test)


def test_a_pod_that_appeared_under_load_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    usage = Usage(1.0, MIB, MIB)
    snapshots(monkeypatch, {}, {"pod-0": (container("pod-0"), usage, 0)})
    with pytest.raises(RuntimeError, match="pod-0 restarted"):
        under_load(a_short_test)


def test_a_pod_gone_under_load_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    usage = Usage(1.0, MIB, MIB)
    snapshots(monkeypatch, {"pod-0": (container("pod-0"), usage, 0)}, {})
    with pytest.raises(RuntimeError, match="pods gone during the load test: pod-0"):
        under_load(a_short_test)


def throttled(periods: int | None, throttled_periods: int | None) -> Usage:
    return Usage(1.0, MIB, MIB, periods, throttled_periods)


@pytest.mark.parametrize(
    ("before", "after", "share"),
    [
        (throttled(100, 10), throttled(300, 60), 0.25),
        (throttled(100, 10), throttled(100, 10), 0.0),  # no period ran: nothing throttled
        (throttled(None, None), throttled(300, 60), None),
        (throttled(100, 10), throttled(None, None), None),
    ],
)
def test_under_load_a_pods_throttled_share_is_of_the_periods_in_between(
    monkeypatch: pytest.MonkeyPatch, before: Usage, after: Usage, share: float | None
) -> None:
    snapshots(
        monkeypatch,
        {"pod-0": (container("pod-0"), before, 0)},
        {"pod-0": (container("pod-0"), after, 10)},
    )
    _, [measured] = under_load(a_short_test)
    assert measured.throttled_share == share


def test_a_snapshot_is_each_pods_usage_and_predictions_logged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records = {
        "pod-0-service": [{"message": CREATED}, {"message": REQUESTED}, {"message": CREATED}],
        "pod-1-service": [{"message": REQUESTED}],
    }
    monkeypatch.setattr(
        pod_resources, "pod_containers", lambda: [container("pod-0"), container("pod-1")]
    )
    monkeypatch.setattr(pod_resources, "container_records", lambda name: records[name])
    usages = {"/pod-0": Usage(1.5, MIB, 2 * MIB), "/pod-1": Usage(2.5, MIB, 3 * MIB)}
    monkeypatch.setattr(podman, "cgroup_usage", lambda cgroup: usages[cgroup])
    assert snapshot() == {
        "pod-0": (container("pod-0"), usages["/pod-0"], 2),
        "pod-1": (container("pod-1"), usages["/pod-1"], 0),
    }
