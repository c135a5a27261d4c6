"""The trained model: loading, its equality with the pipeline, and behaviour a pricing model
must show."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from insurance_charges_model.artifact import (
    ARTIFACT_NAME,
    METRICS_NAME,
    ArtifactError,
    TrainingMetrics,
    save_artifact,
)
from insurance_charges_model.model import MODEL_PATH_ENV_VAR, InsuranceChargesModel
from insurance_charges_model.schemas import (
    EXAMPLE_INPUT,
    FEATURE_NAMES,
    InsuranceChargesModelInput,
    InsuranceChargesModelOutput,
)
from insurance_charges_training.serving_artifact import compile_pipeline
from insurance_charges_training.training import TrainingResult

CENT = 0.01


@pytest.fixture(scope="module")
def inputs(insurance_frame: pd.DataFrame) -> list[InsuranceChargesModelInput]:
    rows = insurance_frame[list(FEATURE_NAMES)].to_dict("records")
    return [InsuranceChargesModelInput.model_validate(row, strict=False) for row in rows]


def charges(model: InsuranceChargesModel, records: list[InsuranceChargesModelInput]) -> np.ndarray:
    return np.array([output.charges for output in model.predict_batch(records)])


def changed(
    records: list[InsuranceChargesModelInput], **update: object
) -> list[InsuranceChargesModelInput]:
    return [record.model_copy(update=update) for record in records]


def test_metadata_for_a_generic_host(model: InsuranceChargesModel) -> None:
    assert model.qualified_name == "insurance_charges_model"
    assert model.display_name
    assert model.description
    assert model.version
    assert model.input_schema is InsuranceChargesModelInput
    assert model.output_schema is InsuranceChargesModelOutput


def test_predict_returns_the_output_schema_in_cents(model: InsuranceChargesModel) -> None:
    output = model.predict(InsuranceChargesModelInput(**EXAMPLE_INPUT))
    assert isinstance(output, InsuranceChargesModelOutput)
    assert output.charges == round(output.charges, 2) > 0


def test_the_model_equals_its_pipeline_on_every_row(
    model: InsuranceChargesModel,
    training_result: TrainingResult,
    insurance_frame: pd.DataFrame,
    inputs: list,
) -> None:
    expected = training_result.pipeline.predict(insurance_frame[list(FEATURE_NAMES)])
    assert np.abs(charges(model, inputs) - expected).max() <= CENT


def test_predict_equals_predict_batch(model: InsuranceChargesModel, inputs: list) -> None:
    assert [model.predict(record) for record in inputs[:100]] == model.predict_batch(inputs[:100])


def test_smokers_are_charged_more_all_else_equal(
    model: InsuranceChargesModel, inputs: list
) -> None:
    smokers, non_smokers = (
        charges(model, changed(inputs, smoker=True)),
        charges(model, changed(inputs, smoker=False)),
    )
    assert (smokers > non_smokers).all()


def test_ten_years_older_is_never_charged_less(model: InsuranceChargesModel, inputs: list) -> None:
    older = [record.model_copy(update={"age": min(record.age + 10, 65)}) for record in inputs]
    assert (charges(model, older) >= charges(model, inputs)).all()


@pytest.mark.parametrize("smoker", [True, False])
def test_charges_rise_decade_by_decade(model: InsuranceChargesModel, smoker: bool) -> None:
    profile = InsuranceChargesModelInput(**{**EXAMPLE_INPUT, "smoker": smoker})
    by_decade = charges(
        model, [profile.model_copy(update={"age": age}) for age in (20, 30, 40, 50, 60)]
    )
    assert (np.diff(by_decade) > 0).all(), by_decade


def test_a_prediction_does_not_depend_on_its_batch(
    model: InsuranceChargesModel, inputs: list
) -> None:
    """Invariance: the same customer gets the same price alone, first, or last in a batch."""
    alone = model.predict(inputs[7])
    assert model.predict_batch(inputs[7:20])[0] == alone
    assert model.predict_batch([*inputs[:30], inputs[7]])[-1] == alone


def test_unvalidated_input_is_refused(model: InsuranceChargesModel) -> None:
    with pytest.raises(TypeError, match="expected InsuranceChargesModelInput, got dict"):
        model.predict(EXAMPLE_INPUT)


def test_environment_variable_chooses_the_artifact(
    monkeypatch: pytest.MonkeyPatch, model_dir: Path, model: InsuranceChargesModel
) -> None:
    monkeypatch.setenv(MODEL_PATH_ENV_VAR, str(model_dir / ARTIFACT_NAME))
    assert InsuranceChargesModel().metrics.artifact_sha256 == model.metrics.artifact_sha256


def test_tampered_artifact_refuses_to_load(tmp_path: Path, model_dir: Path) -> None:
    shutil.copytree(model_dir, tmp_path, dirs_exist_ok=True)
    with open(tmp_path / ARTIFACT_NAME, "ab") as artifact:
        artifact.write(b"\0")
    with pytest.raises(ArtifactError, match="was recorded at training time"):
        InsuranceChargesModel(tmp_path / ARTIFACT_NAME)


def test_artifact_trained_for_other_categories_refuses_to_load(
    tmp_path: Path, model_dir: Path, insurance_frame: pd.DataFrame
) -> None:
    """An artifact whose smoker column held 'yes'/'no' would silently price everyone wrongly."""
    features = insurance_frame[list(FEATURE_NAMES)].assign(
        smoker=insurance_frame.smoker.map({True: "yes", False: "no"})
    )
    encoder = OneHotEncoder(drop="if_binary", sparse_output=False)
    columns = ColumnTransformer(
        [("categorical", encoder, ["sex", "smoker", "region"])], remainder="passthrough"
    )
    pipeline = Pipeline([("encode", columns), ("regress", LinearRegression())]).fit(
        features, insurance_frame.charges
    )
    artifact = tmp_path / ARTIFACT_NAME
    metrics = TrainingMetrics.model_validate_json((model_dir / METRICS_NAME).read_text())
    metrics.artifact_sha256 = save_artifact(compile_pipeline(pipeline), artifact)
    (tmp_path / METRICS_NAME).write_text(metrics.model_dump_json())
    with pytest.raises(ArtifactError, match=r"does not know \{'smoker': \[False, True\]\}"):
        InsuranceChargesModel(artifact)


def test_artifact_without_metrics_refuses_to_load(tmp_path: Path, model_dir: Path) -> None:
    shutil.copy(model_dir / ARTIFACT_NAME, tmp_path)
    with pytest.raises(ArtifactError, match=f"No {METRICS_NAME} beside"):
        InsuranceChargesModel(tmp_path / ARTIFACT_NAME)
