"""Two reference services that ``make benchmark`` loads like ours, on the same route and body.

- ``hello_world_app``: FastAPI and uvicorn alone, answering a constant from an ``async`` route:
  the least a request can cost with this framework.
- ``tutorial_app``: the endpoint most tutorials write: the scikit-learn pipeline loaded from
  its skops file, the body into a 1-row DataFrame, then ``pipeline.predict``, in a plain ``def``
  route (so in the thread pool), without logging.

And two stand-ins for the insurance model that ``load_test.hop_costs`` serves in its place:
``ConstantModel``, its name and schemas answering a constant (everything but the model's own
work), and ``ConstantTreesModel``, the model with a constant in place of its trees (the input
check, the encoding and the output schema, without the walk through the trees).

    uvicorn --factory load_test.reference_apps:hello_world_app
"""

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from fastapi import FastAPI

from insurance_charges_model.model import InsuranceChargesModel, default_artifact_path
from insurance_charges_model.schemas import (
    InsuranceChargesModelInput,
    InsuranceChargesModelOutput,
)
from insurance_charges_model.serving import LinearPredictor, ServingModel
from insurance_charges_training.pipeline_artifact import load_trained_pipeline
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
    pipeline = load_trained_pipeline(default_artifact_path().parent)
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


class ConstantTreesModel(InsuranceChargesModel):
    """The insurance model whose trees are replaced by a constant: all of its work but the walk."""

    def __init__(self, artifact_path: str | Path | None = None) -> None:
        super().__init__(artifact_path)
        encoder = self.serving.encoder
        self.serving = ServingModel(encoder, LinearPredictor(np.zeros(encoder.n_columns), 1.0))
