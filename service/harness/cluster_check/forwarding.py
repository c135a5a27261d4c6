"""``kubectl port-forward`` to a Service on a free local port, while a ``with`` block runs.

It works with every minikube driver and every cluster kubectl reaches, where a NodePort or the
node's IP may not answer from the host.
"""

import contextlib
import subprocess
import threading
from collections.abc import Callable, Iterator

from kubernetes_deployment.manifests import (
    NAMESPACE,
    KubectlError,
    context_arguments,
    kubectl_path,
)
from service_runner.readiness import free_port

LISTENING = "Forwarding from"  # kubectl's first line once it listens

Kubectl = Callable[..., str]
"""How the checks run kubectl: ``manifests.kubectl``'s signature, so tests can pass a fake."""


def port_forward_command(
    service: str, port: int, local_port: int, context: str | None = None
) -> list[str]:
    """``kubectl port-forward`` from 127.0.0.1:``local_port`` to ``port`` of the Service."""
    return [
        kubectl_path(), "port-forward", "--namespace", NAMESPACE, f"service/{service}",
        f"{local_port}:{port}", *context_arguments(context),
    ]  # fmt: skip


def wait_until_listening(process: subprocess.Popen, service: str) -> None:
    """Return once kubectl says it listens; KubectlError with what it said if it stops first."""
    first = process.stdout.readline()
    if not first.startswith(LISTENING):
        process.wait()
        said = (first + process.stdout.read()).strip() or f"exit {process.returncode}"
        raise KubectlError(f"kubectl port-forward service/{service}: {said}")


def drain(process: subprocess.Popen) -> None:
    """Read kubectl's output in the background: a full pipe would stall the forward (kubectl
    writes a line for each connection)."""
    threading.Thread(target=process.stdout.read, daemon=True).start()


@contextlib.contextmanager
def forwarded(service: str, port: int, context: str | None = None) -> Iterator[str]:
    """The Service's URL on 127.0.0.1 while the block runs; KubectlError if kubectl fails."""
    local_port = free_port()
    process = subprocess.Popen(
        port_forward_command(service, port, local_port, context),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_listening(process, service)
        drain(process)
        yield f"http://127.0.0.1:{local_port}"
    finally:
        process.terminate()
        process.wait()
