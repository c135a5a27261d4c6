"""Play the Kubernetes manifests with podman: the pods of an overlay, on this machine, no cluster.

    python -m kubernetes_deployment.podman deploy --port 18080   # play; wait until every pod serves
    python -m kubernetes_deployment.podman status                # the pods, their state, restarts
    python -m kubernetes_deployment.podman logs --tail 3         # each pod's last log records
    python -m kubernetes_deployment.podman undeploy              # no pod, container or volume left

``kubectl kustomize kubernetes/overlays/podman`` renders the same base as minikube's overlay; the
overlay patches only what podman cannot do, each patch saying why. The image is the one ``make
image`` built: its tag is set as the overlay is rendered (``--image-tag``; by default the
content's, as ``service_runner.image_tag`` makes it). ``podman kube play
--network host`` then runs the ConfigMap and the Deployment: one pod per replica, with the
image, the configuration, the environment, the security context, the CPU and memory limits and
the restart policy of the manifest. Two values are known only here and are written into the
Deployment before it is played: the port (``--port``) and the node's name (this machine's). The
pods serve ``/metrics`` on the metrics port of the file they read (``metrics_port`` in
configuration/kubernetes.yaml), shared on the host's network the same way; ``--port`` must be
another.

What podman does not exercise is said once, in ``NOT_EXERCISED``: nothing is claimed for it.
"""

import argparse
import copy
import json
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from common.paths import PROJECT_ROOT
from insurance_charges_model.schemas import EXAMPLE_INPUT
from kubernetes_deployment.manifests import (
    OVERLAYS_DIR,
    POD_CONFIGURATION,
    SELECTOR,
    KubectlError,
    documents,
    render,
)
from kubernetes_deployment.pod_usage import Usage, UsageError, cgroup_usage, mebibytes
from ml_model_logging.decorator import CREATED
from model_service.configuration import load_configuration
from model_service.loading import MODEL_LOADED
from model_service.routes import METRICS_PATH, PREDICTION_ROUTE
from service_runner.image_tag import image_tag
from service_runner.logs import json_records
from system_tools import MissingToolError, missing, require

OVERLAY = OVERLAYS_DIR / "podman"
PAUSE_BINARY = "catatonit"  # what `podman kube play` runs as each pod's pause process
PLAYED_FILE = PROJECT_ROOT / "build" / "podman" / "played.yaml"
PLAYED_KINDS = ("ConfigMap", "Secret", "Deployment")
NOT_EXERCISED = {
    "Service": "no Service: the replicas share the host's port (SO_REUSEPORT), and the kernel, "
    "not the cluster's network proxy, spreads new connections over them",
    "HorizontalPodAutoscaler": "no autoscaler: the Deployment's replica count stays as written",
    "PodDisruptionBudget": "no evictions, so no disruption budget to respect",
    "Namespace": "no namespaces: the pods are named after the Deployment",
    "ServiceAccount": "no API server, so no service account",
    "scheduling": "one machine and no scheduler: requests reserve nothing (the limits are "
    "enforced: the kernel holds each container to them)",
    "probes": "podman ignores the startup and readiness probes, and would run the liveness probe "
    "as `curl`, which the image lacks, so the overlay leaves it out; the deploy step asks the "
    "probes' paths itself",
}
PORT_VARIABLE = "PORT"
NODE_VARIABLE = "NODE_NAME"
POLL_SECONDS = 0.5
SERVE_ATTEMPTS = 64  # fresh connections; the kernel picks a replica for each


class PodmanError(RuntimeError):
    """podman is missing or failed, or the pods did not come up; the message says which."""


def podman_path() -> str:
    """Where podman is; PodmanError saying how to install it when it is not installed."""
    try:
        return require("podman")
    except MissingToolError as error:
        raise PodmanError(str(error)) from None


def podman(*arguments: str, timeout: float = 120) -> str:
    """Run a podman command; its stdout, or PodmanError with its stderr."""
    try:
        done = subprocess.run(
            [podman_path(), *arguments],
            capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired as error:
        raise PodmanError(f"podman {' '.join(arguments)} took more than {timeout} s") from error
    if done.returncode != 0:
        raise PodmanError(f"podman {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout


def the_deployment(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """The one Deployment among the rendered objects."""
    found = [item for item in objects if item["kind"] == "Deployment"]
    if len(found) != 1:
        raise PodmanError(f"the overlay renders {len(found)} Deployments; podman plays one")
    return found[0]


def service_container(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]["containers"][0]


def set_variable(container: dict[str, Any], name: str, value: str) -> None:
    """Give the environment variable ``name`` the literal ``value``; it must be declared."""
    for variable in container.get("env", []):
        if variable["name"] == name:
            variable.pop("valueFrom", None)
            variable["value"] = value
            return
    raise PodmanError(f"the container declares no {name} variable for podman to set")


def with_port_and_node(deployment: dict[str, Any], port: int, node: str) -> dict[str, Any]:
    """The Deployment listening on ``port`` (its probes too), on the node ``node``."""
    changed = copy.deepcopy(deployment)
    container = service_container(changed)
    set_variable(container, PORT_VARIABLE, str(port))
    set_variable(container, NODE_VARIABLE, node)
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        http_get = container.get(probe, {}).get("httpGet")
        if http_get is not None:
            http_get["port"] = port
    return changed


def played_objects(objects: list[dict[str, Any]], port: int, node: str) -> list[dict[str, Any]]:
    """What podman plays: the ConfigMaps, Secrets and the Deployment, set to ``port``."""
    played = []
    for item in objects:
        if item["kind"] == "Deployment":
            played.append(with_port_and_node(item, port, node))
        elif item["kind"] in PLAYED_KINDS:
            played.append(item)
    return played


def not_played(objects: list[dict[str, Any]]) -> list[str]:
    """The rendered objects podman does not play, as ``Kind/name``."""
    return [
        f"{item['kind']}/{item['metadata']['name']}"
        for item in objects
        if item["kind"] not in PLAYED_KINDS
    ]


@dataclass(frozen=True)
class Probes:
    """What the Deployment's probes ask, and how long its startup probe allows."""

    startup_path: str
    ready_path: str
    startup_budget_s: float

    @classmethod
    def of(cls, deployment: dict[str, Any]) -> "Probes":
        container = service_container(deployment)
        startup = container["startupProbe"]
        return cls(
            startup_path=startup["httpGet"]["path"],
            ready_path=container["readinessProbe"]["httpGet"]["path"],
            startup_budget_s=startup.get("periodSeconds", 10) * startup.get("failureThreshold", 3),
        )


@dataclass(frozen=True)
class PodContainer:
    """The service's container in one pod, as podman reports it."""

    pod: str
    name: str
    state: str
    restarts: int
    started_at: str
    pid: int
    cgroup: str

    def usage(self) -> Usage:
        """CPU and memory used since the container last started, from its cgroup."""
        return cgroup_usage(self.cgroup)


def pod_containers() -> list[PodContainer]:
    """The service's container in each pod, the pods found by the app's label (never by name)."""
    pods = json.loads(podman("pod", "ps", "--filter", f"label={SELECTOR}", "--format", "json"))
    names = {
        container["Names"]: pod["Name"]
        for pod in pods
        for container in pod["Containers"]
        if container["Id"] != pod["InfraId"]
    }
    if not names:
        return []
    inspected = json.loads(podman("inspect", "--format", "json", *names))
    return sorted(
        (
            PodContainer(
                pod=names[item["Name"]],
                name=item["Name"],
                state=item["State"]["Status"],
                restarts=int(item["RestartCount"]),
                started_at=item["State"]["StartedAt"],
                pid=int(item["State"]["Pid"]),
                cgroup=item["State"].get("CgroupPath", ""),
            )
            for item in inspected
        ),
        key=lambda container: container.pod,
    )


def container_records(container: str, since: str | None = None) -> list[dict[str, Any]]:
    """The JSON records a container wrote (since ``since``, an RFC 3339 time), old runs too."""
    arguments = ["logs", *(("--since", since) if since else ()), container]
    try:
        done = subprocess.run(
            [podman_path(), *arguments], capture_output=True, text=True, timeout=120, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise PodmanError(f"podman logs {container} took more than 120 s") from error
    if done.returncode != 0:
        raise PodmanError(f"podman logs {container}: {done.stderr.strip()}")
    return json_records(done.stdout + done.stderr)


def has_loaded(container: PodContainer) -> bool:
    """Whether the container logged its model loaded since it last started."""
    return any(
        record.get("message") == MODEL_LOADED
        for record in container_records(container.name, container.started_at)
    )


def probe_answers(url: str) -> bool:
    try:
        with httpx.Client(timeout=2) as client:  # a fresh connection, so any replica may answer
            return client.get(url).status_code == 200
    except httpx.TransportError:
        return False


def wait_until_ready(url: str, probes: Probes, replicas: int) -> float:
    """Wait, within the startup probe's budget, until ``replicas`` containers run, each has
    loaded its model, and the probes' paths answer 200; the seconds it took."""
    started = time.monotonic()
    deadline = started + probes.startup_budget_s
    while time.monotonic() < deadline:
        running = [c for c in pod_containers() if c.state == "running"]
        if (
            len(running) == replicas
            and all(has_loaded(container) for container in running)
            and probe_answers(url + probes.startup_path)
            and probe_answers(url + probes.ready_path)
        ):
            return time.monotonic() - started
        time.sleep(POLL_SECONDS)
    raise PodmanError(
        f"the pods were not ready within the startup probe's {probes.startup_budget_s:g} s:\n"
        + describe_pods()
    )


def predictions_by_pod(url: str, attempts: int = SERVE_ATTEMPTS) -> dict[str, int]:
    """Send ``attempts`` predictions, each on a fresh connection, with ids of their own; how
    many each pod logged, read from its own records."""
    ids = {f"podman-deploy-{index}" for index in range(attempts)}
    for prediction_id in sorted(ids):
        with httpx.Client(timeout=5) as client:
            response = client.post(
                url + PREDICTION_ROUTE, json=EXAMPLE_INPUT, headers={"X-Request-ID": prediction_id}
            )
        if response.status_code != 200:
            raise PodmanError(f"a prediction got {response.status_code}: {response.text}")
    time.sleep(0.5)  # the records are written by a background thread
    return {
        container.pod: sum(
            record.get("prediction_id") in ids and record.get("message") == CREATED
            for record in container_records(container.name)
        )
        for container in pod_containers()
    }


def describe_pods() -> str:
    """One line a pod: its container's state, restarts, and what it used since it started."""
    lines = [
        f"  {c.pod}: {c.state}, {c.restarts} restarts, {usage_text(c)}" for c in pod_containers()
    ]
    return "\n".join(lines) or "  (no pods)"


def usage_text(container: PodContainer) -> str:
    if container.state != "running":
        return "not running"
    try:
        used = container.usage()
    except UsageError as error:
        return f"usage unknown ({error})"
    return (
        f"{used.cpu_seconds:.1f} CPU-seconds, memory {mebibytes(used.memory_bytes):.0f} MiB "
        f"(peak {mebibytes(used.peak_memory_bytes):.0f} MiB)"
    )


def rendered(tag: str | None = None) -> list[dict[str, Any]]:
    """The overlay's objects, the image under ``tag`` (None: its content's tag)."""
    return documents(render(OVERLAY, tag or image_tag()))


def unavailable(tag: str | None = None) -> str | None:
    """Why podman cannot play the manifests here (missing, broken, no pause binary, no image
    under ``tag``); None if it can."""
    try:
        podman("info", timeout=60)
        require_pause_binary()
        require_image(service_container(the_deployment(rendered(tag)))["image"])
    except PodmanError as error:
        return str(error)
    return None


def require_pause_binary() -> None:
    """PodmanError naming the package when catatonit, each pod's pause process, is missing: Debian's
    podman only recommends it, and without it `podman kube play` fails to find its pause binary."""
    problem = missing(PAUSE_BINARY)
    if problem:
        raise PodmanError(f"podman cannot start a pod's pause container: {problem}")


def require_image(image: str) -> None:
    try:
        podman("image", "exists", image, timeout=60)
    except PodmanError:
        raise PodmanError(f"podman has no image {image}: build it with `make image`") from None


def require_free_port(port: int, remedy: str = "choose another with PORT=") -> None:
    """PodmanError when something listens on ``port`` already (the pods would crash-loop)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError as error:
            raise PodmanError(f"port {port} is in use ({error.strerror}): {remedy}") from None


def pods_metrics_port() -> int | None:
    """The port the pods serve /metrics on alone: the metrics_port of the file they read; None
    when they serve it on the API's port."""
    return load_configuration(POD_CONFIGURATION).metrics_port


def require_usable_ports(port: int, metrics_port: int | None) -> None:
    """PodmanError when ``port`` is the pods' metrics port, or either port is in use."""
    if port == metrics_port:
        raise PodmanError(
            f"port {port} is the pods' metrics port (metrics_port in {POD_CONFIGURATION.name}): "
            "choose another with PORT="
        )
    require_free_port(port)
    if metrics_port is not None:
        require_free_port(
            metrics_port,
            f"the pods serve /metrics there (metrics_port in {POD_CONFIGURATION.name}): stop what "
            "listens on it, or change metrics_port",
        )


def render_played(
    port: int, tag: str | None = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The overlay's objects, and those podman plays with ``port`` on this node."""
    objects = rendered(tag)
    return objects, played_objects(objects, port, socket.gethostname())


def write_played(objects: list[dict[str, Any]], path: Path = PLAYED_FILE) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(objects, sort_keys=False))
    return path


def deploy(port: int, tag: str | None = None) -> str:
    """Play the overlay on ``port``, the image under ``tag`` (None: its content's tag); wait until
    every replica serves. What happened, in lines."""
    podman_path()
    require_pause_binary()
    cleared = clear_stopped_pods()
    metrics_port = pods_metrics_port()
    require_usable_ports(port, metrics_port)
    objects, played = render_played(port, tag)
    deployment = the_deployment(played)
    require_image(service_container(deployment)["image"])
    played_file = write_played(played)
    podman("kube", "play", "--network", "host", str(played_file), timeout=300)
    url = f"http://127.0.0.1:{port}"
    seconds = wait_until_ready(url, Probes.of(deployment), deployment["spec"]["replicas"])
    served = predictions_by_pod(url)
    idle = [pod for pod, count in served.items() if count == 0]
    if idle:
        raise PodmanError(f"pods that served none of {SERVE_ATTEMPTS} predictions: {idle}")
    return "\n".join(
        [
            *cleared,
            f"played {played_file.relative_to(PROJECT_ROOT)}: "
            + ", ".join(f"{item['kind']}/{item['metadata']['name']}" for item in played),
            f"not played (podman has no such object): {', '.join(not_played(objects))}",
            f"ready after {seconds:.1f} s:",
            describe_pods(),
            f"{SERVE_ATTEMPTS} predictions on fresh connections, by pod: {served}",
            f"the service answers on {url}",
            *([metrics_line(metrics_port)] if metrics_port is not None else []),
        ]
    )


def metrics_line(metrics_port: int) -> str:
    """Where the pods' metrics are, and why a scrape shows one pod's counters."""
    return (
        f"/metrics: http://127.0.0.1:{metrics_port}{METRICS_PATH}, one pod's counters a scrape "
        "(the kernel picks the pod)"
    )


def clear_stopped_pods() -> list[str]:
    """Take down the pods of an earlier deployment whose containers all stopped (say, after a
    reboot); PodmanError when one still runs: that deployment is live."""
    containers = pod_containers()
    if not containers:
        return []
    running = [c.pod for c in containers if c.state == "running"]
    if running:
        raise PodmanError(
            f"the service is deployed already ({', '.join(running)} running): "
            "run make undeploy-podman first"
        )
    stopped = ", ".join(f"{c.pod} ({c.state})" for c in containers)
    return [f"stopped pods of an earlier deployment: {stopped}", undeploy()]


def volumes_of(objects: list[dict[str, Any]]) -> list[str]:
    """The podman volumes that playing makes: one per ConfigMap, named after it."""
    return [item["metadata"]["name"] for item in objects if item["kind"] == "ConfigMap"]


def leftovers(volumes: list[str]) -> list[str]:
    """What is still there of a deployment: containers by label, and its volumes."""
    left = [f"container {c.name}" for c in pod_containers()]
    existing = set(podman("volume", "ls", "--format", "{{.Name}}").split())
    return left + [f"volume {name}" for name in volumes if name in existing]


def undeploy() -> str:
    """Take the pods down and remove their volumes; PodmanError names anything left behind."""
    podman_path()
    _, played = render_played(port=0)
    played_file = write_played(played)
    if pod_containers():
        podman("kube", "down", str(played_file), timeout=120)
    for volume in volumes_of(played):
        podman("volume", "rm", "--force", volume)  # --force: a missing volume is no error
    left = leftovers(volumes_of(played))
    if left:
        raise PodmanError(f"still there after undeploy: {', '.join(left)}")
    return "no pod, container or volume of the service is left"


def enforced_settings() -> dict[str, dict[str, str]]:
    """By pod, what podman enforces of the manifest: user, root filesystem, limits, restarts."""
    containers = pod_containers()
    if not containers:
        return {}
    inspected = json.loads(podman("inspect", "--format", "json", *(c.name for c in containers)))
    return {c.pod: settings_of(item) for c, item in zip(containers, inspected, strict=True)}


def settings_of(inspected: dict[str, Any]) -> dict[str, str]:
    """The settings of one container, from ``podman inspect``."""
    host = inspected["HostConfig"]
    quota, period = host.get("CpuQuota") or 0, host.get("CpuPeriod") or 0
    return {
        "user": inspected["Config"].get("User") or "root",
        "root filesystem": "read-only" if host.get("ReadonlyRootfs") else "writable",
        "CPU limit": f"{quota / period:g} CPU" if quota > 0 and period else "none",
        "memory limit": f"{mebibytes(host['Memory']):.0f} MiB" if host.get("Memory") else "none",
        "restart policy": host.get("RestartPolicy", {}).get("Name") or "no",
        "network": host.get("NetworkMode", ""),
    }


def logs(tail: int) -> str:
    """Each pod's last ``tail`` JSON records, prefixed with the pod's name."""
    return "\n".join(
        f"[{container.pod}] {line}"
        for container in pod_containers()
        for line in podman("logs", "--tail", str(tail), container.name).splitlines()
    )


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m kubernetes_deployment.podman", description=__doc__.splitlines()[0]
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    play = commands.add_parser("deploy", help="play the overlay, wait until every pod serves")
    play.add_argument("--port", type=int, default=8000, help="the host port the pods listen on")
    play.add_argument(
        "--image-tag", default=None,
        help="the image's tag (make image's TAG); default: its content's, as image_tag makes it",
    )  # fmt: skip
    commands.add_parser("undeploy", help="remove the pods, their containers and volumes")
    commands.add_parser("status", help="the pods, their state and restarts")
    tail = commands.add_parser("logs", help="each pod's last log records")
    tail.add_argument("--tail", type=int, default=5)
    return parser.parse_args(argv)


def run(arguments: argparse.Namespace) -> str:
    if arguments.command == "deploy":
        return deploy(arguments.port, arguments.image_tag)
    if arguments.command == "undeploy":
        return undeploy()
    if arguments.command == "logs":
        return logs(arguments.tail)
    return describe_pods()


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        print(run(arguments))
    except (PodmanError, UsageError, KubectlError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
