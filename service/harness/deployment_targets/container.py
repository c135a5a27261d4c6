"""The image of step 3, built and run by docker or podman as the cluster will run it."""

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.paths import CONFIGURATION_DIR
from deployment_targets.target import (
    DeploymentTarget,
    Result,
    predictions_in,
    settled_predictions,
)
from insurance_charges_model.model import InsuranceChargesModel
from kubernetes_deployment.manifests import IMAGE_NAME
from kubernetes_deployment.pod_resources import PodLoad
from kubernetes_deployment.pod_usage import UsageError, cgroup_usage
from kubernetes_deployment.podman import settings_of
from service_runner import container
from service_runner.image_tag import image_tag
from service_runner.logs import json_records
from service_runner.readiness import free_port


@dataclass
class Container(DeploymentTarget):
    """The image, built from the Dockerfile, run read-only and without capabilities."""

    name = "container"
    where = "a container"
    engine: str = ""  # docker or podman; empty: whichever works here
    image: str = ""  # empty: the name make image gives it, tagged with its content
    base_image: str = "python:3.11-slim"
    local_base_image: str = "localhost/debian-python:bookworm"
    container_name: str = "insurance-charges-model-notebook"
    port: int = 0  # 0: a free port
    passed_over: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.engine = container.find_engine(self.engine)
        self.port = self.port or free_port()
        self.image = self.image or f"{IMAGE_NAME}:{image_tag()}"

    def deploy(self) -> str:
        container.build_image(
            self.engine, self.image, self.base_image, self.local_base_image,
            InsuranceChargesModel.version, quiet=True,
        )  # fmt: skip
        ready_s = container.start_container(self.engine, self.image, self.container_name, self.port)
        return (
            f"{self.engine} runs {self.image} as {self.container_name} on {self.url()}, "
            f"ready {ready_s:.1f} s after `run`"
        )

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def records(self) -> list[dict[str, Any]]:
        return json_records(self.command("logs", self.container_name))

    def describe(self) -> str:
        listed = self.command("ps", "--filter", f"name={self.container_name}")
        return listed + self.command("top", self.container_name)

    def under_load(self, run: Callable[[], Result]) -> tuple[Result, list[PodLoad]]:
        """What the container used, from its cgroup (as podman reports it; none with docker)."""
        cgroup = self.inspected()["State"].get("CgroupPath", "")
        try:
            before = cgroup_usage(cgroup) if cgroup else None
        except UsageError:
            before = None
        logged_before, started = predictions_in(self.records()), time.monotonic()
        result = run()
        if before is None:
            return result, []
        after, seconds = cgroup_usage(cgroup), time.monotonic() - started
        predictions = settled_predictions(self.records) - logged_before
        load = PodLoad(
            self.container_name, predictions, seconds, after.since(before), after.peak_memory_bytes
        )
        return result, [load]

    def teardown(self) -> str:
        container.stop_container(self.engine, self.container_name)
        return f"{self.container_name} stopped and removed"

    def enforced_settings(self) -> dict[str, dict[str, str]]:
        return {self.container_name: settings_of(self.inspected())}

    def checks(self, config_path: Path = CONFIGURATION_DIR / "local.yaml") -> list[Any]:
        """The image's properties (``make image-check``), in a container of their own."""
        return container.evaluate(container.observe(self.engine, self.image, config_path))

    def inspected(self) -> dict[str, Any]:
        [item] = json.loads(self.command("inspect", self.container_name))
        return item

    def command(self, *arguments: str) -> str:
        return container.engine_command(self.engine, *arguments, timeout=120)
