"""The contract between a model, the layers around it and the service that serves them.

A ``Model`` is what a model's author writes: metadata, schemas, and plain ``predict`` and
``predict_batch``. It says whether those calls block (CPU-heavy work, I/O) with ``blocking``.

A ``ServableModel`` is a model as a service calls it: the same metadata and schemas, and the same
two calls as coroutines, plus ``close``. ``served(model)`` makes one of a ``Model``: inline for a
fast model (a call of a few microseconds costs less than any hop to a thread), in a worker thread
for a blocking one, so the event loop keeps answering other requests and the probes meanwhile.

Every decorator of a model (logging, micro-batching…) is a ``ServableModel`` that wraps a
``ServableModel``, so decorators stack in any order. ``predict_batch`` answers one output per input,
in order, or raises: deciding what to do when a batch fails belongs to the layer that batched.
"""

import asyncio
import inspect
from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import BaseModel


@runtime_checkable
class Model(Protocol):
    """A model as its author writes it; the service loads it by class path."""

    qualified_name: ClassVar[str]
    display_name: ClassVar[str]
    description: ClassVar[str]
    version: ClassVar[str]
    input_schema: ClassVar[type[BaseModel]]
    output_schema: ClassVar[type[BaseModel]]
    blocking: ClassVar[bool]

    def predict(self, data: Any) -> Any:
        """The output for one input of ``input_schema``; raises when it cannot predict it."""

    def predict_batch(self, data: Sequence[Any]) -> list[Any]:
        """One output per input, in order; raises when any input cannot be predicted."""


@runtime_checkable
class ServableModel(Protocol):
    """A model as the service calls it, or a layer around one: every layer keeps this shape."""

    qualified_name: str
    display_name: str
    description: str
    version: str
    input_schema: type[BaseModel]
    output_schema: type[BaseModel]

    async def predict(self, data: Any) -> Any:
        """The output for one input; raises what the model raised for it."""

    async def predict_batch(self, data: Sequence[Any]) -> list[Any]:
        """One output per input, in order; raises when the batch cannot be predicted."""

    async def close(self) -> None:
        """Let go of what the layer holds (tasks, queues); the service calls it at shutdown."""


METADATA = ("qualified_name", "display_name", "description", "version")
SCHEMAS = ("input_schema", "output_schema")


def missing_members(candidate: Any, protocol: type) -> list[str]:
    """The members of ``protocol`` that ``candidate`` (a class or an instance) lacks."""
    methods = [name for name, value in vars(protocol).items() if inspect.isfunction(value)]
    members = [*protocol.__annotations__, *(name for name in methods if not name.startswith("_"))]
    return [name for name in members if not hasattr(candidate, name)]


def copy_metadata(target: Any, source: Any) -> None:
    """Give ``target`` the metadata and schemas of ``source``: the layer looks like the model."""
    for name in (*METADATA, *SCHEMAS):
        setattr(target, name, getattr(source, name))


def check_implements(candidate: Any, protocol: type) -> None:
    """TypeError naming what ``candidate`` lacks to be a ``protocol``."""
    missing = missing_members(candidate, protocol)
    if missing:
        name = getattr(candidate, "__qualname__", type(candidate).__qualname__)
        raise TypeError(f"{name} is not a {protocol.__name__}: it has no {', '.join(missing)}")


class ModelDecorator:
    """A ``ServableModel`` around another: the same metadata and schemas, calls passed down.

    Subclasses override the calls they add to and keep the signatures.
    """

    def __init__(self, model: ServableModel) -> None:
        check_implements(model, ServableModel)
        self.model = model
        copy_metadata(self, model)

    async def predict(self, data: Any) -> Any:
        return await self.model.predict(data)

    async def predict_batch(self, data: Sequence[Any]) -> list[Any]:
        return await self.model.predict_batch(data)

    async def close(self) -> None:
        await self.model.close()


class InlineModel:
    """A fast ``Model`` served on the event loop: each call runs at once, in the loop's thread."""

    def __init__(self, model: Model) -> None:
        check_implements(model, Model)
        self.wrapped = model
        copy_metadata(self, model)

    async def predict(self, data: Any) -> Any:
        return self.wrapped.predict(data)

    async def predict_batch(self, data: Sequence[Any]) -> list[Any]:
        return self.wrapped.predict_batch(data)

    async def close(self) -> None:
        return None


class ThreadedModel(InlineModel):
    """A blocking ``Model`` served from worker threads, so the event loop never waits for it.

    The call carries the caller's context (its prediction id) into the thread.
    """

    async def predict(self, data: Any) -> Any:
        return await asyncio.to_thread(self.wrapped.predict, data)

    async def predict_batch(self, data: Sequence[Any]) -> list[Any]:
        return await asyncio.to_thread(self.wrapped.predict_batch, data)


def served(model: Model) -> ServableModel:
    """The model as the service calls it: in worker threads when it blocks, else inline."""
    check_implements(model, Model)
    return ThreadedModel(model) if model.blocking else InlineModel(model)
