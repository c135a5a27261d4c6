"""Waiting for a service to be ready: the readiness probe, polled until it answers 200."""

import socket
import time
from collections.abc import Callable

import httpx

from model_service.routes import READY_PATH

POLL_SECONDS = 0.1


class NotReadyError(RuntimeError):
    """The service did not answer its readiness probe with 200 in time, or stopped first."""


def is_ready(url: str) -> bool:
    """Whether the service at ``url`` answers its readiness probe with 200."""
    try:
        return httpx.get(url + READY_PATH, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def wait_until_ready(
    url: str, timeout: float, still_running: Callable[[], bool] = lambda: True
) -> float:
    """Poll the probe; return the seconds it took. NotReadyError on timeout or once stopped."""
    started = time.monotonic()
    while not is_ready(url):
        if not still_running():
            raise NotReadyError(f"the service exited before it was ready ({url})")
        if time.monotonic() - started > timeout:
            raise NotReadyError(f"the service was not ready after {timeout} s ({url})")
        time.sleep(POLL_SECONDS)
    return time.monotonic() - started


def free_port() -> int:
    """A TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
