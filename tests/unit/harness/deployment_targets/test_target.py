"""What a target that cannot do a thing answers: Skipped, saying why."""

import inspect
import os
from pathlib import Path

import pytest

from deployment_targets import DeploymentTarget, cluster
from deployment_targets.choice import TARGETS
from deployment_targets.cluster import Cluster
from deployment_targets.local import (
    LocalProcess,
    process_tree,
    tree_cpu_seconds,
    tree_peak_memory_bytes,
)
from system_tools import Skipped


def test_a_local_process_skips_what_only_pods_do() -> None:
    local = LocalProcess()
    skipped = [
        local.enforced_settings(),
        local.sizing([]),
        local.against_the_benchmark(1.0, 1.0, None, []),
        local.kill_one_under_load(
            Path("reports"), users=1, run_s=1, kill_after_s=1, chart=Path("09_pod_kill.png")
        ),
    ]
    assert all(isinstance(item, Skipped) for item in skipped)
    assert all("a local process" in item.why for item in skipped)
    assert not local.applies_overlay("minikube")


def test_a_local_process_not_deployed_says_so() -> None:
    with pytest.raises(RuntimeError, match="not deployed: call deploy"):
        LocalProcess().url()


def test_this_process_tree_is_measured() -> None:
    assert process_tree(os.getpid())[0] == os.getpid()
    assert tree_cpu_seconds(os.getpid()) > 0
    assert tree_peak_memory_bytes(os.getpid()) > 1024 * 1024


def test_the_cluster_reads_the_json_records_behind_kubectl_prefixes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    logs = (
        '[pod/a-1/service] {"message": "Prediction created", "prediction_id": "x"}\n'
        "[pod/a-1/service] INFO: Started server process\n"
        '[pod/a-2/service] {"message": "Model loaded"}\n'
    )
    monkeypatch.setattr(cluster.manifests, "service_logs", lambda tail, context: logs)
    assert Cluster().records() == [
        {"message": "Prediction created", "prediction_id": "x"},
        {"message": "Model loaded"},
    ]


@pytest.mark.parametrize("kind", sorted(TARGETS.values(), key=lambda kind: kind.name))
def test_every_target_takes_what_the_interface_passes(kind: type[DeploymentTarget]) -> None:
    for name, method in inspect.getmembers(DeploymentTarget, inspect.isfunction):
        if name.startswith("_"):
            continue
        expected = list(inspect.signature(method).parameters)
        assert list(inspect.signature(getattr(kind, name)).parameters) == expected, name
