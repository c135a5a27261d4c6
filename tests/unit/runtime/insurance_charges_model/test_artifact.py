import json
from pathlib import Path

import pytest

from drift_monitor import baseline
from insurance_charges_model.artifact import (
    ARTIFACT_NAME,
    METRICS_NAME,
    ArtifactError,
    load_artifact,
    read_metrics,
    save_artifact,
)
from insurance_charges_model.hashing import sha256_of
from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_model.schemas import EXAMPLE_INPUT, InsuranceChargesModelInput


def test_the_serving_artifact_round_trips(tmp_path: Path, model: InsuranceChargesModel) -> None:
    path = tmp_path / ARTIFACT_NAME
    loaded = load_artifact(path, save_artifact(model.serving, path))
    inputs = [InsuranceChargesModelInput(**EXAMPLE_INPUT)] * 3
    assert (loaded.predict(inputs) == model.serving.predict(inputs)).all()


def test_tampered_artifact_is_refused(tmp_path: Path, model_dir: Path) -> None:
    original = model_dir / ARTIFACT_NAME
    tampered = tmp_path / ARTIFACT_NAME
    content = bytearray(original.read_bytes())
    content[len(content) // 2] ^= 0xFF
    tampered.write_bytes(bytes(content))
    with pytest.raises(
        ArtifactError, match=rf"sha256 is {sha256_of(tampered)}, but {sha256_of(original)}"
    ):
        load_artifact(tampered, sha256_of(original))


def test_missing_artifact_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match=r"No model artifact.*make train"):
        load_artifact(tmp_path / ARTIFACT_NAME, "0" * 64)


def test_a_damaged_artifact_with_a_matching_sha256_is_refused(tmp_path: Path) -> None:
    """An attacker who can rewrite metrics.json too is left with the loader's own checks."""
    path = tmp_path / ARTIFACT_NAME
    path.write_bytes(b"not an archive")
    with pytest.raises(ArtifactError, match=r"Refusing to load .*not a readable .npz|needs pickle"):
        load_artifact(path, sha256_of(path))


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
