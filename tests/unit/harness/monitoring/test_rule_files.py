"""The schemas of Prometheus's rule files and promtool's test files refuse what those refuse."""

from pathlib import Path

import pytest
import yaml

from common.yaml_files import ConfigurationError
from monitoring.rule_files import (
    AlertingRule,
    RecordingRule,
    RuleFile,
    RuleGroup,
    load_rule_file,
    load_rule_test_file,
    to_yaml,
)

RECORDING = {"record": "slo:errors:ratio_rate5m", "expr": "sum(rate(x[5m]))"}
ALERTING = {
    "alert": "PredictionErrorsBudgetBurn1h",
    "expr": "slo:errors:ratio_rate1h > 0.0144",
    "for": "2m",
    "labels": {"severity": "page"},
    "annotations": {"summary": "burning"},
}


def write(tmp_path: Path, content: object) -> Path:
    path = tmp_path / "rules.yml"
    path.write_text(yaml.safe_dump(content))
    return path


def rule_file(*rules: dict, name: str = "slo") -> dict:
    return {"groups": [{"name": name, "rules": list(rules)}]}


def test_a_rule_file_with_both_kinds_of_rule_is_read(tmp_path: Path) -> None:
    loaded = load_rule_file(write(tmp_path, rule_file(RECORDING, ALERTING)))
    recording, alerting = loaded.groups[0].rules
    assert isinstance(recording, RecordingRule)
    assert isinstance(alerting, AlertingRule)
    assert alerting.for_ == "2m"
    assert loaded.alert_names() == {"PredictionErrorsBudgetBurn1h"}
    assert loaded.record_names() == {"slo:errors:ratio_rate5m"}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (rule_file({**RECORDING, "recrod": "x"}), "recrod: Extra inputs are not permitted"),
        (rule_file({**ALERTING, "for": "2 minutes"}), "'2 minutes' is not a duration"),
        (rule_file({**ALERTING, "for": ""}), "'' is not a duration"),
        (rule_file({**RECORDING, "record": "slo errors"}), "'slo errors' is not a metric name"),
        (rule_file({**RECORDING, "expr": " "}), "expr: Value error, must not be empty"),
        (rule_file({**ALERTING, "labels": {"severity-level": "page"}}), "not label names"),
        (rule_file({**ALERTING, "labels": {"__name__": "x"}}), "not label names"),
        (rule_file({k: v for k, v in ALERTING.items() if k != "for"}), "for: Field required"),
        (rule_file({**RECORDING, "alert": "Both"}), "record: Extra inputs are not permitted"),
        (rule_file(), "rules: List should have at least 1 item"),
        ({"groups": [rule_file(RECORDING)["groups"][0]] * 2}, "repeated: ['slo']"),
        ({"groups": []}, "groups: List should have at least 1 item"),
        ({"group": []}, "group: Extra inputs are not permitted"),
    ],
)
def test_a_malformed_rule_file_is_refused_naming_the_problem(
    tmp_path: Path, content: dict, says: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ConfigurationError) as error:
        load_rule_file(path)
    assert str(error.value).startswith(f"{path} is not a valid Prometheus rule file")
    assert says in str(error.value)


TEST_FILE = {
    "rule_files": ["rules.yml"],
    "evaluation_interval": "1m",
    "tests": [
        {
            "name": "a burn pages",
            "interval": "1m",
            "input_series": [{"series": 'x{route="/"}', "values": "0+1x10"}],
            "alert_rule_test": [
                {"eval_time": "10m", "alertname": "PredictionErrorsBudgetBurn1h", "exp_alerts": []}
            ],
            "promql_expr_test": [
                {"expr": "x", "eval_time": "1m", "exp_samples": [{"labels": "x", "value": 1}]}
            ],
        }
    ],
}


def test_a_test_file_is_read_and_its_alert_names_checked_against_the_rules(
    tmp_path: Path,
) -> None:
    tests = load_rule_test_file(write(tmp_path, TEST_FILE))
    rules = load_rule_file(write(tmp_path, rule_file(RECORDING, ALERTING)))
    assert tests.unknown_names(rules) == []
    others = RuleFile(groups=[RuleGroup(name="g", rules=[RecordingRule(**RECORDING)])])
    assert tests.unknown_names(others) == ["PredictionErrorsBudgetBurn1h"]


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"evaluation_interval": "often"}, "'often' is not a duration"),
        ({"rule_files": []}, "rule_files: List should have at least 1 item"),
        ({"tests": [{**TEST_FILE["tests"][0], "interval": None}]}, "interval: Input should be"),
        (
            {"tests": [{**TEST_FILE["tests"][0], "alert_rule_tests": []}]},
            "alert_rule_tests: Extra inputs are not permitted",
        ),
    ],
)
def test_a_malformed_test_file_is_refused(tmp_path: Path, change: dict, says: str) -> None:
    path = write(tmp_path, TEST_FILE | change)
    with pytest.raises(ConfigurationError, match="is not a valid promtool rule test file") as error:
        load_rule_test_file(path)
    assert says in str(error.value)


def test_to_yaml_writes_the_header_as_comments_and_expressions_as_blocks(tmp_path: Path) -> None:
    rules = RuleFile(
        groups=[
            RuleGroup(
                name="g",
                rules=[
                    RecordingRule(record="a:b:c", expr="sum(x)\n  /\nsum(y)"),
                    AlertingRule.model_validate(ALERTING),
                ],
            )
        ]
    )
    text = to_yaml(rules, "Generated.\n\nSchema: RuleFile.")
    assert text.startswith("# Generated.\n#\n# Schema: RuleFile.\ngroups:\n")
    assert "  - record: a:b:c\n    expr: |-\n      sum(x)\n        /\n      sum(y)\n" in text
    assert "    for: 2m\n" in text
    assert "labels:" not in text.split("- alert:")[0]  # no empty labels on the recording
    path = tmp_path / "rules.yml"
    path.write_text(text)
    assert load_rule_file(path) == rules
