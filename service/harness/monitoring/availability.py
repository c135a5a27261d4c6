"""The alerts for a service that does not answer at all, which the SLO alerts cannot see.

The SLIs are ratios of the service's own counters: with no pod answering there is nothing to
count, every ratio is empty rather than high, and no burn-rate alert fires. Prometheus's ``up``
series says whether each scrape worked, so two rules read it instead:

- ``PredictionServiceDown`` pages when no target of the service is up, or none is left to scrape
  (``absent``: in Kubernetes a deleted pod is no target at all, so its ``up`` is gone, not 0);
- ``PredictionTargetDown`` opens a ticket when one target has not answered for a while: the
  others still serve, so it can wait for working hours.

The targets carry the label ``app``: the cluster's Prometheus copies it from the pod's
``app.kubernetes.io/name``, and the local one gives it to its static target.
"""

from dataclasses import dataclass

from kubernetes_deployment.manifests import APP_NAME
from monitoring.burn_rates import Timescale
from monitoring.rule_files import AlertingRule

APP_LABEL = "app"
UP = f'up{{{APP_LABEL}="{APP_NAME}"}}'


@dataclass(frozen=True)
class AvailabilityAlert:
    """An alert on ``up``: its name, condition, wait and severity, and what it tells a person."""

    alert: str
    expr: str
    for_: str
    severity: str
    summary: str
    description: str  # ``{for}`` is replaced by the wait at the rule's timescale

    def rule(self, timescale: Timescale) -> AlertingRule:
        waits = timescale.duration(self.for_)
        return AlertingRule(
            alert=self.alert,
            expr=self.expr,
            for_=waits,
            labels={"severity": self.severity, "sli": "availability"},
            annotations={
                "summary": self.summary,
                "description": self.description.replace("{for}", waits),
            },
        )


SERVICE_DOWN = AvailabilityAlert(
    alert="PredictionServiceDown",
    expr=f"absent({UP} == 1)",
    for_="2m",
    severity="page",
    summary="No pod of the prediction service answers Prometheus",
    description=(
        f"For {{for}}, no target with {APP_LABEL}={APP_NAME} has answered a scrape, or none is "
        "left to scrape: the service is down or unreachable. The SLO alerts stay silent "
        "meanwhile, having no requests to count."
    ),
)
TARGET_DOWN = AvailabilityAlert(
    alert="PredictionTargetDown",
    expr=f"{UP} == 0",
    for_="10m",
    severity="ticket",
    summary="A pod of the prediction service does not answer Prometheus",
    description=(
        "{{ $labels.instance }} has not answered a scrape for {for}; the other pods serve, "
        "if any are up."
    ),
)
AVAILABILITY_ALERTS = (SERVICE_DOWN, TARGET_DOWN)


def availability_rules(timescale: Timescale) -> list[AlertingRule]:
    return [alert.rule(timescale) for alert in AVAILABILITY_ALERTS]
