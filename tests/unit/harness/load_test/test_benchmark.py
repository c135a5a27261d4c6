import itertools
from pathlib import Path

import pandas as pd
import pytest

from common.paths import CONFIGURATION_DIR
from load_test import benchmark as benchmark_module
from load_test.benchmark import (
    BAR_OVERRIDES,
    BATCHING,
    CEILING_1,
    CEILING_2,
    MICRO_BATCHING,
    ReferenceProcess,
    bar_verdict,
    benchmark,
    benchmark_chart,
    bound_by,
    config_with_batching,
    contenders,
)
from load_test.run import LoadTest
from model_service.configuration import load_configuration
from notebook_support.machine import usable_cores

LOCAL = CONFIGURATION_DIR / "local.yaml"


def test_batching_is_turned_on_and_off_in_copies_of_the_configuration(tmp_path: Path) -> None:
    on = load_configuration(config_with_batching(LOCAL, True, tmp_path))
    off = load_configuration(config_with_batching(LOCAL, False, tmp_path))
    on_decorators = [decorator.class_path for decorator in on.models[0].decorators]
    off_decorators = [decorator.class_path for decorator in off.models[0].decorators]
    assert on_decorators == [MICRO_BATCHING, *off_decorators]
    assert MICRO_BATCHING not in off_decorators
    assert on.models[0].decorators[0].kwargs == BATCHING
    assert on.logging == off.logging == load_configuration(LOCAL).logging


def test_the_contenders_are_two_ceilings_the_baseline_and_ours_four_ways(tmp_path: Path) -> None:
    one, two, tutorial, *ours = contenders(LOCAL, tmp_path)
    assert (one.name, one.workers, two.name, two.workers) == (CEILING_1, 1, CEILING_2, 2)
    assert one.app == two.app
    assert tutorial.name.startswith("tutorial-style")
    ways = {(contender.workers, "batching on" in contender.name) for contender in ours}
    assert ways == {(1, False), (1, True), (2, False), (2, True)}


def test_the_chart_shows_every_contender(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {"req/s": [4000.0, 100.0, 2000.0], "p99 ms": [10.0, 900.0, 30.0]},
        index=["ceiling", "tutorial", "ours"],
    )
    figure = benchmark_chart(table)
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert labels == ["ours", "tutorial", "ceiling"]


def test_a_reference_app_runs_as_ours_does(tmp_path: Path) -> None:
    command = ReferenceProcess("m:app", tmp_path / "log", workers=2).command()
    pairs = dict(itertools.pairwise(command))
    assert (pairs["--workers"], pairs["--loop"], pairs["--http"]) == ("2", "uvloop", "httptools")
    assert "--no-access-log" in command


@pytest.mark.parametrize(
    ("locust", "service", "workers", "bound"),
    [(95, 120, 2, "Locust"), (60, 185, 2, "service"), (60, 95, 1, "service"),
     (70, 120, 2, f"the machine's {usable_cores()} cores")],
)  # fmt: skip
def test_what_bound_a_run(locust: float, service: float, workers: int, bound: str) -> None:
    assert bound_by(locust, service, workers) == bound


def test_each_row_is_held_against_the_ceiling_of_as_many_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rates = {CEILING_1: 4000.0, CEILING_2: 8000.0}

    def measured(contender: object, load: LoadTest) -> dict[str, object]:
        rps = rates.get(contender.name, 2000.0)
        return {"service": contender.name, "workers": contender.workers, "req/s": rps,
                "p50 ms": 1, "p99 ms": 2, "requests": 1, "failures": 0,
                "Locust CPU %": 50, "service CPU %": 50}  # fmt: skip

    monkeypatch.setattr(benchmark_module, "measure", measured)
    table = benchmark(LoadTest(reports=tmp_path), LOCAL)
    ratios = dict(zip(table.index, table["of ceiling"], strict=True))
    assert ratios[CEILING_2] == 1.0
    assert ratios["ours, batching off, 1 worker"] == 0.5
    assert ratios["ours, batching off, 2 workers"] == 0.25


@pytest.mark.parametrize(
    ("rps", "p99", "failures", "verdict"),
    [
        (1200.0, 40.0, 0, "yes"),
        (1000.0, 40.0, 0, "no: 1,000 < 1,111 req/s"),
        (1200.0, 150.0, 0, "no: p99 150 > 100 ms"),
        (61.0, 1600.0, 2, "no: 61 < 1,111 req/s, p99 1,600 > 100 ms, 2 failed"),
    ],
)
def test_each_row_is_held_to_the_bar(rps: float, p99: float, failures: int, verdict: str) -> None:
    row = pd.Series({"req/s": rps, "p99 ms": p99, "failures": failures})
    assert bar_verdict(row) == verdict


def test_the_bar_is_50000_requests_in_45_seconds() -> None:
    assert BAR_OVERRIDES == ("p99_ms=100", "min_rps=1111", "errors_per_10k=0")
