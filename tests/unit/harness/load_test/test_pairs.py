from pathlib import Path

import pytest

from load_test import pairs as pairs_module
from load_test.benchmark import Pinning
from load_test.pairs import (
    HELLO,
    OURS,
    TARGET_RATIO,
    PairSettings,
    contenders,
    pair_orders,
    pair_row,
    pairs_summary,
    parse_arguments,
    ratio,
    report,
    run_pairs,
    spread,
)


def run(rps: float, service_us: float | None, bound: str = "Locust") -> dict[str, object]:
    return {"req/s": rps, "service CPU µs/req": service_us, "Locust CPU µs/req": 300,
            "bound by": bound}  # fmt: skip


def test_the_order_alternates_within_each_pair_abba() -> None:
    orders = pair_orders(4)
    assert orders == [(OURS, HELLO), (HELLO, OURS), (OURS, HELLO), (HELLO, OURS)]
    sequence = [name for pair in orders for name in pair]
    assert sequence.count(OURS) == sequence.count(HELLO) == 4


def test_one_pair_runs_ours_first() -> None:
    assert pair_orders(1) == [(OURS, HELLO)]


@pytest.mark.parametrize(
    ("values", "expected"),
    [([0.8, 0.6, 0.9], (0.8, 0.6, 0.9)), ([0.5, 0.7], (0.6, 0.5, 0.7)),
     ([0.7, None, 0.9], (0.8, 0.7, 0.9))],
)  # fmt: skip
def test_the_spread_of_the_ratios(
    values: list[float | None], expected: tuple[float, float, float]
) -> None:
    measured = spread(values)
    assert (measured["median"], measured["min"], measured["max"]) == pytest.approx(expected)


def test_no_ratio_measured_has_no_spread() -> None:
    assert spread([None]) == {"median": None, "min": None, "max": None}


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(3.0, 4.0, 0.75), (None, 4.0, None), (3.0, None, None), (3.0, 0.0, None)],
)
def test_a_ratio_is_none_when_a_side_is_missing(
    numerator: float | None, denominator: float | None, expected: float | None
) -> None:
    assert ratio(numerator, denominator) == expected


def test_a_pair_row_holds_ours_against_hello_world() -> None:
    runs = {OURS: run(1500.0, 600.0), HELLO: run(2000.0, 150.0, "service")}
    row = pair_row(2, HELLO, runs)
    assert (row["pair"], row["first"]) == (2, "hello-world")
    assert (row["ours req/s"], row["hello-world req/s"], row["req/s ratio"]) == (1500, 2000, 0.75)
    assert (row["ours CPU µs/req"], row["hello-world CPU µs/req"]) == (600.0, 150.0)
    assert row["CPU µs/req ratio"] == 4.0
    assert (row["ours bound by"], row["hello-world bound by"]) == ("Locust", "service")


def test_the_summary_gives_the_median_min_and_max_of_both_ratios() -> None:
    runs = [{OURS: run(rps, 400.0), HELLO: run(2000.0, 100.0)} for rps in (1600.0, 1000.0, 1800.0)]
    rows = [pair_row(number, OURS, pair) for number, pair in enumerate(runs, start=1)]
    summary = pairs_summary(rows, PairSettings(pairs=3), "not pinned")
    assert summary["req/s ratio"] == {"median": 0.8, "min": 0.5, "max": 0.9}
    assert summary["CPU µs/req ratio"] == {"median": 4.0, "min": 4.0, "max": 4.0}
    assert summary["settings"]["pinning"] == "not pinned"
    assert summary["target_median_rps_ratio"] == TARGET_RATIO
    text = report(summary)
    assert "median 0.800 (min 0.500, max 0.900)" in text
    assert f"target: a median req/s ratio of {TARGET_RATIO}" in text


def test_ours_and_hello_world_both_run_two_workers() -> None:
    services = contenders(Path("configuration/local.yaml"))
    assert {name: service.workers for name, service in services.items()} == {OURS: 2, HELLO: 2}
    assert services[HELLO].app
    assert services[OURS].config == Path("configuration/local.yaml")


def test_each_pair_runs_both_in_its_order_under_the_same_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads = []

    def measured(contender: object, load: object, pinning: Pinning) -> dict[str, object]:
        loads.append((contender.name, load))
        return run(1000.0 if contender.name == OURS else 2000.0, 200.0)

    monkeypatch.setattr(pairs_module, "measure", measured)
    rows = run_pairs(PairSettings(pairs=2, users=8, reports=tmp_path), Pinning("not pinned"))
    assert [name for name, _ in loads] == [OURS, HELLO, HELLO, OURS]
    assert {(load.users, load.duration, load.processes) for _, load in loads} == {(8, "20s", 1)}
    assert [load.reports.name for _, load in loads] == ["pair-1", "pair-1", "pair-2", "pair-2"]
    assert [row["req/s ratio"] for row in rows] == [0.5, 0.5]


def test_the_defaults_are_five_pairs_of_20_seconds_with_32_users() -> None:
    settings = parse_arguments([])
    assert (settings.pairs, settings.duration, settings.users) == (5, "20s", 32)
    assert not settings.pin


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--pairs", "0"], "'0' is not a whole number above 0"),
     (["--users", "-3"], "'-3' is not a whole number above 0"),
     (["--duration", "soon"], "'soon' is not a run time such as 20s")],
)  # fmt: skip
def test_bad_arguments_are_refused_with_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        parse_arguments(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
