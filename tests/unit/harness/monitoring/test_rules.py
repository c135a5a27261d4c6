"""The SLO rules: generated from slo.yaml, committed up to date, true to the service's metrics."""

import math
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from common.yaml_files import ConfigurationError
from model_service.metrics import LATENCY_BUCKETS, ServiceMetrics
from model_service.routes import PREDICTION_ROUTE
from monitoring import rules
from monitoring.burn_rates import (
    BURN_RATE_ALERTS,
    DEMONSTRATION,
    PREDICTIONS,
    REQUEST_DURATION,
    REQUESTS,
    RulesError,
    Timescale,
    bucket_boundary,
    prometheus_duration,
    seconds,
    slis,
)
from monitoring.rule_files import AlertingRule, RecordingRule, load_rule_file, load_rule_test_file
from service_levels.objectives import SLO_FILE, ServiceLevelObjectives, load_objectives

OBJECTIVES = ServiceLevelObjectives(p99_ms=100, p90_ms=75, errors_per_10k=10, min_rps=500)
COMMITTED = {
    name: rules.RULES_DIR / name
    for name in (rules.RULES_NAME, rules.TESTS_NAME, rules.DEMONSTRATION_RULES,
                 rules.DEMONSTRATION_TESTS)
}  # fmt: skip


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return rules.generated(SLO_FILE)


@pytest.mark.parametrize("name", list(COMMITTED))
def test_the_committed_file_is_what_the_generator_makes_now(
    generated: dict[str, str], name: str
) -> None:
    path = COMMITTED[name]
    assert path.read_text() == generated[name], f"{path} is out of date: run `make rules`"


def test_check_passes_on_the_committed_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert rules.main(["--check"]) == 0
    assert capsys.readouterr().err == ""


def copy_of_slo_file(tmp_path: Path, **changes: float) -> Path:
    content = yaml.safe_load(SLO_FILE.read_text()) | changes
    path = tmp_path / "slo.yaml"
    path.write_text(yaml.safe_dump(content))
    return path


def test_a_changed_slo_makes_the_check_fail_naming_each_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slo_file, output = copy_of_slo_file(tmp_path), tmp_path / "prometheus"
    assert rules.main(["--slo-file", str(slo_file), "--output", str(output)]) == 0
    assert rules.main(["--check", "--slo-file", str(slo_file), "--output", str(output)]) == 0
    capsys.readouterr()
    copy_of_slo_file(tmp_path, errors_per_10k=20)
    assert rules.main(["--check", "--slo-file", str(slo_file), "--output", str(output)]) == 1
    errors = capsys.readouterr().err.splitlines()
    assert errors == [
        f"error: {output / name} is out of date: run `make rules`" for name in COMMITTED
    ]
    assert "(14.4 * 0.001)" in (output / rules.RULES_NAME).read_text()  # --check writes nothing


def test_a_changed_slo_changes_the_thresholds(tmp_path: Path) -> None:
    files = rules.generated(copy_of_slo_file(tmp_path, errors_per_10k=20))
    assert "slo:errors:ratio_rate1h > (14.4 * 0.002)" in files[rules.RULES_NAME]


def test_check_says_when_a_file_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert rules.main(["--check", "--output", str(tmp_path)]) == 1
    assert f"{tmp_path / rules.RULES_NAME} is out of date" in capsys.readouterr().err


def test_a_missing_slo_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert rules.main(["--slo-file", str(tmp_path / "nowhere.yaml")]) == 1
    assert "error: cannot read the SLO file" in capsys.readouterr().err


def test_a_latency_threshold_off_the_buckets_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    slo_file = copy_of_slo_file(tmp_path, p99_ms=80)
    assert rules.main(["--slo-file", str(slo_file), "--output", str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err
    assert "the SLO threshold 80 ms is not a bucket boundary" in error
    assert "model_service.metrics.LATENCY_BUCKETS" in error
    assert "add 0.08 there" in error
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["p99_ms", "p90_ms"])
def test_every_slo_latency_threshold_is_a_bucket_boundary(name: str) -> None:
    milliseconds = getattr(load_objectives(SLO_FILE), name)
    assert any(math.isclose(milliseconds / 1000, bound) for bound in LATENCY_BUCKETS), (
        f"{name} = {milliseconds} ms is not in model_service.metrics.LATENCY_BUCKETS"
    )


def test_bucket_boundary_finds_the_bucket() -> None:
    assert bucket_boundary(75) == 0.075
    with pytest.raises(RulesError, match="the SLO threshold 7 ms is not a bucket boundary"):
        bucket_boundary(7)


def test_the_budgets_come_from_the_slos() -> None:
    budgets = {sli.name: sli.budget for sli in slis(OBJECTIVES)}
    assert budgets == {"errors": 0.001, "latency_p99": 0.01, "latency_p90": 0.1}


def test_every_sli_is_recorded_over_every_window_of_the_alerts(generated: dict[str, str]) -> None:
    rule_file = yaml.safe_load(generated[rules.RULES_NAME])
    recorded = {rule["record"] for group in rule_file["groups"] for rule in group["rules"]
                if "record" in rule}  # fmt: skip
    windows = {w for row in BURN_RATE_ALERTS for w in (row.long_window, row.short_window)}
    for sli in slis(OBJECTIVES):
        assert {sli.record(window) for window in windows} <= recorded


def test_only_the_prediction_route_counts_and_4xx_are_not_errors() -> None:
    errors, p99, _ = slis(OBJECTIVES)
    ratio = errors.ratio("5m")
    assert f'{REQUESTS}{{route="{PREDICTION_ROUTE}",status=~"5.."}}[5m]' in ratio
    assert ratio.count(f'route="{PREDICTION_ROUTE}"') == 2
    slow = p99.ratio("5m")
    assert f'{REQUEST_DURATION}_bucket{{route="{PREDICTION_ROUTE}",le="0.1"}}[5m]' in slow
    assert slow.startswith("1 - (")


def test_the_alerts_are_the_workbook_s_table(tmp_path: Path, generated: dict[str, str]) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(generated[rules.RULES_NAME])
    [group] = [g for g in load_rule_file(path).groups if g.name.endswith("slo-errors")]
    alerts = [rule for rule in group.rules if isinstance(rule, AlertingRule)]
    assert [(a.labels["severity"], a.alert) for a in alerts] == [
        ("page", "PredictionErrorsBudgetBurn1h"),
        ("page", "PredictionErrorsBudgetBurn6h"),
        ("ticket", "PredictionErrorsBudgetBurn1d"),
        ("ticket", "PredictionErrorsBudgetBurn3d"),
    ]
    assert alerts[0].expr == (
        "slo:errors:ratio_rate1h > (14.4 * 0.001)\nand\nslo:errors:ratio_rate5m > (14.4 * 0.001)"
    )
    # What burns, how fast, and what share of the 30-day budget it spends.
    description = alerts[0].annotations["description"]
    assert "failed (5xx): 14.4x the budget of 0.1%" in description
    assert "2% of the 30-day budget goes in 1h, and all of it in 50 hours" in description
    assert all(isinstance(rule, RecordingRule) for rule in group.rules[: -len(alerts)])


def test_a_burn_rate_out_of_reach_has_no_alert(generated: dict[str, str]) -> None:
    p90 = slis(OBJECTIVES)[2]
    assert [row.burn_rate for row in p90.alerts()] == [6, 3, 1]  # 14.4 x 10% is over 100%
    text = generated[rules.RULES_NAME]
    assert "PredictionLatencyP90BudgetBurn1h" not in text
    assert "latency_p90 has no 14.4x alert" in text


def test_the_header_says_where_the_file_comes_from_and_why_min_rps_has_no_rule(
    generated: dict[str, str],
) -> None:
    header = generated[rules.RULES_NAME].split("\ngroups:")[0]
    assert header.startswith("# Generated from configuration/slo.yaml by `make rules`")
    assert "Schema: Prometheus's rule file (monitoring.rule_files.RuleFile)" in header
    assert "min_rps (500 req/s) is a load-test target, not something to page on" in header
    assert "min_rps" not in generated[rules.RULES_NAME].split("\ngroups:")[1]
    assert generated[rules.TESTS_NAME].startswith("# Generated from configuration/slo.yaml")


def test_the_generated_files_fit_their_schemas() -> None:
    rule_file = load_rule_file(COMMITTED[rules.RULES_NAME])
    tests = load_rule_test_file(COMMITTED[rules.TESTS_NAME])
    assert tests.rule_files == [rules.RULES_NAME]
    assert tests.unknown_names(rule_file) == []


def test_the_windows_the_rules_read_are_durations() -> None:
    assert [seconds(row.long_window) for row in BURN_RATE_ALERTS] == [3600, 21600, 86400, 259200]
    with pytest.raises(RulesError, match="'5 minutes' is not a duration"):
        seconds("5 minutes")


def exposed_samples() -> dict[str, set[frozenset[str]]]:
    """What /metrics shows once a request and a prediction are counted: each sample's name, and
    the label names it carries."""
    metrics = ServiceMetrics()
    metrics.request_counter(PREDICTION_ROUTE, "POST", "200").inc()
    metrics.request_histogram(PREDICTION_ROUTE).observe(0.01)
    metrics.prediction_recorder("insurance_charges_model")(0.001, True)
    samples: dict[str, set[frozenset[str]]] = {}
    text = generate_latest(metrics.exposed()).decode()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, set()).add(frozenset(sample.labels))
    return samples


def test_the_rules_read_metrics_the_service_exposes() -> None:
    samples = exposed_samples()
    assert frozenset({"route", "method", "status"}) in samples[REQUESTS]
    assert frozenset({"route", "le"}) in samples[f"{REQUEST_DURATION}_bucket"]
    assert frozenset({"route"}) in samples[f"{REQUEST_DURATION}_count"]
    assert frozenset({"model", "status"}) in samples[PREDICTIONS]


def test_the_latency_slis_match_a_bucket_as_the_client_labels_it() -> None:
    metrics = ServiceMetrics()
    metrics.request_histogram(PREDICTION_ROUTE).observe(0.01)
    text = generate_latest(metrics.exposed()).decode()
    for sli in slis(load_objectives(SLO_FILE))[1:]:
        assert f'le="{sli.le}",route="{PREDICTION_ROUTE}"' in text


def test_a_configuration_error_in_the_slo_file_is_reported(tmp_path: Path) -> None:
    slo_file = tmp_path / "slo.yaml"
    slo_file.write_text("p99_ms: fast\n")
    with pytest.raises(ConfigurationError, match="p99_ms"):
        rules.generated(slo_file)


RULE_LINES = COMMITTED[rules.RULES_NAME].read_text().splitlines()


def committed_rule(name: str) -> dict:
    """The rule ``name`` as YAML reads the committed file."""
    rule_file = yaml.safe_load(COMMITTED[rules.RULES_NAME].read_text())
    [rule] = [rule for group in rule_file["groups"] for rule in group["rules"]
              if name in (rule.get("record"), rule.get("alert"))]  # fmt: skip
    return rule


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        ("record", "slo:errors:ratio_rate5m"),  # the first rule of the file
        ("alert", "PredictionErrorsBudgetBurn1h"),  # an alert between alerts
        ("alert", "PredictionErrorsBudgetBurn3d"),  # the last of its group
        ("record", "model_status:predictions:rate5m"),  # the last of the file
    ],
)
def test_rule_text_is_exactly_the_lines_of_the_rule(kind: str, name: str) -> None:
    text = rules.rule_text(name)
    lines = text.splitlines()
    assert lines[0] == f"  - {kind}: {name}"
    start = RULE_LINES.index(lines[0])
    assert RULE_LINES[start : start + len(lines)] == lines  # as the file has them
    following = RULE_LINES[start + len(lines) :]
    assert following == [] or following[0].lstrip().startswith("- ")  # the next rule or group
    assert yaml.safe_load(text) == [committed_rule(name)]  # the whole rule, nothing else


def test_rule_text_of_an_alert_holds_its_expression_labels_and_annotations() -> None:
    text = rules.rule_text("PredictionErrorsBudgetBurn1h")
    assert "slo:errors:ratio_rate1h > (14.4 * 0.001)" in text
    assert "    for: 2m" in text
    assert "      severity: page" in text
    assert "PredictionErrorsBudgetBurn6h" not in text


def test_rule_text_of_an_unknown_name_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError) as raised:
        rules.rule_text("NoSuchAlert")
    assert str(raised.value) == (
        f"{COMMITTED[rules.RULES_NAME]} has no rule NoSuchAlert: run `make rules`?"
    )
    with pytest.raises(RulesError, match="no rule slo:errors:ratio_rate3"):  # not a prefix
        rules.rule_text("slo:errors:ratio_rate3")
    other = tmp_path / "other.yml"
    other.write_text("groups:\n- name: g\n  rules:\n  - record: a\n    expr: vector(1)\n")
    assert rules.rule_text("a", other) == "  - record: a\n    expr: vector(1)"
    with pytest.raises(RulesError, match=re.escape(f"{other} has no rule b")):
        rules.rule_text("b", other)


def test_a_group_s_name_is_not_a_rule() -> None:
    # "- name: <group>" is a list item too: rule_text should not answer with the group's head.
    with pytest.raises(RulesError, match="has no rule insurance-charges-model-dashboard"):
        rules.rule_text("insurance-charges-model-dashboard")


def alerting_rules(text: str, tmp_path: Path) -> dict[str, AlertingRule]:
    path = tmp_path / "rules.yml"
    path.write_text(text)
    return {
        rule.alert: rule
        for group in load_rule_file(path).groups
        for rule in group.rules
        if isinstance(rule, AlertingRule)
    }


def test_the_demonstration_has_the_same_alerts_with_every_duration_divided_by_60(
    generated: dict[str, str], tmp_path: Path
) -> None:
    production = alerting_rules(generated[rules.RULES_NAME], tmp_path)
    demonstration = alerting_rules(generated[rules.DEMONSTRATION_RULES], tmp_path)
    assert demonstration.keys() == production.keys()  # the same names: the same alerts
    for name, rule in production.items():
        assert seconds(demonstration[name].for_) * 60 == seconds(rule.for_), name
    fast = demonstration["PredictionErrorsBudgetBurn1h"]
    assert fast.expr == (
        "slo:errors:ratio_rate1m > (14.4 * 0.001)\nand\nslo:errors:ratio_rate5s > (14.4 * 0.001)"
    )
    assert (
        "2% of the 12-hour budget goes in 1m, and all of it in 50 minutes"
        in (fast.annotations["description"])
    )
    assert "FOR A DEMONSTRATION ONLY" in generated[rules.DEMONSTRATION_RULES]
    assert "FOR A DEMONSTRATION ONLY" not in generated[rules.RULES_NAME]


def test_the_service_down_alerts_read_up_in_both_sets(
    generated: dict[str, str], tmp_path: Path
) -> None:
    for name, waits in (
        (rules.RULES_NAME, ("2m", "10m")),
        (rules.DEMONSTRATION_RULES, ("2s", "10s")),
    ):
        alerts = alerting_rules(generated[name], tmp_path)
        down, target = alerts["PredictionServiceDown"], alerts["PredictionTargetDown"]
        assert down.expr == 'absent(up{app="insurance-charges-model"} == 1)'
        assert target.expr == 'up{app="insurance-charges-model"} == 0'
        assert (down.for_, target.for_) == waits
        assert (down.labels["severity"], target.labels["severity"]) == ("page", "ticket")


@pytest.mark.parametrize(
    ("total", "text"), [(5, "5s"), (60, "1m"), (4320, "1h12m"), (43200, "12h"), (259200, "3d")]
)
def test_durations_are_written_as_prometheus_writes_them(total: int, text: str) -> None:
    assert prometheus_duration(total) == text
    assert seconds(text) == total


def test_a_timescale_refuses_a_duration_it_cannot_divide() -> None:
    assert DEMONSTRATION.duration("5m") == "5s"
    with pytest.raises(RulesError, match=r"0\.5 s is not a whole"):
        Timescale("odd", 120).duration("1m")
