"""The training command (``__main__.py``) end to end, on the real data, as `make train` runs it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from drift_monitor.baseline import load_baseline
from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_model.schemas import EXAMPLE_INPUT, InsuranceChargesModelInput


@pytest.mark.slow
def test_training_command_writes_a_loadable_model_that_meets_its_targets(
    tmp_path: Path, insurance_csv: Path
) -> None:
    command = [sys.executable, "-m", "insurance_charges_training", "--data", str(insurance_csv)]
    completed = subprocess.run(
        [*command, "--output", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr
    assert "chosen: " in completed.stdout
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert metrics["r2"] >= 0.87, metrics
    assert metrics["mae"] <= 1800, metrics
    assert metrics["cv_r2_mean"] >= 0.85, metrics
    model = InsuranceChargesModel(tmp_path / metrics["artifact_file"])
    assert model.predict(InsuranceChargesModelInput(**EXAMPLE_INPUT)).charges > 0
    assert f"the drift baseline {tmp_path / metrics['baseline_file']}" in completed.stdout
    assert load_baseline(tmp_path / metrics["baseline_file"]).rows == metrics["split"]["train_rows"]
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "baseline.json",
        "insurance_charges_model.npz",
        "insurance_charges_model.skops",
        "metrics.json",
    ]
