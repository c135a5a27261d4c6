from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from insurance_charges_model.artifact import ARTIFACT_NAME
from insurance_charges_model.model import MODEL_PATH_ENV_VAR, InsuranceChargesModel
from insurance_charges_model.schemas import EXAMPLE_INPUT, InsuranceChargesModelInput
from load_test import PREDICTION_ROUTE
from load_test.reference_apps import hello_world_app, tutorial_app
from model_service.routes import READY_PATH


def test_the_ceiling_answers_a_constant_on_our_route() -> None:
    with TestClient(hello_world_app()) as client:
        assert client.get(READY_PATH).status_code == 200
        assert client.post(PREDICTION_ROUTE, json=EXAMPLE_INPUT).json() == {"charges": 1.0}


def test_the_tutorial_endpoint_prices_like_our_model(
    model_dir: Path, model: InsuranceChargesModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODEL_PATH_ENV_VAR, str(model_dir / ARTIFACT_NAME))
    with TestClient(tutorial_app()) as client:
        assert client.get(READY_PATH).status_code == 200
        answer = client.post(PREDICTION_ROUTE, json=EXAMPLE_INPUT).json()["charges"]
    ours = model.predict(InsuranceChargesModelInput(**EXAMPLE_INPUT)).charges
    assert answer == pytest.approx(ours, abs=0.01)
