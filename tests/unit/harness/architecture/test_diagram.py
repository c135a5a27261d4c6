import shutil
from html import unescape
from pathlib import Path

import pytest
import yaml

from architecture.__main__ import main
from architecture.diagram import DotMissingError, draw_architecture, schedule_text
from architecture.sources import Sources, alert_names, merged, read_architecture

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="install the Debian package `graphviz` for `dot`"
)


def svg_text(path: Path) -> str:
    """The SVG with its character references read (Graphviz writes "-" as "&#45;")."""
    return unescape(path.read_text(encoding="utf-8"))


def test_the_request_path_is_the_apps_middleware_and_each_configurations_decorators() -> None:
    architecture = read_architecture()
    names = [step.name for step in architecture.middleware]
    assert names[:3] == ["ConnectionAgeMiddleware", "RequestIdMiddleware", "MetricsMiddleware"]
    assert names[-1] == "BodySizeLimitMiddleware"
    only_in = {step.name: step.only_in for step in architecture.middleware}
    assert only_in["MetricsPortMiddleware"] == ("kubernetes.yaml",)
    assert [step.name for step in architecture.decorators] == ["LoggingDecorator", "MicroBatching"]
    assert architecture.model == "InsuranceChargesModel"


def test_steps_missing_from_a_configuration_say_which_have_them() -> None:
    steps = merged({"a.yaml": ["outer", "inner"], "b.yaml": ["outer", "only b", "inner"]})
    assert [(step.name, step.only_in) for step in steps] == [
        ("outer", ()),
        ("inner", ()),
        ("only b", ("b.yaml",)),
    ]


def test_an_alerts_windows_are_gathered_under_its_name() -> None:
    rules = {"groups": [{"rules": [
        {"record": "slo:errors:ratio_rate5m"},
        {"alert": "ErrorsBurn1h"}, {"alert": "ErrorsBurn6h"}, {"alert": "ServiceDown"},
    ]}]}  # fmt: skip
    assert alert_names(rules) == {"ErrorsBurn": ["1h", "6h"], "ServiceDown": []}


def test_an_hourly_schedule_is_said_in_words() -> None:
    assert schedule_text("5 * * * *") == "every hour, at :05"
    assert schedule_text("*/10 * * * *") == "CronJob */10 * * * *"


@needs_dot
def test_the_svg_names_the_middleware_and_the_rules_it_read(tmp_path: Path) -> None:
    svg = svg_text(draw_architecture(tmp_path / "images" / "architecture.svg"))
    assert svg.lstrip().startswith("<?xml")
    assert "<svg" in svg
    architecture = read_architecture()
    for step in architecture.middleware + architecture.decorators:
        assert step.name in svg
    for alert in ["PredictionErrorsBudgetBurn", "PredictionServiceDown", "PredictionTargetDown"]:
        assert alert in svg
    for label in ["BatchStreamHandler", "prediction-logs", "Kibana", "Alertmanager", "/metrics"]:
        assert label in svg
    assert 'font-family="DejaVu Sans' in svg


@needs_dot
def test_the_drawing_follows_the_configuration(tmp_path: Path) -> None:
    defaults = Sources()
    rules = yaml.safe_load(defaults.rules.read_text())
    rules["groups"][0]["rules"].append(
        {"alert": "PredictionsRenamed", "expr": "vector(1)", "for": "1m", "labels": {},
         "annotations": {}}
    )  # fmt: skip
    receivers = yaml.safe_load(defaults.alertmanager.read_text())
    receivers["receivers"][0]["name"] = "on-call-rota"
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))
    (tmp_path / "alertmanager.yml").write_text(yaml.safe_dump(receivers))
    sources = Sources(rules=tmp_path / "rules.yml", alertmanager=tmp_path / "alertmanager.yml")
    svg = svg_text(draw_architecture(tmp_path / "architecture.svg", sources))
    assert "PredictionsRenamed" in svg
    assert "on-call-rota" in svg


def test_without_dot_the_error_names_the_debian_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DotMissingError, match=r"Debian package `graphviz`"):
        draw_architecture(tmp_path / "architecture.svg")
    assert main([str(tmp_path / "architecture.svg")]) == 1
    assert "apt-get install graphviz" in capsys.readouterr().err


@needs_dot
def test_the_command_draws_the_diagram(tmp_path: Path) -> None:
    assert main([str(tmp_path / "architecture.svg")]) == 0
    assert "<svg" in (tmp_path / "architecture.svg").read_text()
