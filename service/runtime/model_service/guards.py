"""What a request must pass before its body is validated: its size, its key, its content type."""

import hashlib
import hmac
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import HTTPException, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyHeader

JSON_MEDIA_TYPE = "application/json"  # what the service reads and answers


def is_json(content_type: str) -> bool:
    """Whether a Content-Type header names JSON: application/json or application/*+json."""
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type == JSON_MEDIA_TYPE or (
        media_type.startswith("application/") and media_type.endswith("+json")
    )


async def require_json(request: Request) -> None:
    """415 unless the body is declared as JSON."""
    content_type = request.headers.get("content-type", "")
    if not is_json(content_type):
        sent = f"Content-Type {content_type!r}" if content_type else "no Content-Type"
        raise HTTPException(
            status_code=415,
            detail=f"Send the body as JSON with Content-Type: {JSON_MEDIA_TYPE}; "
            f"this request has {sent}.",
        )


def key_digest(key: bytes) -> bytes:
    """SHA-256 of a key: compared as digests, keys of any length take the same time."""
    return hashlib.sha256(key).digest()


def header_bytes(value: str) -> bytes:
    """A header's value as the client sent it (Starlette decodes the bytes as latin-1)."""
    return value.encode("latin-1", errors="replace")


def matches_any(given: str, digests: Sequence[bytes]) -> bool:
    """Whether ``given`` is one of the keys whose ``digests`` these are.

    Every key is compared, each in constant time, and the answers are combined without
    short-circuiting: the time taken tells neither a key's length nor which key matched.
    """
    given_digest = key_digest(header_bytes(given))
    matched = False
    for digest in digests:
        matched |= hmac.compare_digest(given_digest, digest)
    return matched


def api_key_check(header: str, api_keys: Sequence[str]) -> Callable:
    """A dependency that answers 401 unless the request carries one of ``api_keys`` in
    ``header`` (during a rotation, the current key and the next one)."""
    if not api_keys:
        raise ValueError("an API key check needs at least one key")
    digests = [key_digest(key.encode()) for key in api_keys]
    scheme = APIKeyHeader(name=header, auto_error=False, description="The service's API key.")

    async def check_api_key(given: str | None = Security(scheme)) -> None:
        if given is None:
            problem = f"Missing API key: send it in the {header} header."
        elif not matches_any(given, digests):
            problem = f"Invalid API key in the {header} header."
        else:
            return
        raise HTTPException(status_code=401, detail=problem, headers={"WWW-Authenticate": header})

    return check_api_key


class BodyTooLarge(HTTPException):
    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body is over the limit of {max_bytes} bytes.")


def declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    """The Content-Length header's value; None when absent (a chunked body)."""
    for name, value in headers:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodySizeLimitMiddleware:
    """413 for a body over ``max_bytes``: at once when Content-Length says so, else as it arrives.

    FastAPI's own ``max_body_size`` answers a declared oversize body in plain text, without the
    limit, and outside the request id and metrics middleware; this one answers in JSON inside them.
    """

    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = declared_length(scope["headers"])
        if length is not None and length > self.max_bytes:
            error = BodyTooLarge(self.max_bytes)
            response = JSONResponse({"detail": error.detail}, status_code=error.status_code)
            await response(scope, receive, send)
            return
        await self.app(scope, self.limited(receive), send)

    def limited(self, receive: Callable) -> Callable:
        """``receive`` that raises BodyTooLarge once the body passes the limit."""
        received = 0

        async def receive_within_limit() -> dict:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise BodyTooLarge(self.max_bytes)
            return message

        return receive_within_limit
