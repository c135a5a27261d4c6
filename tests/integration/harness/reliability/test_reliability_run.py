"""The reliability checks against real local services: a stub model, then the trained one."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from insurance_charges_model.artifact import ARTIFACT_NAME
from reliability.__main__ import main
from reliability.faults import FaultSettings, terminate_the_server
from reliability.fuzz import fuzz
from service_runner.process import ServiceProcess
from support.services import stub_models_on_pythonpath, stub_service_file

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def stub_models_importable() -> Iterator[None]:
    with stub_models_on_pythonpath():
        yield


@pytest.mark.parametrize("fail_smokers", [False, True])
def test_fuzzing_finds_a_model_that_fails_and_only_then(tmp_path: Path, fail_smokers: bool) -> None:
    config = stub_service_file(tmp_path, fail_smokers)
    with ServiceProcess(config, tmp_path / "service.log") as service:
        result = fuzz(service.url, tmp_path / "fuzz", max_examples=100)
    assert result.requests > 100
    if fail_smokers:
        assert result.server_errors > 0
        assert result.exit_code != 0
        assert any("Server error" in failure for failure in result.failures)
    else:
        assert result.server_errors == 0
        assert result.failures == []
        assert result.exit_code == 0


def test_a_sigterm_under_load_loses_no_record(tmp_path: Path, insurance_csv: Path) -> None:
    settings = FaultSettings(
        reports=tmp_path, service_config=stub_service_file(tmp_path), users=4,
        terminate_after_requests=2_000, min_logged_predictions=2_000,
    )  # fmt: skip
    result = terminate_the_server(settings)
    assert result.passed, result
    assert result.pairing.succeeded >= 2_000
    assert result.pairing.created_records == result.pairing.succeeded


def test_make_reliability_with_the_trained_model(tmp_path: Path, model_dir: Path) -> None:
    arguments = ["--checks", "bad-input,auth,tamper", "--model", str(model_dir / ARTIFACT_NAME)]
    assert main([*arguments, "--reports", str(tmp_path)]) == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert {result["status"] for result in summary["bad_input"]} == {400, 413, 415, 422}
    assert [result["probe_failures"] > 0 for result in summary["tamper"]] == [True, True, True]
    assert summary["fuzz"] is None


def test_an_unknown_check_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--checks", "chaos"])
    assert exit_.value.code == 2
