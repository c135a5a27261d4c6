"""Timing one prediction: ``python -m load_test.predict_timing``."""

from pathlib import Path

import pytest

from insurance_charges_model.artifact import ARTIFACT_NAME
from insurance_charges_model.model import InsuranceChargesModel
from load_test.predict_timing import main, predict_timings


def test_both_paths_are_timed(model: InsuranceChargesModel) -> None:
    table = predict_timings(model, repeat=200)
    assert list(table.calls) == [200, 50]
    assert (table.p50_us > 0).all()
    assert (table.p99_us >= table.p50_us).all()
    assert table.speedup_p50.iloc[1] == 1.0


def test_the_command_prints_both_paths(model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--repeat", "100", "--model", str(model_dir / ARTIFACT_NAME)]) == 0
    output = capsys.readouterr().out
    assert "fast path" in output
    assert "1-row DataFrame" in output


def test_a_missing_model_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--model", str(tmp_path / "absent.skops")]) == 1
    assert "error: No metrics.json beside" in capsys.readouterr().err
