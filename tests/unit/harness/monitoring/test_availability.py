"""The alerts for a service that answers no scrape: what they read, and their waits."""

from kubernetes_deployment.manifests import APP_NAME
from monitoring.availability import APP_LABEL, SERVICE_DOWN, TARGET_DOWN, availability_rules
from monitoring.burn_rates import DEMONSTRATION, PRODUCTION


def test_the_page_fires_when_no_target_is_up_or_none_is_left() -> None:
    assert SERVICE_DOWN.expr == f'absent(up{{{APP_LABEL}="{APP_NAME}"}} == 1)'
    assert SERVICE_DOWN.severity == "page"


def test_the_ticket_names_the_target_that_does_not_answer() -> None:
    rule = TARGET_DOWN.rule(PRODUCTION)
    assert rule.expr == f'up{{{APP_LABEL}="{APP_NAME}"}} == 0'
    assert rule.labels == {"severity": "ticket", "sli": "availability"}
    assert rule.annotations["description"].startswith("{{ $labels.instance }} has not answered")
    assert "for 10m;" in rule.annotations["description"]


def test_the_demonstration_waits_a_60th() -> None:
    production = {rule.alert: rule.for_ for rule in availability_rules(PRODUCTION)}
    demonstration = {rule.alert: rule.for_ for rule in availability_rules(DEMONSTRATION)}
    assert production == {"PredictionServiceDown": "2m", "PredictionTargetDown": "10m"}
    assert demonstration == {"PredictionServiceDown": "2s", "PredictionTargetDown": "10s"}
    [down, _] = availability_rules(DEMONSTRATION)
    assert down.annotations["description"].startswith("For 2s, no target")
