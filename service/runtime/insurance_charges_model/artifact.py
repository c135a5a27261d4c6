"""The serving artifact and its metrics JSON: what the service loads, checked by sha256.

Training writes two files of the model: the scikit-learn pipeline, saved with skops (what the
notebooks load), and the serving artifact compiled from it (``serving``), which is all the
service needs. Both sha256 are recorded in ``metrics.json``; the service refuses a serving
artifact whose sha256 differs, or whose arrays do not make a model.
"""

from datetime import datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from common.yaml_files import describe_errors
from insurance_charges_model.hashing import sha256_of
from insurance_charges_model.serving import (
    ServingArtifactError,
    ServingModel,
    read_serving_model,
    save_serving_model,
)

ARTIFACT_NAME = "insurance_charges_model.npz"
METRICS_NAME = "metrics.json"


class ArtifactError(Exception):
    """A model file is missing, altered, or does not hold what it should."""


class TrainingMetrics(BaseModel):
    """The metrics JSON written beside the artifact; the loader reads the artifact's sha256 here."""

    estimator: str = Field(description="Name of the candidate with the lowest cross-validated MAE.")
    r2: float = Field(description="R² on the holdout.")
    mae: float = Field(description="Mean absolute error on the holdout, in dollars.")
    rmse: float = Field(description="Root mean squared error on the holdout, in dollars.")
    cv_r2_mean: float = Field(description="Mean R² over the CV folds of the training part.")
    cv_r2_std: float = Field(description="Standard deviation of R² over the CV folds.")
    cv_mae_mean: float = Field(description="Mean MAE over the CV folds, in dollars.")
    cv_mae_std: float = Field(description="Standard deviation of MAE over the CV folds.")
    cv_folds: int = Field(description="Number of CV folds.")
    candidates: list[dict[str, float | str]] = Field(description="CV scores of every candidate.")
    split: dict[str, float | int | str] = Field(description="How the holdout was drawn.")
    data_sha256: str = Field(description="sha256 of the training data file.")
    data_rows: int = Field(description="Rows in the training data file.")
    artifact_file: str = Field(
        description="File name of the serving artifact (the arrays the service loads), beside "
        "this file."
    )
    artifact_sha256: str = Field(
        description="sha256 of the serving artifact, checked on every load."
    )
    pipeline_file: str = Field(
        description="File name of the scikit-learn pipeline saved with skops, beside this file."
    )
    pipeline_sha256: str = Field(description="sha256 of the pipeline file, checked when loaded.")
    serving_checks: dict[str, float] = Field(
        description="The largest difference in dollars between the serving artifact and the "
        "pipeline, on each set of inputs compared at training time."
    )
    baseline_file: str = Field(
        description="File name of the drift baseline (the training split's distributions), "
        "beside this file."
    )
    baseline_sha256: str = Field(
        description="sha256 of the baseline, checked by the drift monitor."
    )
    versions: dict[str, str] = Field(description="Python and library versions used to train.")
    trained_at: datetime = Field(description="When training finished (UTC).")


def read_metrics(artifact_path: Path) -> TrainingMetrics:
    """The metrics JSON beside the artifact, which records the artifact's sha256."""
    metrics_path = artifact_path.parent / METRICS_NAME
    if not metrics_path.is_file():
        raise ArtifactError(
            f"No {METRICS_NAME} beside {artifact_path}: the artifact's sha256 cannot be verified. "
            "Train the model with `make train`."
        )
    try:
        return TrainingMetrics.model_validate_json(metrics_path.read_text())
    except ValidationError as error:
        raise ArtifactError(
            f"{metrics_path} is not a valid {METRICS_NAME}:\n{describe_errors(error)}\n"
            "It is damaged or comes from an older training: train the model with `make train`."
        ) from error


def save_artifact(model: ServingModel, path: Path) -> str:
    """Write the serving artifact and return the file's sha256."""
    save_serving_model(model, path)
    return sha256_of(path)


def check_sha256(path: Path, expected_sha256: str, what: str = "model artifact") -> None:
    """ArtifactError unless ``path`` exists and has the sha256 recorded at training time."""
    if not path.is_file():
        raise ArtifactError(f"No {what} at {path}. Train one with `make train`.")
    found = sha256_of(path)
    if found != expected_sha256:
        raise ArtifactError(
            f"Refusing to load {path}: its sha256 is {found}, but {expected_sha256} was recorded "
            "at training time. The file was altered or replaced; train the model again."
        )


def load_artifact(path: Path, expected_sha256: str) -> ServingModel:
    """The serving model in ``path``, after checking its sha256 and every array."""
    check_sha256(path, expected_sha256)
    try:
        return read_serving_model(path)
    except ServingArtifactError as error:
        raise ArtifactError(f"Refusing to load {path}: {error}") from error
