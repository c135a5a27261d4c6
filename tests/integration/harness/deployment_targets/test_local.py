"""The local target end to end: deploy, predict, read its records and usage, tear down."""

import signal
from pathlib import Path

import httpx
import pytest

from common.paths import CONFIGURATION_DIR
from deployment_targets.local import LocalProcess
from insurance_charges_model.artifact import ARTIFACT_NAME
from insurance_charges_model.model import MODEL_PATH_ENV_VAR
from insurance_charges_model.schemas import EXAMPLE_INPUT
from model_service.routes import PREDICTION_ROUTE


def test_the_local_target_serves_logs_measures_and_stops(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MODEL_PATH_ENV_VAR, str(model_dir / ARTIFACT_NAME))  # for the checks
    local = LocalProcess(
        config=CONFIGURATION_DIR / "local.yaml",
        workers=2,
        log_path=tmp_path / "service.log",
        environment={MODEL_PATH_ENV_VAR: str(model_dir / ARTIFACT_NAME)},
    )
    assert "ready in" in local.deploy()
    try:

        def predict() -> int:
            with httpx.Client(base_url=local.url()) as client:
                for number in range(50):
                    headers = {"X-Request-ID": f"local-{number}"}
                    response = client.post(PREDICTION_ROUTE, json=EXAMPLE_INPUT, headers=headers)
                    assert response.status_code == 200
            return 50

        sent, [load] = local.under_load(predict)
        assert sent == 50
        assert load.predictions == 50
        assert load.cpu_seconds > 0
        assert load.peak_memory_bytes > 10 * 1024 * 1024
        assert "model_service" in local.describe()
        checks = local.checks(CONFIGURATION_DIR / "local.yaml")
        assert [check.name for check in checks if not check.passed] == []
    finally:
        stopped = local.teardown()
    assert stopped in (
        "the local service stopped (exit code 0)",
        f"the local service stopped (exit code {-signal.SIGTERM})",
    )
