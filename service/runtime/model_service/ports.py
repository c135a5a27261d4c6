"""Which port answers what, when the metrics have a port of their own (``metrics_port``).

The service listens on the API's port and on the metrics port. A Kubernetes Service, or a port
mapping, forwards only the API's port, and cannot filter by path: so the metrics port answers
``/metrics`` and nothing else, and the API's port answers everything but ``/metrics``. Each
request is told apart by the local port its connection arrived on, the ASGI scope's ``server``.
"""

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.exception_handlers import http_exception_handler
from starlette.exceptions import HTTPException

from model_service.routes import METRICS_PATH

NOT_FOUND = 404


def arrived_on(scope: dict[str, Any]) -> int | None:
    """The local port the request's connection arrived on; None when the server does not say."""
    server = scope.get("server")
    return server[1] if server else None


def belongs_on(scope: dict[str, Any], metrics_port: int) -> bool:
    """Whether the request's path is served on the port it arrived on."""
    return (arrived_on(scope) == metrics_port) == (scope["path"] == METRICS_PATH)


class MetricsPortMiddleware:
    """404 for ``/metrics`` off the metrics port, and for any other path on it.

    The 404 is the app's own answer to an unknown route, ``{"detail": "Not Found"}``.
    """

    def __init__(self, app: Any, metrics_port: int) -> None:
        self.app, self.metrics_port = app, metrics_port

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http" or belongs_on(scope, self.metrics_port):
            await self.app(scope, receive, send)
            return
        response = await http_exception_handler(Request(scope), HTTPException(NOT_FOUND))
        await response(scope, receive, send)
