from pathlib import Path

import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from insurance_charges_model.artifact import METRICS_NAME, ArtifactError
from insurance_charges_model.hashing import sha256_of
from insurance_charges_training.pipeline_artifact import (
    PIPELINE_NAME,
    load_pipeline,
    load_trained_pipeline,
    save_pipeline,
)
from insurance_charges_training.training import TrainingResult, build_pipeline, candidate_estimators


def test_round_trip_of_every_candidate(tmp_path: Path, insurance_frame: pd.DataFrame) -> None:
    """The allowlist covers every candidate, so whichever wins can be loaded."""
    features, target = insurance_frame.drop(columns="charges"), insurance_frame.charges
    for name, estimator in candidate_estimators().items():
        pipeline = build_pipeline(estimator).fit(features.head(200), target.head(200))
        path = tmp_path / f"{name}.skops"
        loaded = load_pipeline(path, save_pipeline(pipeline, path))
        pd.testing.assert_series_equal(
            pd.Series(loaded.predict(features)),
            pd.Series(pipeline.predict(features)),
            check_exact=True,
        )


def test_the_trained_pipeline_is_found_through_metrics(
    model_dir: Path, training_result: TrainingResult, insurance_frame: pd.DataFrame
) -> None:
    features = insurance_frame.drop(columns="charges")
    loaded = load_trained_pipeline(model_dir)
    assert (loaded.predict(features) == training_result.pipeline.predict(features)).all()


def test_tampered_pipeline_is_refused(tmp_path: Path, model_dir: Path) -> None:
    original = model_dir / PIPELINE_NAME
    tampered = tmp_path / PIPELINE_NAME
    content = bytearray(original.read_bytes())
    content[len(content) // 2] ^= 0xFF
    tampered.write_bytes(bytes(content))
    with pytest.raises(
        ArtifactError, match=rf"sha256 is {sha256_of(tampered)}, but {sha256_of(original)}"
    ):
        load_pipeline(tampered, sha256_of(original))


def test_missing_pipeline_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match=r"No pipeline.*make train"):
        load_pipeline(tmp_path / PIPELINE_NAME, "0" * 64)


def test_missing_metrics_are_named(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match=f"No {METRICS_NAME} beside"):
        load_trained_pipeline(tmp_path)


def test_untrusted_types_are_refused_even_with_the_right_checksum(
    tmp_path: Path, insurance_frame: pd.DataFrame
) -> None:
    columns = ColumnTransformer([("age", FunctionTransformer(func=abs), ["age"])])
    pipeline = Pipeline([("encode", columns), ("regress", LinearRegression())])
    pipeline.fit(insurance_frame[["age"]], insurance_frame.charges)
    path = tmp_path / "untrusted.skops"
    with pytest.raises(ArtifactError, match=r"untrusted types \['builtins.abs'\]"):
        load_pipeline(path, save_pipeline(pipeline, path))


def test_a_file_that_is_not_a_pipeline_is_refused(
    tmp_path: Path, insurance_frame: pd.DataFrame
) -> None:
    path = tmp_path / "bare.skops"
    estimator = LinearRegression().fit(insurance_frame[["age"]], insurance_frame.charges)
    with pytest.raises(
        ArtifactError, match="holds a LinearRegression, not a scikit-learn Pipeline"
    ):
        load_pipeline(path, save_pipeline(estimator, path))
