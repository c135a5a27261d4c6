"""Run the service with uvicorn: ``python -m model_service``.

The environment chooses everything: ``SERVICE_CONFIG`` (required), ``HOST`` (0.0.0.0),
``PORT`` (8000), ``WORKERS`` (1) and ``REUSE_PORT`` (false). SIGTERM or Ctrl-C shuts down
gracefully: in-flight requests finish and the log queue is flushed.

When the configuration sets ``metrics_port``, the same app listens on that port too, on the same
host: it answers ``/metrics`` there and nowhere else (``model_service.ports``). It must differ from
``PORT``.

``REUSE_PORT=true`` binds the port with ``SO_REUSEPORT``: several servers of the same user then
listen on one port, and the kernel spreads new connections over them. Pods that share the host's
network (``make deploy-podman``) use it in place of a Kubernetes Service, and share the metrics
port the same way. It stays off by default, so a second ``make serve`` on a busy port fails
instead of quietly sharing it.
"""

import os
import socket
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

from common.yaml_files import ConfigurationError
from model_service.configuration import MAX_PORT, configuration_from_environment
from model_service.metrics import MULTIPROCESS_DIR_ENV_VAR

GRACEFUL_SHUTDOWN_SECONDS = 20
REUSE_PORT_ENV_VAR = "REUSE_PORT"
PORT_ENV_VAR = "PORT"
TRUE_WORDS = ("1", "true", "yes")
FALSE_WORDS = ("", "0", "false", "no")


@dataclass(frozen=True)
class ServerSettings:
    """Where and how uvicorn listens: as the environment and the metrics_port say."""

    host: str = "0.0.0.0"
    port: int = 8000
    workers: int = 1
    reuse_port: bool = False
    metrics_port: int | None = None  # the configuration's: /metrics alone listens there

    @property
    def ports(self) -> list[int]:
        """The ports to listen on: the API's, then the metrics port when there is one."""
        return [self.port] if self.metrics_port is None else [self.port, self.metrics_port]


def integer_variable(name: str, default: int, minimum: int, maximum: int | None = None) -> int:
    """The environment variable ``name`` as an integer from ``minimum`` to ``maximum``."""
    text = os.environ.get(name, str(default))
    try:
        value = int(text)
    except ValueError:
        value = minimum - 1
    if value < minimum or (maximum is not None and value > maximum):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"of at least {minimum}"
        raise ConfigurationError(f"{name}={text!r} is not a whole number {bounds}")
    return value


def boolean_variable(name: str) -> bool:
    """The environment variable ``name`` as true or false; unset is false."""
    text = os.environ.get(name, "").strip().lower()
    if text not in TRUE_WORDS + FALSE_WORDS:
        raise ConfigurationError(f"{name}={text!r} is neither true nor false (use true or false)")
    return text in TRUE_WORDS


def settings_from_environment(metrics_port: int | None = None) -> ServerSettings:
    """``HOST``, ``PORT``, ``WORKERS`` and ``REUSE_PORT``, with the configuration's
    ``metrics_port``; ConfigurationError names a bad one, or a ``PORT`` that is the metrics port."""
    port = integer_variable(PORT_ENV_VAR, ServerSettings.port, minimum=0, maximum=MAX_PORT)
    if port == metrics_port:
        raise ConfigurationError(
            f"{PORT_ENV_VAR}={port} is the configuration's metrics_port {metrics_port} too: the "
            f"API and /metrics listen on ports of their own; choose another {PORT_ENV_VAR}"
        )
    return ServerSettings(
        host=os.environ.get("HOST", ServerSettings.host),
        port=port,
        workers=integer_variable("WORKERS", ServerSettings.workers, minimum=1),
        reuse_port=boolean_variable(REUSE_PORT_ENV_VAR),
        metrics_port=metrics_port,
    )


class PortUnavailableError(RuntimeError):
    """A port to listen on cannot be bound (another program has it); the message names it."""


def listening_socket(host: str, port: int, reuse_port: bool) -> socket.socket:
    """A socket bound to ``host:port`` for uvicorn to listen on (and its workers), with
    ``SO_REUSEPORT`` when ``reuse_port``; PortUnavailableError when it cannot be bound."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        listening.bind((host, port))
    except OSError as error:
        listening.close()
        raise PortUnavailableError(f"cannot listen on {host}:{port}: {error.strerror}") from None
    listening.set_inheritable(True)
    return listening


def listening_sockets(settings: ServerSettings) -> list[socket.socket]:
    """A bound socket for each of the settings' ports; none left open when one cannot be."""
    sockets: list[socket.socket] = []
    try:
        for port in settings.ports:
            sockets.append(listening_socket(settings.host, port, settings.reuse_port))
    except PortUnavailableError:
        for opened in sockets:
            opened.close()
        raise
    return sockets


def uvicorn_arguments(settings: ServerSettings) -> dict[str, Any]:
    return {
        "app": "model_service.main:app",
        "host": settings.host,
        "port": settings.port,
        "workers": settings.workers,
        "loop": "uvloop",
        "http": "httptools",
        "log_config": None,
        "access_log": False,
        "timeout_graceful_shutdown": GRACEFUL_SHUTDOWN_SECONDS,
    }


def serve(settings: ServerSettings) -> None:
    """Run uvicorn until it is stopped: on its ports (the API's, and the metrics port when there
    is one), shared when ``settings.reuse_port``."""
    if not settings.reuse_port and settings.metrics_port is None:
        uvicorn.run(**uvicorn_arguments(settings))
        return
    config = uvicorn.Config(**uvicorn_arguments(settings))
    sockets = listening_sockets(settings)
    if settings.workers > 1:
        Multiprocess(config, sockets=sockets).run()
        return
    server = uvicorn.Server(config)
    server.run(sockets=sockets)
    if not server.started:  # as uvicorn.run does: the app failed to start
        sys.exit(STARTUP_FAILURE)


def main() -> int:
    try:
        configuration = configuration_from_environment()  # fail here, not in a worker
        settings = settings_from_environment(configuration.metrics_port)
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if settings.workers > 1 and not os.environ.get(MULTIPROCESS_DIR_ENV_VAR):
        # the workers share their metrics through files here; a fresh folder for each start
        os.environ[MULTIPROCESS_DIR_ENV_VAR] = tempfile.mkdtemp(prefix="prometheus-")
    try:
        serve(settings)
    except PortUnavailableError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
