"""The servable-model contract, with a stub model and with the real one."""

import asyncio
import threading

import pytest

from insurance_charges_model.model import InsuranceChargesModel
from model_contract.context import current_prediction_id, prediction_id_context
from model_contract.servable import (
    InlineModel,
    Model,
    ModelDecorator,
    ServableModel,
    ThreadedModel,
    check_implements,
    missing_members,
    served,
)
from support.stub_models import SlowStubModel, StubInput, StubModel

pytestmark = pytest.mark.anyio


class Unnamed:
    """Predicts, but declares no metadata, schemas or blocking."""

    def predict(self, data: object) -> object:
        return data

    def predict_batch(self, data: list) -> list:
        return data


def test_the_stub_and_the_real_model_are_models(model: InsuranceChargesModel) -> None:
    for candidate in (StubModel, StubModel(), InsuranceChargesModel, model):
        assert missing_members(candidate, Model) == []
    assert isinstance(model, Model)
    assert isinstance(served(model), ServableModel)


def test_a_class_without_the_contract_is_named_with_what_it_lacks() -> None:
    assert missing_members(Unnamed, Model) == [
        "qualified_name",
        "display_name",
        "description",
        "version",
        "input_schema",
        "output_schema",
        "blocking",
    ]
    with pytest.raises(TypeError, match="Unnamed is not a Model: it has no qualified_name, "):
        check_implements(Unnamed(), Model)
    with pytest.raises(TypeError, match="is not a Model"):
        served(Unnamed())


def test_a_fast_model_is_served_inline_and_a_blocking_one_in_threads(
    model: InsuranceChargesModel,
) -> None:
    assert type(served(model)) is InlineModel
    assert type(served(StubModel())) is InlineModel
    assert type(served(SlowStubModel())) is ThreadedModel


def test_served_models_keep_the_metadata_and_schemas(model: InsuranceChargesModel) -> None:
    servable = served(model)
    assert (servable.qualified_name, servable.version) == (model.qualified_name, model.version)
    assert servable.input_schema is model.input_schema
    assert servable.output_schema is model.output_schema


async def test_the_real_model_served_predicts_as_it_does(model: InsuranceChargesModel) -> None:
    example = model.input_schema.model_validate(
        model.input_schema.model_json_schema()["examples"][0]
    )
    servable = served(model)
    assert await servable.predict(example) == model.predict(example)
    assert await servable.predict_batch([example, example]) == model.predict_batch([example] * 2)


async def test_an_inline_model_runs_in_the_event_loop_thread() -> None:
    seen: list[int] = []

    class Recording(StubModel):
        def predict(self, data: StubInput) -> object:
            seen.append(threading.get_ident())
            return super().predict(data)

    await served(Recording()).predict(StubInput(x=1.0))
    assert seen == [threading.get_ident()]


async def test_a_blocking_model_runs_off_the_loop_which_keeps_serving() -> None:
    SlowStubModel.entered.clear()
    SlowStubModel.release.clear()
    SlowStubModel.threads.clear()
    servable = served(SlowStubModel())
    with prediction_id_context("slow-1"):
        prediction = asyncio.ensure_future(servable.predict(StubInput(x=2.0)))
    assert await asyncio.to_thread(SlowStubModel.entered.wait, 10)
    await asyncio.sleep(0.01)  # the loop runs other work while the prediction is held
    assert not prediction.done()
    SlowStubModel.release.set()
    assert (await prediction).y == 4.0
    assert SlowStubModel.threads != [threading.get_ident()]


async def test_a_thread_call_carries_the_prediction_id() -> None:
    class Echo(StubModel):
        blocking = True

        def predict(self, data: StubInput) -> str:
            return current_prediction_id()

    with prediction_id_context("request-9"):
        assert await served(Echo()).predict(StubInput(x=1.0)) == "request-9"


async def test_a_plain_decorator_passes_every_call_through() -> None:
    decorator = ModelDecorator(served(StubModel(factor=3.0)))
    assert (await decorator.predict(StubInput(x=2.0))).y == 6.0
    assert [y.y for y in await decorator.predict_batch([StubInput(x=1.0)])] == [3.0]
    assert decorator.qualified_name == "stub_model"
    await decorator.close()
