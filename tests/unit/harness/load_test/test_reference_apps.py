from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from common.paths import CONFIGURATION_DIR
from common.yaml_files import read_self_contained
from insurance_charges_model.artifact import ARTIFACT_NAME
from insurance_charges_model.model import MODEL_PATH_ENV_VAR, InsuranceChargesModel
from insurance_charges_model.schemas import (
    EXAMPLE_INPUT,
    InsuranceChargesModelInput,
    InsuranceChargesModelOutput,
)
from load_test.reference_apps import (
    ConstantModel,
    ConstantTreesModel,
    hello_world_app,
    tutorial_app,
)
from model_contract.servable import Model, check_implements
from model_service.app import create_app
from model_service.configuration import INCLUDED_FILES, ServiceConfiguration
from model_service.routes import MODELS_PATH, PREDICTION_ROUTE, READY_PATH
from support.services import wait_until_ready

LOCAL = CONFIGURATION_DIR / "local.yaml"


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


def test_the_constant_model_answers_a_constant_in_the_insurance_models_schemas() -> None:
    check_implements(ConstantModel, Model)
    model = ConstantModel()
    young = InsuranceChargesModelInput(**EXAMPLE_INPUT)
    old_smoker = InsuranceChargesModelInput(**{**EXAMPLE_INPUT, "age": 64, "smoker": True})
    assert (
        model.predict(young)
        == model.predict(old_smoker)
        == InsuranceChargesModelOutput(charges=1.0)
    )
    assert model.predict_batch([young, old_smoker, young]) == [model.predict(young)] * 3
    assert model.predict_batch([]) == []
    assert (model.qualified_name, model.version) == (
        InsuranceChargesModel.qualified_name,
        InsuranceChargesModel.version,
    )
    assert (model.input_schema, model.output_schema) == (
        InsuranceChargesModel.input_schema,
        InsuranceChargesModel.output_schema,
    )
    assert model.blocking is False


def test_our_service_serves_the_constant_model_behind_the_local_decorators() -> None:
    settings = read_self_contained(LOCAL, "service configuration", INCLUDED_FILES)
    settings["models"][0].update(class_path="load_test.reference_apps.ConstantModel", kwargs={})
    with TestClient(create_app(ServiceConfiguration.model_validate(settings))) as client:
        wait_until_ready(client)
        assert client.post(PREDICTION_ROUTE, json=EXAMPLE_INPUT).json() == {"charges": 1.0}
        assert client.post(PREDICTION_ROUTE, json={**EXAMPLE_INPUT, "age": 200}).status_code == 422
        (listed,) = client.get(MODELS_PATH).json()["models"]
    assert listed["qualified_name"] == InsuranceChargesModel.qualified_name


def test_constant_trees_keep_everything_of_the_model_but_the_walk(
    model_dir: Path, model: InsuranceChargesModel
) -> None:
    stand_in = ConstantTreesModel(model_dir / ARTIFACT_NAME)
    young = InsuranceChargesModelInput(**EXAMPLE_INPUT)
    old_smoker = InsuranceChargesModelInput(**{**EXAMPLE_INPUT, "age": 64, "smoker": True})
    assert (
        stand_in.predict_batch([young, old_smoker])
        == [InsuranceChargesModelOutput(charges=1.0)] * 2
    )
    assert stand_in.serving.encoder == model.serving.encoder
    with pytest.raises(TypeError, match="expected InsuranceChargesModelInput"):
        stand_in.predict(EXAMPLE_INPUT)
