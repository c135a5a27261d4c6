"""The SLOs: the project's file, overrides, and every way a file or an override is wrong."""

from pathlib import Path

import pytest

from common.yaml_files import ConfigurationError
from service_levels.objectives import (
    SLO_FILE,
    ServiceLevelObjectives,
    load_objectives,
    parse_override,
    with_overrides,
)

OBJECTIVES = ServiceLevelObjectives(p99_ms=100, p90_ms=50, errors_per_10k=10, min_rps=500)


def test_the_project_slo_file_is_valid() -> None:
    objectives = load_objectives()  # configuration/slo.yaml
    assert objectives == load_objectives(SLO_FILE)
    assert objectives.errors_per_10k == 10  # the original post's error budget


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
