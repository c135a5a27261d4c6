"""The prediction id of the request being served, shared through a context variable.

A service sets it per request (e.g. from an ``X-Request-ID`` header); the logging decorator
reads it, so the decorator needs to know nothing about HTTP.
"""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_prediction_id: ContextVar[str | None] = ContextVar("prediction_id", default=None)


def new_prediction_id() -> str:
    return str(uuid.uuid4())


def current_prediction_id() -> str:
    """The id set for this context, or a new one."""
    return _prediction_id.get() or new_prediction_id()


@contextmanager
def prediction_id_context(prediction_id: str) -> Iterator[str]:
    """Make ``prediction_id`` current inside the ``with`` block."""
    token = _prediction_id.set(prediction_id)
    try:
        yield prediction_id
    finally:
        _prediction_id.reset(token)
