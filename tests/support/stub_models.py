"""Stub models: the service's plumbing, tested without the real model."""

import threading
from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from insurance_charges_model.schemas import InsuranceChargesModelInput, InsuranceChargesModelOutput


class StubInput(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_extra={"examples": [{"x": 2.0, "note": "a"}]}
    )

    x: float = Field(ge=0, le=10, description="The number to double.", examples=[2.0])
    note: str = Field(
        default="", max_length=20, description="Free text, never logged.", examples=["a"]
    )


class StubOutput(BaseModel):
    y: float = Field(description="Twice x.", examples=[4.0])


class StubModel:
    """Doubles x; fails on purpose when x is 7."""

    qualified_name = "stub_model"
    display_name = "Stub Model"
    description = "Doubles x."
    version = "1.2.3"
    input_schema = StubInput
    output_schema = StubOutput
    blocking = False
    FAILING_X = 7.0

    def __init__(self, factor: float = 2.0) -> None:
        self.factor = factor

    def predict(self, data: StubInput) -> StubOutput:
        if data.x == self.FAILING_X:
            raise RuntimeError(f"stub failure for x={data.x}")
        return StubOutput(y=data.x * self.factor)

    def predict_batch(self, data: list[StubInput]) -> list[StubOutput]:
        if any(item.x == self.FAILING_X for item in data):
            raise RuntimeError("stub failure in batch")
        return [StubOutput(y=item.x * self.factor) for item in data]


class StubUnit(StrEnum):
    METRES = "m"
    FEET = "ft"


class StubLength(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float = Field(ge=0, description="How long.")
    unit: StubUnit = Field(description="In what unit.")


class NestedStubInput(BaseModel):
    """An input with nested models: its JSON schema keeps them under ``$defs``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"x": 1.0, "length": {"value": 2.0, "unit": "m"}}]},
    )

    x: float = Field(ge=0, le=10, description="The number to double.")
    length: StubLength = Field(description="A nested model.")
    others: list[StubLength] = Field(default_factory=list, description="Nested models again.")


class NestedStubModel(StubModel):
    """The stub model, taking an input with nested models."""

    qualified_name = "nested_stub_model"
    input_schema = NestedStubInput


class GatedStubModel(StubModel):
    """Loads only once ``gate`` is set: the probes can be seen before and after loading."""

    qualified_name = "gated_stub_model"
    gate = threading.Event()

    def __init__(self, factor: float = 2.0) -> None:
        super().__init__(factor)
        if not self.gate.wait(timeout=30):
            raise TimeoutError("the test never opened the gate")


class BrokenStubModel(StubModel):
    """Refuses to load, as a tampered artifact does."""

    qualified_name = "broken_stub_model"

    def __init__(self) -> None:
        raise RuntimeError("artifact refused")


class SlowStubModel(StubModel):
    """A blocking model: each prediction waits until the test opens ``release``.

    ``entered`` is set once a prediction has started. With ``blocking`` true the service runs it
    in a worker thread; the ``InlineSlowStubModel`` twin declares it false and runs on the loop.
    """

    qualified_name = "slow_stub_model"
    blocking = True
    entered = threading.Event()
    release = threading.Event()
    threads: ClassVar[list[int]] = []

    def predict(self, data: StubInput) -> StubOutput:
        self.threads.append(threading.get_ident())
        self.entered.set()
        if not self.release.wait(timeout=30):
            raise TimeoutError("the test never released the prediction")
        return super().predict(data)


class InlineSlowStubModel(SlowStubModel):
    """The slow model, wrongly declared fast: it holds the event loop while it predicts."""

    qualified_name = "inline_slow_stub_model"
    blocking = False


class InsuranceStubModel:
    """The insurance model's interface at no cost: a service to load test the load test with.

    Charges are 1,000 plus 100 a year of age. With ``fail_smokers``, every smoker's prediction
    fails, as a broken model would: about a fifth of the customers.
    """

    qualified_name = "insurance_charges_model"
    display_name = "Insurance Charges Stub"
    description = "Charges that grow with age."
    version = "0.0.1"
    input_schema = InsuranceChargesModelInput
    output_schema = InsuranceChargesModelOutput
    blocking = False

    def __init__(self, fail_smokers: bool = False) -> None:
        self.fail_smokers = fail_smokers

    def predict(self, data: InsuranceChargesModelInput) -> InsuranceChargesModelOutput:
        if self.fail_smokers and data.smoker:
            raise RuntimeError("stub failure for a smoker")
        return InsuranceChargesModelOutput(charges=1000.0 + 100.0 * data.age)

    def predict_batch(
        self, data: list[InsuranceChargesModelInput]
    ) -> list[InsuranceChargesModelOutput]:
        return [self.predict(item) for item in data]
