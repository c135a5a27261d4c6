"""The ``X-Request-ID`` header: taken from the request when usable, returned on every response."""

import re
from collections.abc import Callable
from typing import Any

from model_contract.context import new_prediction_id, prediction_id_context

HEADER = b"x-request-id"
USABLE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")


def request_id_from(headers: list[tuple[bytes, bytes]]) -> str:
    """The client's id when it is short and plain; otherwise a new one."""
    for name, value in headers:
        if name == HEADER and USABLE_ID.fullmatch(value):
            return value.decode()
    return new_prediction_id()


class RequestIdMiddleware:
    """Makes the request's id the current prediction id, and sends it back as ``X-Request-ID``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope["headers"])

        async def send_with_id(message: dict) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, request_id.encode())]
            await send(message)

        with prediction_id_context(request_id):
            await self.app(scope, receive, send_with_id)
