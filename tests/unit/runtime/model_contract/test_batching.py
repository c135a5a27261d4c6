import asyncio
import logging
from collections import defaultdict

import pytest

from ml_model_logging.decorator import PREDICTION_LOGGER, LoggingDecorator
from model_contract.batching import MicroBatching
from model_contract.context import prediction_id_context
from model_contract.servable import ServableModel, served
from support.stub_models import StubInput, StubModel

pytestmark = pytest.mark.anyio


async def predict_concurrently(model: ServableModel, xs: list[float]) -> list[object]:
    """One task per input, each with its own prediction id, as concurrent requests are."""

    async def request(x: float) -> object:
        with prediction_id_context(f"request-{x:g}"):
            return await model.predict(StubInput(x=x))

    return await asyncio.gather(*(request(x) for x in xs), return_exceptions=True)


async def run_batcher(
    model: object, xs: list[float], max_batch_size: int = 8, max_wait_ms: float = 0
) -> tuple[list[object], list[int]]:
    batcher = MicroBatching(served(model), max_batch_size, max_wait_ms)
    outcomes = await predict_concurrently(batcher, xs)
    await batcher.close()
    return outcomes, list(batcher.batch_sizes)


def records_by_id(caplog: pytest.LogCaptureFixture) -> dict[str, list[str]]:
    by_id = defaultdict(list)
    for record in caplog.records:
        by_id[record.prediction_id].append(record.getMessage())
    return dict(by_id)


async def test_concurrent_requests_share_batches_and_keep_their_own_results() -> None:
    xs = [float(x % 7 or 1) for x in range(20)]
    outcomes, sizes = await run_batcher(StubModel(), xs, max_batch_size=8)
    assert [outcome.y for outcome in outcomes] == [2 * x for x in xs]
    assert sum(sizes) == 20
    assert max(sizes) == 8  # batched, never above the maximum
    assert len(sizes) < 20


async def test_a_failing_request_fails_alone() -> None:
    outcomes, sizes = await run_batcher(StubModel(), [1.0, StubModel.FAILING_X, 3.0])
    assert sizes == [3]
    assert isinstance(outcomes[1], RuntimeError)
    assert [outcomes[0].y, outcomes[2].y] == [2.0, 6.0]


async def test_it_is_a_servable_model_with_the_same_metadata() -> None:
    batcher = MicroBatching(served(StubModel()))
    assert isinstance(batcher, ServableModel)
    assert (batcher.qualified_name, batcher.input_schema) == ("stub_model", StubInput)
    assert [y.y for y in await batcher.predict_batch([StubInput(x=1.0)])] == [2.0]
    await batcher.close()


async def test_logging_outside_the_batcher_logs_each_request_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=PREDICTION_LOGGER)
    batcher = MicroBatching(served(StubModel()), max_batch_size=8)
    model = LoggingDecorator(batcher, input_fields=["x"], output_fields=["y"])
    await predict_concurrently(model, [1.0, 2.0, StubModel.FAILING_X])
    await model.close()
    assert records_by_id(caplog) == {
        "request-1": ["Prediction requested", "Prediction created"],
        "request-2": ["Prediction requested", "Prediction created"],
        "request-7": ["Prediction requested", "Prediction failed"],
    }
    assert list(batcher.batch_sizes) == [3]


async def test_logging_inside_the_batcher_logs_the_batch_under_each_request_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=PREDICTION_LOGGER)
    logged = LoggingDecorator(served(StubModel()), input_fields=["x"], output_fields=["y"])
    outcomes = await predict_concurrently(MicroBatching(logged), [1.0, 2.0])
    assert [outcome.y for outcome in outcomes] == [2.0, 4.0]
    assert records_by_id(caplog) == {
        "request-1": ["Prediction requested", "Prediction created"],
        "request-2": ["Prediction requested", "Prediction created"],
    }


async def test_logging_inside_a_failed_batch_shows_the_batch_then_each_retry(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger=PREDICTION_LOGGER)
    logged = LoggingDecorator(served(StubModel()), input_fields=["x"], output_fields=["y"])
    outcomes = await predict_concurrently(MicroBatching(logged), [1.0, StubModel.FAILING_X])
    assert outcomes[0].y == 2.0
    assert isinstance(outcomes[1], RuntimeError)
    batch = ["Prediction requested", "Prediction failed"]
    assert records_by_id(caplog) == {
        "request-1": [*batch, "Prediction requested", "Prediction created"],
        "request-7": [*batch, "Prediction requested", "Prediction failed"],
    }


async def test_a_batch_waits_up_to_max_wait_for_more_requests() -> None:
    batcher = MicroBatching(served(StubModel()), max_batch_size=4, max_wait_ms=50)
    first = asyncio.create_task(batcher.predict(StubInput(x=1.0)))
    await asyncio.sleep(0.01)  # within the wait: joins the first request's batch
    second = asyncio.create_task(batcher.predict(StubInput(x=2.0)))
    await asyncio.gather(first, second)
    await batcher.close()
    assert list(batcher.batch_sizes) == [2]


async def test_a_model_that_answers_a_batch_wrongly_is_asked_item_by_item() -> None:
    class Unbatchable(StubModel):
        def predict_batch(self, data):  # returns too few results: a broken model
            return []

    outcomes, sizes = await run_batcher(Unbatchable(), [1.0, 2.0])
    assert [outcome.y for outcome in outcomes] == [2.0, 4.0]
    assert sizes == [2]


async def test_closing_cancels_requests_still_queued() -> None:
    batcher = MicroBatching(served(StubModel()), max_batch_size=4, max_wait_ms=100)
    waiting = asyncio.create_task(batcher.predict(StubInput(x=1.0)))
    await asyncio.sleep(0.01)
    await batcher.close()
    with pytest.raises(asyncio.CancelledError):
        await waiting


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"max_batch_size": 0}, "max_batch_size"),
        ({"max_wait_ms": 500}, "max_wait_ms"),
    ],
)
async def test_bad_settings_are_named(settings: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        MicroBatching(served(StubModel()), **settings)
