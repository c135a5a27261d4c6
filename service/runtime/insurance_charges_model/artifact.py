"""Save and load the trained pipeline with skops, verified by sha256 and a type allowlist.

skops, unlike pickle, refuses to build any type it was not told to trust. The allowlist below
is every type our candidate pipelines need beyond those skops trusts by default; an artifact
that asks for anything else is refused before a single object is built.
"""

from datetime import datetime
from pathlib import Path

import skops.io as sio
from pydantic import BaseModel, Field, ValidationError
from sklearn.pipeline import Pipeline

from common.yaml_files import describe_errors
from insurance_charges_model.hashing import sha256_of

TRUSTED_TYPES: tuple[str, ...] = ("sklearn.tree._tree.Tree",)
ARTIFACT_NAME = "insurance_charges_model.skops"
METRICS_NAME = "metrics.json"


class ArtifactError(Exception):
    """The model artifact is missing, altered, or asks for types we do not trust."""


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
    artifact_file: str = Field(description="File name of the skops artifact, beside this file.")
    artifact_sha256: str = Field(description="sha256 of the artifact, checked on every load.")
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


def save_pipeline(pipeline: Pipeline, path: Path) -> str:
    """Write the pipeline with skops and return the file's sha256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(pipeline, path)
    return sha256_of(path)


def load_pipeline(path: Path, expected_sha256: str) -> Pipeline:
    """Load a pipeline after checking its sha256 and that it needs only trusted types."""
    if not path.is_file():
        raise ArtifactError(f"No model artifact at {path}. Train one with `make train`.")
    found = sha256_of(path)
    if found != expected_sha256:
        raise ArtifactError(
            f"Refusing to load {path}: its sha256 is {found}, but {expected_sha256} was recorded "
            "at training time. The file was altered or replaced; train the model again."
        )
    untrusted = sorted(set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES))
    if untrusted:
        raise ArtifactError(f"Refusing to load {path}: it asks for untrusted types {untrusted}.")
    pipeline = sio.load(path, trusted=list(TRUSTED_TYPES))
    if not isinstance(pipeline, Pipeline):
        raise ArtifactError(
            f"{path} holds a {type(pipeline).__name__}, not a scikit-learn Pipeline."
        )
    return pipeline
