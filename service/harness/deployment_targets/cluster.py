"""The manifests applied by kubectl to the cluster it reaches (minikube, for a reader)."""

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from deployment_targets.target import DeploymentTarget, Result
from kubernetes_deployment import manifests
from kubernetes_deployment.pod_resources import PodLoad
from service_runner.logs import json_records

READERS_CONTEXT = "minikube"  # the only context deployed to without being named


@dataclass
class Cluster(DeploymentTarget):
    """An overlay applied with ``kubectl apply -k``, reached through ``kubectl port-forward``."""

    name = "cluster"
    one_metrics_view = False
    where = "a Kubernetes cluster"
    overlay: str = "minikube"  # the overlay under kubernetes/overlays/
    local_port: int = 18080  # the port-forward's local port
    context: str = READERS_CONTEXT  # kubectl's context: the reader's minikube unless named
    passed_over: dict[str, str] = field(default_factory=dict)
    forward: subprocess.Popen | None = None

    def __post_init__(self) -> None:
        self.context = self.context or READERS_CONTEXT

    def deploy(self) -> str:
        return manifests.deploy(manifests.OVERLAYS_DIR / self.overlay, context=self.context)

    def applies_overlay(self, overlay: str) -> bool:
        return overlay == self.overlay

    def url(self) -> str:
        """The Service on 127.0.0.1, forwarded by kubectl (it works with any minikube driver)."""
        if self.forward is None or self.forward.poll() is not None:
            command = manifests.port_forward_command(
                manifests.SERVICE_NAME, self.local_port, self.context
            )
            self.forward = subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
            )
            self.forward.stdout.readline()  # "Forwarding from 127.0.0.1:PORT" once it listens
        return f"http://127.0.0.1:{self.local_port}"

    def records(self) -> list[dict[str, Any]]:
        logs = manifests.service_logs(tail=-1, context=self.context)
        return json_records("\n".join(line.partition(" ")[2] for line in logs.splitlines()))

    def describe(self) -> str:
        return manifests.kubectl(
            "get", "pods", "--selector", manifests.SELECTOR, "--namespace", manifests.NAMESPACE,
            "--output", "wide", *manifests.context_arguments(self.context),
        )  # fmt: skip

    def under_load(self, run: Callable[[], Result]) -> tuple[Result, list[PodLoad]]:
        """The run alone: a cluster's usage comes from `kubectl top`, a rate, not a total."""
        return run(), []

    def teardown(self) -> str:
        if self.forward is not None:
            self.forward.terminate()
            self.forward.wait()
        overlay = manifests.OVERLAYS_DIR / self.overlay
        return manifests.undeploy(overlay, context=self.context)
