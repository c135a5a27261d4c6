from pathlib import Path

import pandas as pd

from load_test.benchmark import (
    BATCHING,
    MICRO_BATCHING,
    benchmark_chart,
    config_with_batching,
    contenders,
)
from model_service.configuration import load_configuration

PROJECT = Path(__file__).resolve().parents[3]
LOCAL = PROJECT / "configuration" / "local.yaml"


def test_batching_is_turned_on_and_off_in_copies_of_the_configuration(tmp_path: Path) -> None:
    on = load_configuration(config_with_batching(LOCAL, True, tmp_path))
    off = load_configuration(config_with_batching(LOCAL, False, tmp_path))
    on_decorators = [decorator.class_path for decorator in on.models[0].decorators]
    off_decorators = [decorator.class_path for decorator in off.models[0].decorators]
    assert on_decorators == [MICRO_BATCHING, *off_decorators]
    assert MICRO_BATCHING not in off_decorators
    assert on.models[0].decorators[0].kwargs == BATCHING
    assert on.logging == off.logging == load_configuration(LOCAL).logging


def test_the_contenders_are_the_ceiling_the_baseline_and_ours_four_ways(tmp_path: Path) -> None:
    ceiling, tutorial, *ours = contenders(LOCAL, tmp_path)
    assert ceiling.name.startswith("hello-world")
    assert tutorial.name.startswith("tutorial")
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
