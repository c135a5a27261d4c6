import argparse
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from matplotlib import pyplot as plt

from common.paths import CONFIGURATION_DIR
from common.yaml_files import ConfigurationError
from load_test import tail as tail_module
from load_test.run import LoadTest, LoadTestResult
from load_test.summary import LoadSettings, LoadTestSummary
from load_test.tail import config_with_freeze, main, sweep, tail_chart, users_list
from load_test.verdicts import Measurements
from model_service.configuration import load_configuration
from service_levels.objectives import ServiceLevelObjectives

LOCAL = CONFIGURATION_DIR / "local.yaml"
FROZEN, NOT_FROZEN = "frozen after loading", "not frozen"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PAUSES = {"tracked objects": 1000, "frozen objects": 990, "not frozen ms": 150.0, "frozen ms": 0.5}


@pytest.mark.parametrize("freeze", [False, True])
def test_a_copy_of_the_service_file_sets_the_freeze_and_nothing_else(
    tmp_path: Path, freeze: bool
) -> None:
    original = LOCAL.read_bytes()
    directory = tmp_path / "reports" / "tail"  # made when missing
    path = config_with_freeze(LOCAL, freeze, directory)
    assert path == directory / f"service-freeze-{str(freeze).lower()}.yaml"
    copy, local = load_configuration(path), load_configuration(LOCAL)
    assert copy.freeze_after_loading is freeze
    assert copy.model_dump(exclude={"freeze_after_loading"}) == local.model_dump(
        exclude={"freeze_after_loading"}
    )
    assert isinstance(yaml.safe_load(path.read_text())["logging"], dict)  # inline, not a name
    assert LOCAL.read_bytes() == original


def test_a_missing_service_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigurationError, match=r"cannot read the service configuration .*nowhere"
    ):
        config_with_freeze(tmp_path / "nowhere.yaml", False, tmp_path)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "users"), [("32,64", [32, 64]), ("16", [16]), ("8, 4", [8, 4]), ("1,1", [1, 1])]
)
def test_user_counts_are_read_from_a_comma_separated_list(text: str, users: list[int]) -> None:
    assert users_list(text) == users


@pytest.mark.parametrize("text", ["", "a,b", "32,,64", "32;64", "0", "16,-1", "1.5", "16,32,"])
def test_anything_but_positive_user_counts_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError) as error:
        users_list(text)
    assert str(error.value) == f"{text!r} is not a list of user counts like 16,32,64"


def table_of(p50: list[float], p99: list[float]) -> pd.DataFrame:
    """Rows as ``sweep`` makes them: not frozen first here, to show the order does not matter."""
    return pd.DataFrame(
        {"setting": [NOT_FROZEN] * 3 + [FROZEN] * 3, "users": [16, 32, 64] * 2,
         "req/s": [900.0] * 6, "p50 ms": p50, "p90 ms": p50, "p99 ms": p99, "failures": [0] * 6}
    )  # fmt: skip


SLO = "p99 SLO (100 ms)"


def test_the_chart_draws_p50_and_p99_of_each_setting_against_the_slo() -> None:
    objectives = ServiceLevelObjectives(p99_ms=100, p90_ms=75, errors_per_10k=10, min_rps=500)
    table = table_of(p50=[5, 6, 9, 5, 6, 8], p99=[40, 120, 250, 20, 30, 60])
    figure = tail_chart(table, objectives)
    axes = figure.axes[0]
    lines = {line.get_label(): line for line in axes.get_lines()}
    assert sorted(lines) == sorted(
        [f"{FROZEN}: p99", f"{FROZEN}: p50", f"{NOT_FROZEN}: p99", f"{NOT_FROZEN}: p50", SLO]
    )
    assert list(lines[f"{NOT_FROZEN}: p99"].get_ydata()) == [40, 120, 250]
    assert list(lines[f"{FROZEN}: p99"].get_ydata()) == [20, 30, 60]
    assert list(lines[f"{FROZEN}: p50"].get_xdata()) == [16, 32, 64]
    assert list(lines[SLO].get_ydata()) == [100, 100]
    frozen, not_frozen = (
        lines[f"{FROZEN}: p99"].get_color(),
        lines[f"{NOT_FROZEN}: p99"].get_color(),
    )
    assert lines[f"{FROZEN}: p50"].get_color() == frozen != not_frozen
    assert [label.get_text() for label in axes.get_xticklabels()] == ["16", "32", "64"]
    assert axes.get_xscale() == "log"
    assert axes.get_ylim()[0] == 0
    assert len(axes.get_legend().get_texts()) == 5
    figure.canvas.draw()
    legend = axes.get_legend().get_window_extent(figure.canvas.get_renderer())
    assert legend.x0 >= axes.get_window_extent().x1  # beside the chart, over no line
    plt.close(figure)


def result_of(measurements: Measurements) -> LoadTestResult:
    summary = LoadTestSummary(
        settings=LoadSettings(
            host="http://x", shape="constant", users=1, spawn_rate=1, duration_s=1
        ),
        started_at="2026-01-01T00:00:00+00:00",
        elapsed_s=1,
        measurements=measurements,
        slos=[],
        generator_errors=[],
        passed=True,
        breaches=[],
    )
    return LoadTestResult(exit_code=0, summary=summary, charts=[])


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> list[LoadTest]:
    """The load tests ``tail`` runs, none of them for real. A frozen service's p99 is its users in
    ms, an unfrozen one's five times that; the figures come from the service file each run got."""
    started: list[LoadTest] = []

    def run_load_test(test: LoadTest) -> LoadTestResult:
        started.append(test)
        frozen = load_configuration(test.service_config).freeze_after_loading
        return result_of(
            Measurements(
                requests=100 * test.users,
                failures=0 if frozen else 3,
                rps=10.0 * test.users,
                p50_ms=2.0,
                p90_ms=test.users / 2,
                p99_ms=test.users * (1 if frozen else 5),
            )
        )

    monkeypatch.setattr(tail_module, "run_load_test", run_load_test)
    monkeypatch.setattr(tail_module, "collection_pauses", lambda config: PAUSES)
    return started


def test_the_sweep_runs_each_setting_at_each_load_and_tabulates_them(
    tmp_path: Path, runs: list[LoadTest], capsys: pytest.CaptureFixture
) -> None:
    load = LoadTest(reports=tmp_path, duration="5s", workers=2, slo_overrides=("min_rps=1",))
    table = sweep(load, [16, 32], LOCAL)
    expected = [
        (tmp_path / "frozen_after_loading_16", 16, tmp_path / "service-freeze-true.yaml"),
        (tmp_path / "frozen_after_loading_32", 32, tmp_path / "service-freeze-true.yaml"),
        (tmp_path / "not_frozen_16", 16, tmp_path / "service-freeze-false.yaml"),
        (tmp_path / "not_frozen_32", 32, tmp_path / "service-freeze-false.yaml"),
    ]
    assert [(test.reports, test.users, test.service_config) for test in runs] == expected
    for test in runs:
        assert test.spawn_rate == test.users  # all users at once: a constant load
        assert test.locust_log == test.reports / "locust.log"
        assert (test.duration, test.workers, test.slo_overrides) == ("5s", 2, ("min_rps=1",))
    assert table.to_dict(orient="records") == [
        {"setting": FROZEN, "users": 16, "req/s": 160.0, "p50 ms": 2.0, "p90 ms": 8.0,
         "p99 ms": 16.0, "failures": 0},
        {"setting": FROZEN, "users": 32, "req/s": 320.0, "p50 ms": 2.0, "p90 ms": 16.0,
         "p99 ms": 32.0, "failures": 0},
        {"setting": NOT_FROZEN, "users": 16, "req/s": 160.0, "p50 ms": 2.0, "p90 ms": 8.0,
         "p99 ms": 80.0, "failures": 3},
        {"setting": NOT_FROZEN, "users": 32, "req/s": 320.0, "p50 ms": 2.0, "p90 ms": 16.0,
         "p99 ms": 160.0, "failures": 3},
    ]  # fmt: skip
    assert "== not frozen, 32 users: p99 160.0 ms" in capsys.readouterr().out


def test_a_failed_run_stops_the_sweep(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def run_load_test(test: LoadTest) -> LoadTestResult:
        raise RuntimeError("Locust exited with 1 and wrote no summary.json")

    monkeypatch.setattr(tail_module, "run_load_test", run_load_test)
    with pytest.raises(RuntimeError, match=r"wrote no summary\.json"):
        sweep(LoadTest(reports=tmp_path), [16], LOCAL)


def test_main_sweeps_prints_the_table_and_saves_the_chart(
    tmp_path: Path, runs: list[LoadTest], capsys: pytest.CaptureFixture
) -> None:
    chart = tmp_path / "images" / "tail.png"
    arguments = ["--users", "8,16", "--duration", "3s", "--workers", "1",
                 "--reports", str(tmp_path / "reports"), "--chart", str(chart)]  # fmt: skip
    assert main(arguments) == 0
    assert [(test.users, test.duration, test.workers) for test in runs] == [
        (8, "3s", 1),
        (16, "3s", 1),
    ] * 2
    assert {test.slo_overrides for test in runs} == {("min_rps=1",)}  # the p99 is the point
    assert {test.reports.parent for test in runs} == {tmp_path / "reports"}
    assert chart.read_bytes().startswith(PNG_SIGNATURE)
    out = capsys.readouterr().out
    assert f"chart: {chart}" in out
    assert out.startswith("A full collection walks 1,000 objects in a loaded worker and pauses it")
    assert re.search(r"not frozen +16 +160\.0 +2\.0 +8\.0 +80\.0 +3\n", out)


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        (["--users", "16,many"], "argument --users: '16,many' is not a list of user counts"),
        (["--users", "0"], "argument --users: '0' is not a list of user counts"),
        (["--workers", "two"], "argument --workers: 'two' is not a whole number above 0"),
        (["--workers", "0"], "argument --workers: '0' is not a whole number above 0"),
        (["--freeze"], "unrecognized arguments: --freeze"),
    ],
)
def test_bad_arguments_are_named_before_any_run(
    runs: list[LoadTest], capsys: pytest.CaptureFixture, arguments: list[str], problem: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(arguments)
    assert exit_info.value.code == 2
    assert problem in capsys.readouterr().err
    assert runs == []


def test_main_answers_a_run_that_cannot_start_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    missing = tmp_path / "missing.yaml"
    monkeypatch.setattr(tail_module, "run_load_test", pytest.fail)
    arguments = ["--users", "8", "--config", str(missing), "--reports", str(tmp_path / "r")]
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.startswith(
        "error: measuring the collection pauses failed: cannot read the service configuration"
    )
    assert str(missing) in error


def test_main_answers_a_failed_run_with_its_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    def run_load_test(test: LoadTest) -> LoadTestResult:
        raise RuntimeError("Locust exited with 1 and wrote no summary.json")

    monkeypatch.setattr(tail_module, "run_load_test", run_load_test)
    monkeypatch.setattr(tail_module, "collection_pauses", lambda config: PAUSES)
    chart = tmp_path / "tail.png"
    arguments = ["--users", "8", "--reports", str(tmp_path / "r"), "--chart", str(chart)]
    assert main(arguments) == 2
    assert capsys.readouterr().err == "error: Locust exited with 1 and wrote no summary.json\n"
    assert not chart.exists()
