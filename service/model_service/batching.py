"""Adaptive micro-batching: concurrent requests to a model share one ``predict_batch`` call.

A request puts its input on the model's queue and awaits its own future. One task per model
takes what is queued, up to ``max_batch_size``, waits up to ``max_wait_ms`` for more while the
batch is not full, and predicts the batch in one call. Under light load a batch holds one
request; under heavy load batches grow by themselves, because requests queue up while the model
works. Each request keeps its own prediction id (so its own log records), its own result and its
own error: a batch that fails is predicted item by item.
"""

import asyncio
import contextlib
from collections import deque
from dataclasses import dataclass
from typing import Any

from ml_model_logging.context import current_prediction_id
from ml_model_logging.decorator import MLModelDecorator, predict_isolated


@dataclass(frozen=True)
class Pending:
    data: Any
    prediction_id: str
    result: asyncio.Future


def predict_each(model: Any, data: list[Any], prediction_ids: list[str]) -> list[Any]:
    """One outcome per item, a result or an exception; decorators get the items' ids."""
    if isinstance(model, MLModelDecorator):
        return model.predict_batch(data, prediction_ids, return_exceptions=True)
    return predict_isolated(model, data)


class MicroBatcher:
    """Groups concurrent predictions for one model; start it inside the running event loop."""

    def __init__(self, model: Any, max_batch_size: int, max_wait_ms: float) -> None:
        self.model, self.max_batch_size = model, max_batch_size
        self.max_wait = max_wait_ms / 1000
        self._queue: deque[Pending] = deque()
        self._queued = asyncio.Event()
        self._full = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run())
        self.batch_sizes: deque[int] = deque(maxlen=1000)  # recent sizes, for tests and benchmarks

    async def predict(self, data: Any) -> Any:
        """The model's prediction for ``data``; raises what the model raised for it."""
        pending = Pending(data, current_prediction_id(), asyncio.get_running_loop().create_future())
        self._queue.append(pending)
        self._queued.set()
        if len(self._queue) >= self.max_batch_size:
            self._full.set()
        return await pending.result

    async def stop(self) -> None:
        """Stop taking batches; requests still queued fail with CancelledError."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        for pending in self._queue:
            pending.result.cancel()

    async def _run(self) -> None:
        while True:
            await self._queued.wait()
            if self.max_wait and len(self._queue) < self.max_batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), self.max_wait)
            self._predict(self._take_batch())
            await asyncio.sleep(0)  # let the requests that arrived meanwhile queue up

    def _take_batch(self) -> list[Pending]:
        size = min(len(self._queue), self.max_batch_size)
        batch = [self._queue.popleft() for _ in range(size)]
        if not self._queue:
            self._queued.clear()
        if len(self._queue) < self.max_batch_size:
            self._full.clear()
        return batch

    def _predict(self, batch: list[Pending]) -> None:
        try:
            outcomes = predict_each(
                self.model, [item.data for item in batch], [item.prediction_id for item in batch]
            )
            if len(outcomes) != len(batch):
                raise ValueError(f"{len(outcomes)} results for a batch of {len(batch)}")
        except Exception as error:  # not the model's: predict_each returns the model's errors
            outcomes = [error] * len(batch)
        self.batch_sizes.append(len(batch))
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.result.cancelled():
                continue
            if isinstance(outcome, Exception):
                pending.result.set_exception(outcome)
            else:
                pending.result.set_result(outcome)
