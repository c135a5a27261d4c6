"""The Locust component played on this machine: its master and its workers, with the arguments
and the files the manifests give them, against a local stub service in the Service's place.

The pods run the official locustio/locust image. No registry answers here, so podman plays them
only where that image is in podman's local storage already; this venv's Locust, the version the
image is pinned to, plays the same arguments and files everywhere.
"""

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kubernetes_deployment.manifests import KUBERNETES_DIR, OVERLAYS_DIR, documents, render
from model_service.routes import PREDICTION_ROUTE
from service_runner.process import ServiceProcess, free_port
from support.services import stub_models_on_pythonpath, stub_service_file
from system_tools import missing

pytestmark = pytest.mark.slow
COMPONENT = KUBERNETES_DIR / "components" / "locust"
LOOPBACK = "127.0.0.1"
MOUNT = "/mnt/locust"  # where the pods mount the ConfigMap of the component's files


@pytest.fixture(scope="module")
def pods() -> dict[str, dict[str, Any]]:
    """Each Deployment of the component: its container, and its replicas."""
    rendered = documents(render(OVERLAYS_DIR / "minikube-load-test"))
    return {
        item["metadata"]["name"]: item["spec"]
        for item in rendered
        if item["kind"] == "Deployment" and item["metadata"]["name"].startswith("locust-")
    }


def container(pods: dict[str, dict[str, Any]], name: str) -> dict[str, Any]:
    [found] = pods[name]["template"]["spec"]["containers"]
    return found


def replaced(arguments: list[str], values: dict[str, str]) -> list[str]:
    """The ``--flag=value`` arguments with some values replaced."""
    flags = [argument.split("=", 1)[0] for argument in arguments]
    return [
        f"{flag}={values[flag]}" if flag in values else argument
        for flag, argument in zip(flags, arguments, strict=True)
    ]


def venv_locust(pod: dict[str, Any]) -> list[str]:
    """This venv's Locust, reading the component's files where they are."""
    return [sys.executable, "-m", "locust"]


def podman_locust(pod: dict[str, Any]) -> list[str]:
    """The pod's image under podman, its files mounted, as hardened as the manifests say."""
    user = pod["securityContext"]
    [locust] = pod["containers"]
    return [
        "podman", "run", "--rm", "--network", "host", "--read-only",
        "--user", f"{user['runAsUser']}:{user['runAsGroup']}", "--cap-drop", "ALL",
        "--security-opt", "no-new-privileges", "--volume", f"{COMPONENT}:{MOUNT}:ro",
        "--tmpfs", "/home/locust", "--tmpfs", "/tmp", f"docker.io/{locust['image']}",
    ]  # fmt: skip


def podman_unavailable(image: str) -> str | None:
    """Why podman cannot play the pods here, or None."""
    if missing("podman"):
        return missing("podman")
    exists = subprocess.run(["podman", "image", "exists", f"docker.io/{image}"], check=False)
    if exists.returncode != 0:
        return (
            f"{image} is not in podman's local images, and no registry can be reached here to "
            "pull it: the manifests are validated offline, and this venv's Locust, the same "
            "version, plays the same arguments and files"
        )
    return None


@pytest.fixture(scope="module")
def service(insurance_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A stub service in the place of the service's Service."""
    directory = tmp_path_factory.mktemp("service")
    configuration = stub_service_file(directory)
    with (
        stub_models_on_pythonpath(),
        ServiceProcess(configuration, directory / "service.log") as running,
    ):
        yield running.url


def started(command: list[str], log: Path) -> subprocess.Popen:
    with open(log, "w") as output:
        return subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)


def stats(web: str) -> dict[str, Any]:
    return httpx.get(f"{web}/stats/requests", timeout=5).json()


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def local_arguments(
    pods: dict, service: str, files: str, web_port: int, master_port: int
) -> tuple[list[str], list[str]]:
    """The master's and a worker's arguments as the manifests give them, with this machine's
    addresses in the place of the Services'."""
    master = [
        *replaced(
            container(pods, "locust-master")["args"],
            {"--locustfile": f"{files}/locustfile.py", "--host": service},
        ),
        f"--web-host={LOOPBACK}", f"--web-port={web_port}",
        f"--master-bind-host={LOOPBACK}", f"--master-bind-port={master_port}",
    ]  # fmt: skip
    worker = replaced(
        container(pods, "locust-worker")["args"],
        {"--locustfile": f"{files}/locustfile.py", "--master-host": LOOPBACK,
         "--master-port": str(master_port)},
    )  # fmt: skip
    return master, worker


def run_from_the_ui(web: str, workers: int) -> dict[str, Any]:
    """Start users from the web UI as a reader would, stop them; the master's statistics."""
    wait_until(lambda: stats(web).get("worker_count") == workers, "the workers")
    httpx.post(f"{web}/swarm", data={"user_count": 4, "spawn_rate": 4}, timeout=10)
    wait_until(lambda: requests_of(stats(web)) > 200, "the users' requests")
    httpx.post(f"{web}/stop", timeout=10)
    return stats(web)


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def play(pods: dict, service: str, locust: Callable, tmp_path: Path) -> dict[str, Any]:
    """The master and the workers as the manifests say, loaded from the UI: its statistics."""
    files = MOUNT if locust is podman_locust else str(COMPONENT)
    web_port, master_port = free_port(), free_port()
    master, worker = local_arguments(pods, service, files, web_port, master_port)
    spec = {name: pods[name]["template"]["spec"] for name in ("locust-master", "locust-worker")}
    replicas = pods["locust-worker"]["replicas"]
    processes = [started([*locust(spec["locust-master"]), *master], tmp_path / "master.log")] + [
        started([*locust(spec["locust-worker"]), *worker], tmp_path / f"worker-{index}.log")
        for index in range(replicas)
    ]
    try:
        return run_from_the_ui(f"http://{LOOPBACK}:{web_port}", replicas)
    finally:
        stop(processes)


def requests_of(report: dict[str, Any]) -> int:
    return sum(e["num_requests"] for e in report["stats"] if e["name"] == PREDICTION_ROUTE)


@pytest.mark.parametrize("locust", [venv_locust, podman_locust], ids=["venv", "podman"])
def test_the_master_and_its_workers_load_the_service(
    pods: dict, service: str, locust: Callable, tmp_path: Path
) -> None:
    if locust is podman_locust:
        problem = podman_unavailable(container(pods, "locust-master")["image"])
        if problem is not None:
            pytest.skip(problem)
    report = play(pods, service, locust, tmp_path)
    [route] = [entry for entry in report["stats"] if entry["name"] == PREDICTION_ROUTE]
    assert (route["method"], route["num_failures"]) == ("POST", 0)
    assert route["num_requests"] > 200
    assert report["worker_count"] == pods["locust-worker"]["replicas"]
    assert report["errors"] == []
