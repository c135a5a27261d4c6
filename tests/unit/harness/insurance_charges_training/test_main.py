"""The training command's errors: ``python -m insurance_charges_training`` (``__main__.py``)."""

from pathlib import Path

import pytest

from insurance_charges_training.__main__ import main


def test_missing_data_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data", str(tmp_path / "absent.csv"), "--output", str(tmp_path / "out")]) == 1
    assert "error: --data" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_invalid_data_is_reported_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("age,sex\n19,female\n")
    assert main(["--data", str(data), "--output", str(tmp_path / "out")]) == 1
    assert "missing ['bmi', 'children', 'smoker', 'region', 'charges']" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
