"""Two reference services that ``make benchmark`` loads like ours, on the same route and body.

- ``hello_world_app``: FastAPI and uvicorn alone, answering a constant: the ceiling.
- ``tutorial_app``: the endpoint most tutorials write: the body into a 1-row DataFrame, then
  ``pipeline.predict``, in a plain ``def`` route (so in the thread pool), without logging.

And ``ConstantModel``: the insurance model's name and schemas, answering a constant; served by
our service in its place, it leaves everything but the model's own work (``load_test.hop_costs``).

    uvicorn --factory load_test.reference_apps:hello_world_app
"""

from typing import Any

import pandas as pd
from fastapi import FastAPI

from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_model.schemas import (
    InsuranceChargesModelInput,
    InsuranceChargesModelOutput,
)
from model_service.routes import PREDICTION_ROUTE, READY_PATH


def hello_world_app() -> FastAPI:
    app = FastAPI(title="Hello world")

    @app.get(READY_PATH)
    async def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.post(PREDICTION_ROUTE)
    async def predict(data: dict[str, Any]) -> dict[str, float]:
        return {"charges": 1.0}

    return app


def tutorial_app() -> FastAPI:
    pipeline = InsuranceChargesModel().pipeline
    app = FastAPI(title="Tutorial-style service")

    @app.get(READY_PATH)
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.post(PREDICTION_ROUTE)
    def predict(data: InsuranceChargesModelInput) -> dict[str, float]:
        frame = pd.DataFrame([data.model_dump()])
        return {"charges": float(pipeline.predict(frame)[0])}

    return app


class ConstantModel:
    """The insurance model's metadata and schemas; every prediction is the same constant."""

    qualified_name = InsuranceChargesModel.qualified_name
    display_name = "Constant"
    description = "Answers a constant: what the service costs without the model's work."
    version = InsuranceChargesModel.version
    input_schema = InsuranceChargesModelInput
    output_schema = InsuranceChargesModelOutput
    blocking = False
    answer = InsuranceChargesModelOutput(charges=1.0)

    def predict(self, data: InsuranceChargesModelInput) -> InsuranceChargesModelOutput:
        return self.answer

    def predict_batch(
        self, data: list[InsuranceChargesModelInput]
    ) -> list[InsuranceChargesModelOutput]:
        return [self.answer] * len(data)
