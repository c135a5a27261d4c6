"""The differences between two rendered Deployments, named setting by setting."""

import copy

from kubernetes_deployment.overlay_differences import differences, service_deployment

CLUSTER = {
    "spec": {
        "template": {
            "spec": {
                "containers": [
                    {
                        "name": "service",
                        "env": [
                            {"name": "NODE_NAME", "valueFrom": {"fieldRef": {}}},
                        ],
                        "ports": [{"name": "http", "containerPort": 8000}],
                        "livenessProbe": {"httpGet": {"path": "/api/health"}},
                    }
                ]
            }
        }
    }
}


def test_only_the_settings_that_differ_are_rows() -> None:
    pods = copy.deepcopy(CLUSTER)
    pods["spec"]["replicas"] = 2
    pods["spec"]["template"]["spec"]["containers"][0]["env"] = [
        {"name": "NODE_NAME", "value": "podman-host"},
        {"name": "REUSE_PORT", "value": "true"},
    ]
    rows = {row["setting"]: row for row in differences(CLUSTER, pods)}
    assert set(rows) == {"replicas", "NODE_NAME", "REUSE_PORT"}
    assert rows["replicas"] == {
        "setting": "replicas",
        "minikube": "the autoscaler's",
        "podman": "2",
    }
    assert rows["NODE_NAME"]["minikube"] == "from the pod's description"
    assert rows["NODE_NAME"]["podman"] == "`podman-host`"
    assert rows["REUSE_PORT"]["minikube"] == "not set"


def test_the_same_deployment_has_no_differences() -> None:
    assert differences(CLUSTER, copy.deepcopy(CLUSTER)) == []


def test_the_podman_overlay_differs_from_minikube_where_its_patches_say() -> None:
    rows = {
        row["setting"]
        for row in differences(service_deployment("minikube"), service_deployment("podman"))
    }
    assert rows == {
        "replicas",
        "NODE_NAME",
        "PORT",
        "REUSE_PORT",
        "declared ports",
        "liveness probe",
    }
