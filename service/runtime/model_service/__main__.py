"""Run the service with uvicorn: ``python -m model_service``.

The environment chooses everything: ``SERVICE_CONFIG`` (required), ``HOST`` (0.0.0.0),
``PORT`` (8000), ``WORKERS`` (1) and ``REUSE_PORT`` (false). SIGTERM or Ctrl-C shuts down
gracefully: in-flight requests finish and the log queue is flushed.

``REUSE_PORT=true`` binds the port with ``SO_REUSEPORT``: several servers of the same user then
listen on one port, and the kernel spreads new connections over them. Pods that share the host's
network (``make deploy-podman``) use it in place of a Kubernetes Service. It stays off by default,
so a second ``make serve`` on a busy port fails instead of quietly sharing it.
"""

import os
import socket
import sys
import tempfile
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from common.yaml_files import ConfigurationError
from model_service.configuration import configuration_from_environment
from model_service.metrics import MULTIPROCESS_DIR_ENV_VAR

GRACEFUL_SHUTDOWN_SECONDS = 20
REUSE_PORT_ENV_VAR = "REUSE_PORT"
MAX_PORT = 65535
TRUE_WORDS = ("1", "true", "yes")
FALSE_WORDS = ("", "0", "false", "no")


@dataclass(frozen=True)
class ServerSettings:
    """Where and how uvicorn listens, as the environment says."""

    host: str = "0.0.0.0"
    port: int = 8000
    workers: int = 1
    reuse_port: bool = False


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


def settings_from_environment() -> ServerSettings:
    """``HOST``, ``PORT``, ``WORKERS`` and ``REUSE_PORT``; ConfigurationError names a bad one."""
    return ServerSettings(
        host=os.environ.get("HOST", ServerSettings.host),
        port=integer_variable("PORT", ServerSettings.port, minimum=0, maximum=MAX_PORT),
        workers=integer_variable("WORKERS", ServerSettings.workers, minimum=1),
        reuse_port=boolean_variable(REUSE_PORT_ENV_VAR),
    )


def shared_socket(host: str, port: int) -> socket.socket:
    """A socket bound with ``SO_REUSEPORT``, for uvicorn to listen on (and its workers)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listening.bind((host, port))
    listening.set_inheritable(True)
    return listening


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
    """Run uvicorn until it is stopped; on a port it shares when ``settings.reuse_port``."""
    if not settings.reuse_port:
        uvicorn.run(**uvicorn_arguments(settings))
        return
    config = uvicorn.Config(**uvicorn_arguments(settings))
    server = uvicorn.Server(config)
    sockets = [shared_socket(settings.host, settings.port)]
    if settings.workers == 1:
        server.run(sockets=sockets)
    else:
        Multiprocess(config, target=server.run, sockets=sockets).run()


def main() -> int:
    try:
        configuration_from_environment()  # fail here, with a clear message, not in a worker
        settings = settings_from_environment()
    except ConfigurationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if settings.workers > 1 and not os.environ.get(MULTIPROCESS_DIR_ENV_VAR):
        # the workers share their metrics through files here; a fresh folder for each start
        os.environ[MULTIPROCESS_DIR_ENV_VAR] = tempfile.mkdtemp(prefix="prometheus-")
    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
