import itertools
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from common.paths import CONFIGURATION_DIR
from load_test import benchmark as benchmark_module
from load_test.benchmark import (
    BAR_OVERRIDES,
    BATCHING,
    HELLO_WORLD,
    MICRO_BATCHING,
    NO_HELLO_WORLD,
    LaunchedProcess,
    Load,
    Pinning,
    ReferenceProcess,
    bar_verdict,
    batching_sentence,
    benchmark,
    benchmark_chart,
    bound_by,
    config_with_batching,
    contenders,
    cpu_us_per_request,
    hello_world_sentence,
    ours_sentence,
    plan_pinning,
    ratio_meaning,
    reader_rows,
    service_cores,
)
from load_test.run import LoadTest
from model_service.configuration import load_configuration

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


def test_the_contenders_are_two_hello_worlds_the_baseline_and_ours_four_ways(
    tmp_path: Path,
) -> None:
    one, two, tutorial, *ours = contenders(LOCAL, tmp_path)
    assert (one.name, one.workers, two.name, two.workers) == (HELLO_WORLD[1], 1, HELLO_WORLD[2], 2)
    assert all("ceiling" not in name for name in HELLO_WORLD.values())
    assert one.app == two.app
    assert tutorial.name.startswith("tutorial-style")
    ways = {(contender.workers, "batching on" in contender.name) for contender in ours}
    assert ways == {(1, False), (1, True), (2, False), (2, True)}


def chart_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "req/s": [4000.0, 100.0, 2000.0],
            "p99 ms": [10.0, 900.0, 30.0],
            "service CPU µs/req": [150.0, 9000.0, None],
            "bound by": ["Locust", "service", "Locust and service"],
        },
        index=["hello-world", "tutorial", "ours"],
    )


def test_the_chart_shows_every_contender() -> None:
    figure = benchmark_chart(chart_table())
    labels = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert labels == ["ours", "tutorial", "hello-world"]


def test_the_chart_hatches_the_rows_locust_bound_and_says_so_in_its_legend() -> None:
    axes = benchmark_chart(chart_table()).axes[0]
    hatches = [bar.get_hatch() or "" for bar in axes.patches]
    assert hatches == ["//", "", "//"]  # ours, tutorial, hello-world: bottom up
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend[0].startswith("bound by Locust")
    bar_labels = [text.get_text() for text in axes.texts]
    assert "9,000 µs CPU/req" in bar_labels[1]
    assert "µs" not in bar_labels[0]  # none measured
    assert "hatched: 2 of 3 rows bound by Locust" in axes.get_title()


def test_a_reference_app_runs_as_ours_does(tmp_path: Path) -> None:
    command = ReferenceProcess("m:app", tmp_path / "log", workers=2).command()
    pairs = dict(itertools.pairwise(command))
    assert (pairs["--workers"], pairs["--loop"], pairs["--http"]) == ("2", "uvloop", "httptools")
    assert "--no-access-log" in command


def test_a_launcher_goes_before_the_command_and_changes_nothing_else(tmp_path: Path) -> None:
    launcher = ("/usr/bin/taskset", "-c", "1")
    plain = ReferenceProcess("m:app", tmp_path / "log", workers=2).command()
    launched = ReferenceProcess("m:app", tmp_path / "log", 2, launcher)
    launched.port = int(dict(itertools.pairwise(plain))["--port"])
    assert launched.command() == [*launcher, *plain]
    ours = LaunchedProcess(LOCAL, tmp_path / "log", 2, launcher).command()
    assert ours[:3] == list(launcher)
    assert ours[-2:] == ["-m", "model_service"]


@pytest.mark.parametrize(
    ("microseconds", "cpu_s", "requests"), [(250.0, 0.5, 2000), (None, 0.5, 0), (0.0, 0.0, 10)]
)
def test_cpu_per_request(microseconds: float | None, cpu_s: float, requests: int) -> None:
    assert cpu_us_per_request(cpu_s, requests) == microseconds


@pytest.mark.parametrize(
    ("load", "cores", "bound"),
    [(Load(95, 120), 2, "Locust"), (Load(60, 185), 2, "service"), (Load(60, 95), 1, "service"),
     (Load(70, 120), 2, "the machine's 2 cores"), (Load(40, 50), 2, "none: CPU to spare"),
     (Load(95, 97), 1, "Locust and service"), (Load(50, 92), 1, "service"),
     (Load(80, 80), 1, "none: CPU to spare"),
     (Load(50, 40, 95), 2, "the machine's 2 cores, 95% to others"),
     (Load(80, 95, 5), 2, "the machine's 2 cores")],
)  # fmt: skip
def test_what_bound_a_run(load: Load, cores: int, bound: str) -> None:
    assert bound_by(load, cores, 2) == bound


def test_a_pinned_service_has_one_core_whatever_its_workers() -> None:
    pinned = Pinning("pinned", frozenset({0, 1}), ("taskset", "-c", "0"), ("taskset", "-c", "1"))
    shared = Pinning("not pinned", frozenset({0, 1}))
    assert (service_cores(2, pinned), service_cores(2, shared), service_cores(1, shared)) == (
        1, 2, 1,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("bound", "meaning"),
    [("service", "the ceiling"), ("Locust and service", "the ceiling"),
     ("Locust", "not a ceiling: hello-world bound by Locust"),
     ("the machine's 2 cores, 60% to others",
      "not a ceiling: hello-world bound by the machine's 2 cores"),
     ("none: CPU to spare", "not a ceiling: hello-world had CPU to spare")],
)  # fmt: skip
def test_a_ratio_to_hello_world_is_one_to_a_ceiling_only_where_the_service_bound_it(
    bound: str, meaning: str
) -> None:
    assert ratio_meaning(bound) == meaning


def test_pinning_puts_locust_on_the_first_core_and_the_service_on_the_second() -> None:
    pinning = plan_pinning(True, {0, 1, 2}, "/usr/bin/taskset")
    assert pinning.pinned
    assert pinning.cores == {0, 1}
    assert pinning.locust_prefix == ("/usr/bin/taskset", "-c", "0")
    assert pinning.service_prefix == ("/usr/bin/taskset", "-c", "1")
    assert pinning.description.startswith("service pinned to core 1, Locust to core 0")


def test_pinning_takes_the_cores_this_process_may_use() -> None:
    pinning = plan_pinning(True, {5, 3, 7}, "/usr/bin/taskset")
    assert (pinning.locust_prefix[-1], pinning.service_prefix[-1]) == ("3", "5")


def test_without_taskset_a_pinned_command_sets_its_own_affinity() -> None:
    pinning = plan_pinning(True, {0, 1}, None)
    assert pinning.service_prefix[1] == "-c"
    assert pinning.service_prefix[-1] == "1"
    assert "sched_setaffinity" in pinning.service_prefix[2]
    assert "sched_setaffinity" in pinning.description


@pytest.mark.parametrize(
    ("requested", "cores", "reason"),
    [(True, {0}, "not pinned: 1 usable core, and pinning needs 2"),
     (False, {0, 1}, "not pinned: Locust and the service share 2 cores (see --pin)")],
)  # fmt: skip
def test_when_pinning_is_not_done_it_says_why(
    requested: bool, cores: set[int], reason: str
) -> None:
    pinning = plan_pinning(requested, cores, "/usr/bin/taskset")
    assert not pinning.pinned
    assert pinning.cores == cores
    assert pinning.locust_prefix == ()
    assert pinning.description == reason


def test_each_row_is_held_against_hello_world_of_as_many_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rates = {HELLO_WORLD[1]: 4000.0, HELLO_WORLD[2]: 8000.0}
    bounds = {HELLO_WORLD[1]: "service", HELLO_WORLD[2]: "Locust"}

    def measured(contender: object, load: LoadTest, pinning: object) -> dict[str, object]:
        rps = rates.get(contender.name, 2000.0)
        return {"service": contender.name, "workers": contender.workers, "req/s": rps,
                "service CPU µs/req": 100, "Locust CPU µs/req": 200,
                "p50 ms": 1, "p99 ms": 2, "requests": 1, "failures": 0,
                "Locust CPU %": 50, "service CPU %": 50, "others CPU %": 0,
                "bound by": bounds.get(contender.name, "Locust")}  # fmt: skip

    monkeypatch.setattr(benchmark_module, "measure", measured)
    table = benchmark(LoadTest(reports=tmp_path), LOCAL)
    ratios = dict(zip(table.index, table["of hello-world"], strict=True))
    assert ratios[HELLO_WORLD[2]] == 1.0
    assert ratios["ours, batching off, 1 worker"] == 0.5
    assert ratios["ours, batching off, 2 workers"] == 0.25
    meanings = dict(zip(table.index, table["of hello-world is"], strict=True))
    assert meanings["ours, batching off, 1 worker"] == "the ceiling"
    assert meanings["ours, batching off, 2 workers"] == "not a ceiling: hello-world bound by Locust"
    assert "of ceiling" not in table.columns


def test_only_the_contenders_named_run_in_the_benchmarks_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ran: list[str] = []

    def measured(contender: object, load: LoadTest, pinning: object) -> dict[str, object]:
        ran.append(contender.name)
        rps = 4000.0 if contender.name == HELLO_WORLD[1] else 1000.0
        return {"service": contender.name, "workers": contender.workers, "req/s": rps,
                "service CPU µs/req": 100, "Locust CPU µs/req": 200,
                "p50 ms": 1, "p99 ms": 2, "requests": 1, "failures": 0,
                "Locust CPU %": 50, "service CPU %": 50, "others CPU %": 0,
                "bound by": "service"}  # fmt: skip

    monkeypatch.setattr(benchmark_module, "measure", measured)
    wanted = ["ours, batching on, 2 workers", HELLO_WORLD[1], "ours, batching on, 1 worker"]
    table = benchmark(LoadTest(reports=tmp_path), LOCAL, only=wanted)
    assert (
        ran
        == list(table.index)
        == [HELLO_WORLD[1], "ours, batching on, 1 worker", "ours, batching on, 2 workers"]
    )
    assert table.loc["ours, batching on, 1 worker", "of hello-world"] == 0.25
    assert pd.isna(table.loc["ours, batching on, 2 workers", "of hello-world"])
    assert table.loc["ours, batching on, 2 workers", "of hello-world is"] == NO_HELLO_WORLD


def test_a_contender_that_does_not_exist_is_named(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"no contender ours, 3 workers; there are: hello"):
        benchmark(LoadTest(reports=tmp_path), LOCAL, only=["ours, 3 workers"])


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


def test_the_fallback_prefix_runs_the_command_on_its_core_alone() -> None:
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) < 2:
        pytest.skip("one usable core: nothing to pin")
    prefix = plan_pinning(True, set(cores), None).service_prefix
    command = [sys.executable, "-c", "import os; print(sorted(os.sched_getaffinity(0)))"]
    finished = subprocess.run([*prefix, *command], capture_output=True, text=True, check=True)
    assert finished.stdout.strip() == f"[{cores[1]}]"


def a_table(rows: dict[str, tuple[float, float, str]]) -> pd.DataFrame:
    """Rows of ``benchmark``'s table: name -> (req/s, service CPU µs/req, bound by)."""
    return pd.DataFrame(
        [
            {"service": name, "workers": 2 if "2 workers" in name else 1, "req/s": rps,
             "service CPU µs/req": cpu, "Locust CPU µs/req": 90, "p50 ms": 2.0, "p99 ms": 9.0,
             "bound by": bound}
            for name, (rps, cpu, bound) in rows.items()
        ]
    ).set_index("service")  # fmt: skip


def test_the_reader_rows_keep_what_a_reader_compares_with_units_in_the_headers() -> None:
    rows = reader_rows(a_table({HELLO_WORLD[1]: (9000.0, 80, "Locust")}))
    assert list(rows.columns) == [
        "service", "req/s", "p50 (ms)", "p99 (ms)", "service CPU per request (µs)",
        "Locust CPU per request (µs)", "bound by",
    ]  # fmt: skip
    assert rows.iloc[0]["service"] == HELLO_WORLD[1]


def test_hello_world_bound_by_locust_is_not_called_a_ceiling() -> None:
    table = a_table({HELLO_WORLD[1]: (11660.0, 83, "Locust"), HELLO_WORLD[2]: (8973.0, 101,
                     "Locust and service")})  # fmt: skip
    assert hello_world_sentence(table) == (
        "Hello-world answered 11,660 req/s with 1 and 8,973 req/s with 2 workers, and Locust "
        "bound every one of these rows: they are what one Locust process sends on this "
        "machine, not the framework's ceiling. Two workers come out below one: the second "
        "worker competes with Locust for the same cores."
    )


def test_hello_world_bound_by_the_service_is_the_ceiling() -> None:
    table = a_table({HELLO_WORLD[1]: (5000.0, 83, "service"), HELLO_WORLD[2]: (9000.0, 90,
                     "Locust")})  # fmt: skip
    assert hello_world_sentence(table).endswith(
        "with 1, the service itself bound it: 5,000 req/s is the framework's ceiling on this "
        "machine."
    )
    spare = a_table({HELLO_WORLD[1]: (5000.0, 83, "none: CPU to spare")})
    assert hello_world_sentence(spare) == (
        "Hello-world answered 5,000 req/s with 1 worker: the service alone bound no row, so "
        "none is the framework's ceiling."
    )


def test_the_batching_sentence_says_what_it_changed_and_what_bound_the_rows() -> None:
    table = a_table({"ours, batching off, 1 worker": (6036.0, 165, "service"),
                     "ours, batching on, 1 worker": (6798.0, 146, "service")})  # fmt: skip
    assert batching_sentence(table) == (
        "With 1 worker, micro-batching raised the rate from 6,036 to 6,798 req/s and lowered "
        "the CPU per request from 165 to 146 µs; the service bound both rows: its event loop "
        "was the bottleneck."
    )
    table.loc["ours, batching on, 1 worker", ["req/s", "bound by"]] = (5000.0, "Locust")
    assert batching_sentence(table).endswith(
        "lowered the CPU per request from 165 to 146 µs; the service did not bind both rows, "
        "so the CPU per request says more than the rates."
    )
    assert "micro-batching lowered the rate from 6,036 to 5,000 req/s" in batching_sentence(table)


def test_ours_is_held_against_hello_world_and_the_tutorial_style_endpoint() -> None:
    table = a_table(
        {
            HELLO_WORLD[1]: (11660.0, 83, "Locust"),
            "tutorial-style: DataFrame + pipeline.predict": (328.0, 3098, "service"),
            "ours, batching on, 2 workers": (6072.0, 166, "none: CPU to spare"),
        }
    )
    assert ours_sentence(table) == (
        "Ours, as `make serve` starts it (2 workers, batching on), answered 6,072 req/s with a "
        "p99 of 9 ms, with CPU to spare. A request cost it 166 µs of CPU, against 83 µs for "
        "hello-world and 3,098 µs for the tutorial-style endpoint, 19 times as much."
    )
