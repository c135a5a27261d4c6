"""The prediction ids of the request being served, shared through context variables.

A service sets the id per request (e.g. from an ``X-Request-ID`` header); the logging decorator
reads it, so the decorator needs to know nothing about HTTP. A layer that batches the inputs of
several requests sets the ids of the whole batch, in the order of its inputs.
"""

import itertools
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar

_prediction_id: ContextVar[str | None] = ContextVar("prediction_id", default=None)
_batch_prediction_ids: ContextVar[tuple[str, ...] | None] = ContextVar(
    "batch_prediction_ids", default=None
)


class IdSource:
    """Ids unique across processes and restarts, cheaply: 64 random bits drawn once per process
    (again after a fork), then a counter, written in a UUID's groups (8-4-4-4-12 hex digits).

    ``uuid.uuid4()`` asks the kernel for randomness on every call; nothing here needs a request's
    id to be unpredictable, only unique.
    """

    def __init__(self) -> None:
        self.renew()
        os.register_at_fork(after_in_child=self.renew)

    def renew(self) -> None:
        prefix = os.urandom(8).hex()
        self.prefix = f"{prefix[:8]}-{prefix[8:12]}-{prefix[12:]}-"
        self.counter = itertools.count()

    def next(self) -> str:
        number = f"{next(self.counter):016x}"
        return f"{self.prefix}{number[:4]}-{number[4:]}"


_ids = IdSource()


def new_prediction_id() -> str:
    """A new id, unique in this process and, with 64 random bits, across processes."""
    return _ids.next()


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


@contextmanager
def batch_prediction_ids_context(prediction_ids: Sequence[str]) -> Iterator[None]:
    """Make ``prediction_ids`` the ids of the batch predicted inside the ``with`` block."""
    token = _batch_prediction_ids.set(tuple(prediction_ids))
    try:
        yield
    finally:
        _batch_prediction_ids.reset(token)


def batch_prediction_ids(count: int) -> list[str]:
    """The ids set for this batch of ``count`` inputs, or new ones when none are set."""
    ids = _batch_prediction_ids.get()
    if ids is None:
        return [new_prediction_id() for _ in range(count)]
    if len(ids) != count:
        raise ValueError(f"a batch of {count} inputs has {len(ids)} prediction ids")
    return list(ids)
