"""The verdicts: a load test's measurements against the SLOs, each breach in words, the table."""

import pytest

from load_test.verdicts import Measurements, breaches, evaluate, slo_table
from service_levels.objectives import ServiceLevelObjectives

OBJECTIVES = ServiceLevelObjectives(p99_ms=100, p90_ms=50, errors_per_10k=10, min_rps=500)
GOOD_RUN = Measurements(requests=20_000, failures=0, rps=1_000, p50_ms=10, p90_ms=30, p99_ms=80)


def verdicts_by_name(measurements: Measurements) -> dict[str, bool]:
    return {verdict.name: verdict.passed for verdict in evaluate(measurements, OBJECTIVES)}


def test_a_run_within_every_slo_passes() -> None:
    assert verdicts_by_name(GOOD_RUN) == dict.fromkeys(OBJECTIVES.model_dump(), True)
    assert breaches(evaluate(GOOD_RUN, OBJECTIVES)) == []


@pytest.mark.parametrize(
    ("change", "breached", "words"),
    [
        ({"p99_ms": 101}, "p99_ms", "p99 latency: 101 ms, target ≤ 100 ms"),
        ({"p90_ms": 51}, "p90_ms", "p90 latency: 51 ms, target ≤ 50 ms"),
        (
            {"failures": 21},
            "errors_per_10k",
            "errors per 10,000 requests: 10.5 errors, target ≤ 10",
        ),
        ({"rps": 499.9}, "min_rps", "throughput: 499.9 req/s, target ≥ 500 req/s"),
    ],
)
def test_each_kind_of_breach_fails_only_its_slo(change: dict, breached: str, words: str) -> None:
    run = GOOD_RUN.model_copy(update=change)
    assert verdicts_by_name(run) == dict.fromkeys(OBJECTIVES.model_dump(), True) | {breached: False}
    (message,) = breaches(evaluate(run, OBJECTIVES))
    assert message.startswith(words)


def test_a_measurement_on_the_target_meets_it() -> None:
    run = GOOD_RUN.model_copy(update={"p99_ms": 100, "failures": 20, "rps": 500})
    assert all(verdicts_by_name(run).values())


def test_a_run_without_requests_fails_every_slo() -> None:
    run = Measurements(requests=0, failures=0, rps=0, p50_ms=0, p90_ms=0, p99_ms=0)
    verdicts = evaluate(run, OBJECTIVES)
    assert [verdict.measured for verdict in verdicts] == [None] * 4
    assert not any(verdict.passed for verdict in verdicts)
    assert "nothing measured" in breaches(verdicts)[0]


def test_the_table_shows_each_slo_and_its_verdict() -> None:
    table = slo_table(evaluate(GOOD_RUN.model_copy(update={"p90_ms": 70}), OBJECTIVES))
    lines = table.splitlines()
    assert lines[0].split() == ["SLO", "target", "measured", "verdict"]
    assert len(lines) == 2 + 4
    p90_line = next(line for line in lines if line.startswith("p90"))
    assert "70 ms" in p90_line
    assert p90_line.endswith("FAIL")
