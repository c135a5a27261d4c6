"""Adaptive micro-batching: concurrent requests to a model share one ``predict_batch`` call.

``MicroBatching`` is a model decorator like any other: put it in a model's ``decorators`` in the
YAML. A request puts its input on the queue and awaits its own future. One task takes what is
queued, up to ``max_batch_size``, waits up to ``max_wait_ms`` for more while the batch is not
full, and predicts the batch in one call. Under light load a batch holds one request; under
heavy load batches grow by themselves, because requests queue up while the model works.

Each request keeps its own prediction id, its own result and its own error. A batch that fails
is predicted again item by item, each item under its own prediction id: one bad input then
fails only its own request. That policy is the batcher's, since it is the batcher that put the
requests together. With the logging decorator outside (after) this one in the YAML, each
request is logged once, by its own task; inside (before) it, the batch is logged as a batch.
"""

import asyncio
import contextlib
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import ConfigDict, Field, validate_call

from model_contract.context import (
    batch_prediction_ids_context,
    current_prediction_id,
    prediction_id_context,
)
from model_contract.servable import ModelDecorator, ServableModel

BatchSize = Annotated[
    int, Field(ge=1, le=1024, description="The most requests one predict_batch call takes.")
]
WaitMs = Annotated[
    float,
    Field(
        ge=0,
        le=100,
        description="How long a batch that is not full waits for more requests. 0: it takes "
        "what is queued at once, so batches grow only as fast as requests queue up.",
    ),
]


@dataclass(frozen=True)
class Pending:
    data: Any
    prediction_id: str
    result: asyncio.Future


class MicroBatching(ModelDecorator):
    """Groups concurrent predictions into batches; its task starts with the first request."""

    @validate_call(config=ConfigDict(arbitrary_types_allowed=True))
    def __init__(
        self, model: ServableModel, max_batch_size: BatchSize = 32, max_wait_ms: WaitMs = 0.0
    ) -> None:
        super().__init__(model)
        self.max_batch_size = max_batch_size
        self.max_wait = max_wait_ms / 1000
        self._queue: deque[Pending] = deque()
        self._queued = asyncio.Event()
        self._full = asyncio.Event()
        self._task: asyncio.Task | None = None
        self.batch_sizes: deque[int] = deque(maxlen=1000)  # recent sizes, for tests and benchmarks

    async def predict(self, data: Any) -> Any:
        """The model's prediction for ``data``; raises what the model raised for it."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())
        pending = Pending(data, current_prediction_id(), asyncio.get_running_loop().create_future())
        self._queue.append(pending)
        self._queued.set()
        if len(self._queue) >= self.max_batch_size:
            self._full.set()
        return await pending.result

    async def close(self) -> None:
        """Stop taking batches; requests still queued fail with CancelledError."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for pending in self._queue:
            pending.result.cancel()
        await super().close()

    async def _run(self) -> None:
        while True:
            await self._queued.wait()
            if self.max_wait and len(self._queue) < self.max_batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self.max_wait)
            batch = self._take_batch()
            self._settle(batch, await self._outcomes(batch))
            await asyncio.sleep(0)  # let the requests that arrived meanwhile queue up

    def _take_batch(self) -> list[Pending]:
        size = min(len(self._queue), self.max_batch_size)
        batch = [self._queue.popleft() for _ in range(size)]
        if not self._queue:
            self._queued.clear()
        if len(self._queue) < self.max_batch_size:
            self._full.clear()
        self.batch_sizes.append(len(batch))
        return batch

    async def _outcomes(self, batch: Sequence[Pending]) -> list[Any]:
        """One result or exception per request: the batch in one call, else item by item."""
        with batch_prediction_ids_context([pending.prediction_id for pending in batch]):
            try:
                results = await self.model.predict_batch([pending.data for pending in batch])
            except Exception:
                results = None
        if results is not None and len(results) == len(batch):
            return results
        return [await self._alone(pending) for pending in batch]

    async def _alone(self, pending: Pending) -> Any:
        """The request predicted by itself, under its own id: its result or its error."""
        with prediction_id_context(pending.prediction_id):
            try:
                return await self.model.predict(pending.data)
            except Exception as error:
                return error

    @staticmethod
    def _settle(batch: Sequence[Pending], outcomes: Sequence[Any]) -> None:
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.result.cancelled():
                continue
            if isinstance(outcome, Exception):
                pending.result.set_exception(outcome)
            else:
                pending.result.set_result(outcome)
