import asyncio
import logging

import pytest

from ml_model_logging.context import prediction_id_context
from ml_model_logging.decorator import PREDICTION_LOGGER, LoggingDecorator
from model_service.batching import MicroBatcher, predict_each
from support.stub_models import StubInput, StubModel


async def predict_concurrently(batcher: MicroBatcher, xs: list[float]) -> list[object]:
    """One task per input, each with its own prediction id, as concurrent requests are."""

    async def request(x: float) -> object:
        with prediction_id_context(f"request-{x:g}"):
            return await batcher.predict(StubInput(x=x))

    return await asyncio.gather(*(request(x) for x in xs), return_exceptions=True)


def run_batcher(model: object, xs: list[float], max_batch_size: int = 8, max_wait_ms: float = 0):
    async def scenario() -> tuple[list[object], list[int]]:
        batcher = MicroBatcher(model, max_batch_size, max_wait_ms)
        outcomes = await predict_concurrently(batcher, xs)
        await batcher.stop()
        return outcomes, list(batcher.batch_sizes)

    return asyncio.run(scenario())


def test_concurrent_requests_share_batches_and_keep_their_own_results() -> None:
    xs = [float(x % 7 or 1) for x in range(20)]
    outcomes, sizes = run_batcher(StubModel(), xs, max_batch_size=8)
    assert [outcome.y for outcome in outcomes] == [2 * x for x in xs]
    assert sum(sizes) == 20
    assert max(sizes) == 8  # batched, never above the maximum
    assert len(sizes) < 20


def test_a_failing_request_fails_alone() -> None:
    outcomes, sizes = run_batcher(StubModel(), [1.0, StubModel.FAILING_X, 3.0])
    assert sizes == [3]
    assert isinstance(outcomes[1], RuntimeError)
    assert [outcomes[0].y, outcomes[2].y] == [2.0, 6.0]


def test_each_request_keeps_its_own_log_records(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=PREDICTION_LOGGER)
    model = LoggingDecorator(StubModel(), input_fields=["x"], output_fields=["y"])
    run_batcher(model, [1.0, 2.0, StubModel.FAILING_X])
    by_id = {}
    for record in caplog.records:
        by_id.setdefault(record.prediction_id, []).append(record.getMessage())
    assert by_id == {
        "request-1": ["Prediction requested", "Prediction created"],
        "request-2": ["Prediction requested", "Prediction created"],
        "request-7": ["Prediction requested", "Prediction failed"],
    }
    created = [record for record in caplog.records if record.getMessage() == "Prediction created"]
    assert sorted(record.output["y"] for record in created) == [2.0, 4.0]


def test_a_batch_waits_up_to_max_wait_for_more_requests() -> None:
    async def scenario() -> list[int]:
        batcher = MicroBatcher(StubModel(), max_batch_size=4, max_wait_ms=50)
        first = asyncio.create_task(batcher.predict(StubInput(x=1.0)))
        await asyncio.sleep(0.01)  # within the wait: joins the first request's batch
        second = asyncio.create_task(batcher.predict(StubInput(x=2.0)))
        await asyncio.gather(first, second)
        await batcher.stop()
        return list(batcher.batch_sizes)

    assert asyncio.run(scenario()) == [2]


def test_an_error_outside_the_model_fails_the_batch_without_hanging() -> None:
    class Unbatchable(StubModel):
        def predict_batch(self, data):  # returns too few results: a broken model
            return []

    outcomes, _ = run_batcher(Unbatchable(), [1.0, 2.0])
    assert all(isinstance(outcome, ValueError) for outcome in outcomes)


def test_stopping_cancels_requests_still_queued() -> None:
    async def scenario() -> bool:
        batcher = MicroBatcher(StubModel(), max_batch_size=4, max_wait_ms=100)
        waiting = asyncio.create_task(batcher.predict(StubInput(x=1.0)))
        await asyncio.sleep(0.01)
        await batcher.stop()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        return True

    assert asyncio.run(scenario())


def test_predict_each_on_an_undecorated_model_isolates_failures() -> None:
    outcomes = predict_each(
        StubModel(), [StubInput(x=StubModel.FAILING_X), StubInput(x=1.0)], ["a", "b"]
    )
    assert isinstance(outcomes[0], RuntimeError)
    assert outcomes[1].y == 2.0
