"""Keep-alive connections that end after a while, so load spreads again over workers and pods.

A client on a keep-alive connection stays with the worker that accepted it. After a worker dies
and uvicorn starts another, or Kubernetes adds a pod, the load would stay where it was: the
clients reconnected to the survivors and never leave. Like gRPC's ``MAX_CONNECTION_AGE``, a
response on a connection past its age says ``Connection: close``; the client's next request
opens a new connection, which any worker may accept. Ages are spread over half to all of the
maximum, so the clients do not all reconnect at once.
"""

import random
import time
from collections.abc import Callable
from typing import Any

CLOSE = (b"connection", b"close")


class ConnectionAgeMiddleware:
    """Closes each keep-alive connection after its first response past ``max_age_s``."""

    def __init__(self, app: Any, max_age_s: float) -> None:
        self.app, self.max_age_s = app, max_age_s
        self.deadlines: dict[Any, float] = {}
        self.next_prune = time.monotonic() + max_age_s

    def deadline(self, now: float) -> float:
        return now + self.max_age_s * random.uniform(0.5, 1.0)

    def prune(self, now: float) -> None:
        """Forget connections an age past their deadline: they closed without another request."""
        oldest = now - self.max_age_s
        self.deadlines = {key: end for key, end in self.deadlines.items() if end > oldest}
        self.next_prune = now + self.max_age_s

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        connection = scope.get("client")
        if scope["type"] != "http" or connection is None:
            await self.app(scope, receive, send)
            return
        now = time.monotonic()
        if now > self.next_prune:
            self.prune(now)
        if self.deadlines.setdefault(connection, self.deadline(now)) > now:
            await self.app(scope, receive, send)
            return
        del self.deadlines[connection]
        await self.app(scope, receive, closing(send))


def closing(send: Callable) -> Callable:
    """``send`` that adds ``Connection: close`` to the response."""

    async def send_and_close(message: dict) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), CLOSE]
        await send(message)

    return send_and_close
