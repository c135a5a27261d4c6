"""``python -m load_test.pairs`` end to end: one pair of 3 s runs, ours serving a stub model."""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from load_test.pairs import HELLO, OURS, SUMMARY_FILE
from support.services import stub_models_on_pythonpath, stub_service_file

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def stub_models_importable() -> Iterator[None]:
    with stub_models_on_pythonpath():
        yield


@pytest.fixture(scope="module")
def one_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess, Path]:
    directory = tmp_path_factory.mktemp("pairs")
    reports = directory / "reports"
    command = [
        sys.executable, "-m", "load_test.pairs", "--pairs", "1", "--duration", "3s",
        "--users", "4", "--config", str(stub_service_file(directory)), "--reports", str(reports),
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120), reports


def test_one_pair_runs_both_services_and_prints_the_ratios(
    one_pair: tuple[subprocess.CompletedProcess, Path],
) -> None:
    finished, _ = one_pair
    assert finished.returncode == 0, finished.stderr
    assert f"pair 1: {OURS}" in finished.stdout
    assert f"pair 1: {HELLO}" in finished.stdout
    assert "req/s ratio, ours / hello-world: median" in finished.stdout


def test_the_summary_is_written_with_both_services_measured(
    one_pair: tuple[subprocess.CompletedProcess, Path],
) -> None:
    _, reports = one_pair
    summary = json.loads((reports / SUMMARY_FILE).read_text())
    (pair,) = summary["pairs"]
    assert pair["ours req/s"] > 0
    assert pair["hello-world req/s"] > 0
    assert pair["ours CPU µs/req"] > 0
    assert summary["req/s ratio"]["median"] == pytest.approx(pair["req/s ratio"])
