from pathlib import Path

import pytest

from common.yaml_files import ConfigurationError
from load_test.slo import (
    Measurements,
    ServiceLevelObjectives,
    breaches,
    evaluate,
    load_objectives,
    parse_override,
    slo_table,
    with_overrides,
)

PROJECT = Path(__file__).resolve().parents[4]
OBJECTIVES = ServiceLevelObjectives(p99_ms=100, p90_ms=50, errors_per_10k=10, min_rps=500)
GOOD_RUN = Measurements(requests=20_000, failures=0, rps=1_000, p50_ms=10, p90_ms=30, p99_ms=80)


def verdicts_by_name(measurements: Measurements) -> dict[str, bool]:
    return {verdict.name: verdict.passed for verdict in evaluate(measurements, OBJECTIVES)}


def test_the_project_slo_file_is_valid() -> None:
    objectives = load_objectives(PROJECT / "configuration" / "slo.yaml")
    assert objectives.errors_per_10k == 10  # the original post's error budget


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


def test_an_override_replaces_one_slo() -> None:
    overridden = with_overrides(OBJECTIVES, ["p99_ms=50", "min_rps = 10"])
    assert overridden.p99_ms == 50
    assert overridden.min_rps == 10
    assert overridden.p90_ms == OBJECTIVES.p90_ms


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("p95_ms=50", "NAME one of p99_ms, p90_ms, errors_per_10k, min_rps"),
        ("p99_ms", "is not NAME=VALUE"),
        ("p99_ms=fast", "'fast' is not a number"),
    ],
)
def test_a_bad_override_is_named(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_override(text)


def test_an_override_out_of_range_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="p99_ms"):
        with_overrides(OBJECTIVES, ["p99_ms=0"])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("p99_ms: 100\np90_ms: 50\nerrors_per_10k: 10\n", "min_rps: Field required"),
        ("p99_ms: 100\np90_ms: 50\nerrors_per_10k: -1\nmin_rps: 1\n", "errors_per_10k"),
        ("p99_ms: 1\np90_ms: 1\nerrors_per_10k: 1\nmin_rps: 1\np95_ms: 1\n", "p95_ms"),
        ("- p99_ms\n", "must hold a mapping"),
        ("p99_ms: [\n", "not valid YAML"),
    ],
)
def test_a_bad_slo_file_is_named(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "slo.yaml"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=problem):
        load_objectives(path)


def test_a_missing_slo_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="cannot read the SLO file"):
        load_objectives(tmp_path / "missing.yaml")
