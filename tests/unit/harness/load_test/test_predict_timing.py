"""Timing one prediction: ``python -m load_test.predict_timing``."""

from pathlib import Path

import pytest

from insurance_charges_model.artifact import ARTIFACT_NAME
from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_training.training import TrainingResult
from load_test.predict_timing import (
    WARMUP_CALLS,
    cache_flusher,
    latencies_us,
    main,
    predict_timings,
)


def test_both_paths_are_timed(
    model: InsuranceChargesModel, training_result: TrainingResult
) -> None:
    table = predict_timings(model, training_result.pipeline, repeat=200)
    assert list(table.calls) == [200, 50, 50]
    assert (table.p50_us > 0).all()
    assert (table.p99_us >= table.p50_us).all()
    assert table.speedup_p50.iloc[-1] == 1.0


def test_the_flusher_runs_before_each_timed_call_and_is_not_timed() -> None:
    order: list[str] = []
    samples = latencies_us(lambda: order.append("call"), 3, before=lambda: order.append("flush"))
    assert order[-6:] == ["flush", "call"] * 3
    assert order[:WARMUP_CALLS] == ["call"] * WARMUP_CALLS
    assert len(samples) == 3


def test_the_flusher_reads_a_line_of_each_cache_line() -> None:
    assert cache_flusher(64 * 1024)() == 1024


def test_the_command_prints_both_paths(model_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--repeat", "100", "--model", str(model_dir / ARTIFACT_NAME)]) == 0
    output = capsys.readouterr().out
    assert "caches flushed" in output
    assert "1-row DataFrame" in output


def test_a_missing_model_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--model", str(tmp_path / "absent.skops")]) == 1
    assert "error: No metrics.json beside" in capsys.readouterr().err
