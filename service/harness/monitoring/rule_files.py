"""The schemas of Prometheus's rule files and of promtool's rule test files: the part used here.

Both refuse a field they do not know, so a misspelt key is an error that names it before
Prometheus or promtool sees the file. PromQL itself is left to ``promtool check rules``.
"""

import math
import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag

from common.yaml_files import load_yaml_file

# Prometheus's durations: units from years down to milliseconds, each at most once, in order.
DURATION = re.compile(r"(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?")
METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")


def duration(text: str) -> str:
    """``text`` if it is a Prometheus duration such as ``5m`` or ``1h30m``."""
    if text != "0" and (not text or DURATION.fullmatch(text) is None):
        raise ValueError(f"{text!r} is not a duration such as 30s, 5m, 1h or 3d")
    return text


def metric_name(text: str) -> str:
    if METRIC_NAME.fullmatch(text) is None:
        raise ValueError(f"{text!r} is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)")
    return text


def label_names(labels: dict[str, str]) -> dict[str, str]:
    wrong = [name for name in labels if LABEL_NAME.fullmatch(name) is None or name[:2] == "__"]
    if wrong:
        raise ValueError(f"not label names ([a-zA-Z_][a-zA-Z0-9_]*, no leading __): {wrong}")
    return labels


def not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


Duration = Annotated[str, AfterValidator(duration)]
MetricName = Annotated[str, AfterValidator(metric_name)]
Labels = Annotated[dict[str, str], AfterValidator(label_names)]
Expression = Annotated[str, AfterValidator(not_blank)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class RecordingRule(Strict):
    """A recording rule: the expression's value, stored as a series of its own."""

    record: MetricName = Field(description="The name of the recorded series")
    expr: Expression = Field(description="The PromQL expression to record")
    labels: Labels | None = Field(None, description="Labels added to the recorded series")


class AlertingRule(Strict):
    """An alerting rule: fires once ``expr`` has returned series for ``for`` in a row."""

    alert: MetricName = Field(description="The alert's name")
    expr: Expression = Field(description="The PromQL condition; each series it returns alerts")
    for_: Duration = Field(alias="for", description="How long the condition holds before firing")
    labels: Labels = Field(description="Labels added to the alert, such as its severity")
    annotations: Labels = Field(description="Texts for people: summary and description")


def rule_kind(rule: Any) -> str:
    """Which kind a rule is: by the key that names it in a file, by its class once built."""
    if isinstance(rule, dict):
        return "alert" if "alert" in rule else "record"
    return "alert" if isinstance(rule, AlertingRule) else "record"


Rule = Annotated[
    Annotated[RecordingRule, Tag("record")] | Annotated[AlertingRule, Tag("alert")],
    Discriminator(rule_kind),
]


class RuleGroup(Strict):
    """Rules evaluated in order, at the same time: an alert sees the recordings before it."""

    name: Expression = Field(description="The group's name, unique in the file")
    interval: Duration | None = Field(None, description="How often to evaluate; global default")
    rules: list[Rule] = Field(min_length=1, description="Recording and alerting rules, in order")


def unique_group_names(groups: list[RuleGroup]) -> list[RuleGroup]:
    names = [group.name for group in groups]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise ValueError(f"group names must be unique; repeated: {repeated}")
    return groups


class RuleFile(Strict):
    """A Prometheus rule file (``rule_files`` in prometheus.yml): groups of rules."""

    groups: Annotated[list[RuleGroup], AfterValidator(unique_group_names)] = Field(
        min_length=1, description="The rule groups"
    )

    def alert_names(self) -> set[str]:
        return {rule.alert for group in self.groups for rule in group.rules if _is_alert(rule)}

    def record_names(self) -> set[str]:
        return {rule.record for group in self.groups for rule in group.rules if not _is_alert(rule)}


def _is_alert(rule: RecordingRule | AlertingRule) -> bool:
    return isinstance(rule, AlertingRule)


class InputSeries(Strict):
    """A series fed to the rules, in promtool's expanding notation (``0+10x60``)."""

    series: Expression = Field(description="The series, as a selector: name{label=...}")
    values: Expression = Field(description="Its values, one per interval, e.g. 0+10x60")


class ExpectedAlert(Strict):
    exp_labels: Labels = Field(description="The alert's labels, alertname aside")
    exp_annotations: Labels = Field(description="Its annotations, with templates expanded")


class AlertRuleTest(Strict):
    """Which alerts of one name fire at one time; none when ``exp_alerts`` is empty."""

    eval_time: Duration = Field(description="When, from the start of the input series")
    alertname: MetricName = Field(description="The alert's name")
    exp_alerts: list[ExpectedAlert] = Field(description="Every alert that fires then")


class ExpectedSample(Strict):
    labels: Expression = Field(description="The sample's series, as name{label=...}")
    value: float = Field(description="The sample's value")


class PromqlExprTest(Strict):
    """What a PromQL expression returns at one time."""

    expr: Expression = Field(description="The expression, often a recorded series")
    eval_time: Duration = Field(description="When, from the start of the input series")
    exp_samples: list[ExpectedSample] = Field(description="Every sample it returns")


class RuleTestGroup(Strict):
    """One scenario: input series, and what the rules must make of them."""

    name: Expression = Field(description="What the scenario shows")
    interval: Duration = Field(description="The time between two values of an input series")
    input_series: list[InputSeries] = Field(description="The series the rules read")
    alert_rule_test: list[AlertRuleTest] = Field(default_factory=list, description="Alerts")
    promql_expr_test: list[PromqlExprTest] = Field(default_factory=list, description="Values")


class RuleTestFile(Strict):
    """A promtool rule test file (``promtool test rules FILE``)."""

    rule_files: list[Expression] = Field(
        min_length=1, description="The rule files under test, relative to this file"
    )
    evaluation_interval: Duration = Field(description="How often the rules are evaluated")
    tests: list[RuleTestGroup] = Field(min_length=1, description="The scenarios")

    def unknown_names(self, rules: RuleFile) -> list[str]:
        """Alert names the tests check that ``rules`` do not define: a test that no alert of a
        misspelt name fires would pass, whatever the rules do."""
        checked = {test.alertname for group in self.tests for test in group.alert_rule_test}
        return sorted(checked - rules.alert_names())


class LiteralDumper(yaml.SafeDumper):
    """Writes a string of several lines as a literal block, as a person would."""


def _string(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


LiteralDumper.add_representer(str, _string)


def to_yaml(document: BaseModel, header: str) -> str:
    """The document as YAML under ``header`` (comment lines), in the schema's field order."""
    content = document.model_dump(mode="json", by_alias=True, exclude_none=True)
    body = yaml.dump(  # no folding: a long line stays one line
        content, Dumper=LiteralDumper, sort_keys=False, width=math.inf, allow_unicode=True
    )
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    return comments + body


def load_rule_file(path: str | Path) -> RuleFile:
    """A rule file, validated; ConfigurationError names the file and what is wrong where."""
    return load_yaml_file(path, RuleFile, "Prometheus rule file")


def load_rule_test_file(path: str | Path) -> RuleTestFile:
    """A promtool rule test file, validated; ConfigurationError says what is wrong where."""
    return load_yaml_file(path, RuleTestFile, "promtool rule test file")
