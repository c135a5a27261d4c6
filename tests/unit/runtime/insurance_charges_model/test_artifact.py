import json
from pathlib import Path

import pandas as pd
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from drift_monitor import baseline
from insurance_charges_model.artifact import (
    ARTIFACT_NAME,
    METRICS_NAME,
    ArtifactError,
    load_pipeline,
    read_metrics,
    save_pipeline,
)
from insurance_charges_model.hashing import sha256_of
from insurance_charges_training.training import build_pipeline, candidate_estimators


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


def test_tampered_artifact_is_refused(tmp_path: Path, model_dir: Path) -> None:
    original = model_dir / ARTIFACT_NAME
    tampered = tmp_path / ARTIFACT_NAME
    content = bytearray(original.read_bytes())
    content[len(content) // 2] ^= 0xFF
    tampered.write_bytes(bytes(content))
    with pytest.raises(
        ArtifactError, match=rf"sha256 is {sha256_of(tampered)}, but {sha256_of(original)}"
    ):
        load_pipeline(tampered, sha256_of(original))


def test_missing_artifact_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match=r"No model artifact.*make train"):
        load_pipeline(tmp_path / ARTIFACT_NAME, "0" * 64)


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


def test_metrics_of_an_older_training_are_refused_with_what_to_do(
    tmp_path: Path, model_dir: Path
) -> None:
    metrics = json.loads((model_dir / METRICS_NAME).read_text())
    del metrics["baseline_sha256"]
    (tmp_path / METRICS_NAME).write_text(json.dumps(metrics))
    with pytest.raises(
        ArtifactError, match=r"is not a valid metrics.json:\n  baseline_sha256: Field required"
    ) as refused:
        read_metrics(tmp_path / ARTIFACT_NAME)
    assert "make train" in str(refused.value)


def test_the_drift_monitor_looks_for_the_same_metrics_file() -> None:
    """The drift monitor imports nothing of the model: it names the file itself."""
    assert baseline.METRICS_NAME == METRICS_NAME
