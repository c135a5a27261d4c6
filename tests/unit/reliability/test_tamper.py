"""Unsafe artifacts: the loader must refuse each for its own reason."""

from pathlib import Path

import pytest

from insurance_charges_model.artifact import ArtifactError
from insurance_charges_model.model import InsuranceChargesModel
from reliability.tamper import RefusalResult, tampered_artifact, untrusted_artifact


def test_a_tampered_artifact_is_refused_for_its_sha256(model_dir: Path, tmp_path: Path) -> None:
    artifact = tampered_artifact(model_dir, tmp_path)
    with pytest.raises(ArtifactError, match="sha256"):
        InsuranceChargesModel(artifact)


def test_an_untrusted_artifact_is_refused_for_its_types(model_dir: Path, tmp_path: Path) -> None:
    artifact = untrusted_artifact(model_dir, tmp_path)
    with pytest.raises(ArtifactError, match=r"untrusted types \['posix.system'\]"):
        InsuranceChargesModel(artifact)


def refusal(**changes: object) -> RefusalResult:
    fields = {
        "artifact": "x",
        "probe_answers": 10,
        "probe_failures": 10,
        "detail": "sha256",
        "prediction_status": 503,
        "names_the_reason": True,
    }
    return RefusalResult.model_validate(fields | changes)


@pytest.mark.parametrize(
    ("changes", "passed"),
    [
        ({}, True),
        ({"probe_failures": 9}, False),
        ({"probe_answers": 0, "probe_failures": 0}, False),
        ({"prediction_status": 200}, False),
        ({"names_the_reason": False}, False),
    ],
)
def test_a_refusal_passes_only_when_complete(changes: dict, passed: bool) -> None:
    assert refusal(**changes).passed is passed
