"""The service with the real model, in process: a response equals the model's own prediction."""

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from common.paths import CONFIGURATION_DIR
from insurance_charges_model.artifact import ARTIFACT_NAME
from insurance_charges_model.model import MODEL_PATH_ENV_VAR, InsuranceChargesModel
from insurance_charges_model.schemas import FEATURE_NAMES, InsuranceChargesModelInput
from model_service.app import create_app
from model_service.configuration import load_configuration
from model_service.routes import PREDICTION_ROUTE
from support.services import wait_until_ready


@pytest.fixture(scope="module")
def client(model_dir: Path) -> Iterator[TestClient]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(MODEL_PATH_ENV_VAR, str(model_dir / ARTIFACT_NAME))
        app = create_app(load_configuration(CONFIGURATION_DIR / "local.yaml"))
        with TestClient(app) as client:
            wait_until_ready(client)
            yield client


def test_responses_equal_model_predict(
    client: TestClient, model: InsuranceChargesModel, insurance_frame: pd.DataFrame
) -> None:
    rows = insurance_frame[list(FEATURE_NAMES)].sample(50, random_state=1).to_dict("records")
    for row in rows:
        body = {
            key: value.item() if hasattr(value, "item") else value for key, value in row.items()
        }
        response = client.post(PREDICTION_ROUTE, json=body)
        assert response.status_code == 200, response.text
        expected = model.predict(InsuranceChargesModelInput(**body))
        assert response.json() == expected.model_dump()


def test_out_of_range_age_is_named(client: TestClient) -> None:
    body = {
        "age": 70,
        "sex": "male",
        "bmi": 28.5,
        "children": 1,
        "smoker": False,
        "region": "southeast",
    }
    response = client.post(PREDICTION_ROUTE, json=body)
    assert response.status_code == 422
    assert [(error["field"], error["msg"]) for error in response.json()["detail"]] == [
        ("age", "Input should be less than or equal to 65")
    ]


def test_openapi_shows_the_real_fields_and_examples(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()["components"]["schemas"][
        "InsuranceChargesModelInput"
    ]
    assert set(schema["properties"]) == set(FEATURE_NAMES)
    assert schema["examples"][0]["region"] == "northwest"
    assert schema["properties"]["region"]["enum"] == [
        "northeast",
        "northwest",
        "southeast",
        "southwest",
    ]
