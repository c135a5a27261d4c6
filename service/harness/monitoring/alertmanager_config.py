"""The schema of ``configuration/alertmanager/alertmanager.yml``: the part of Alertmanager's
configuration used here (a routing tree, inhibitions, webhook receivers), and that file made fit
for a local run.

Unknown keys are refused, so a misspelt one is an error naming it before Alertmanager sees the
file; ``amtool check-config`` then checks the rest (``make test`` runs it).
"""

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from common.paths import CONFIGURATION_DIR
from common.yaml_files import load_yaml_file
from monitoring.burn_rates import Timescale, prometheus_duration, seconds
from monitoring.rule_files import Duration, Expression

ALERTMANAGER_FILE = CONFIGURATION_DIR / "alertmanager" / "alertmanager.yml"
Matchers = list[Expression]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Route(Strict):
    """A node of the routing tree: which receiver gets the alerts its matchers select."""

    receiver: Expression = Field(description="The receiver's name")
    matchers: Matchers = Field(default_factory=list, description='e.g. severity="page"')
    group_by: list[str] | None = Field(None, description="Labels that make a group of alerts")
    group_wait: Duration | None = Field(None, description="Before a group's first notification")
    group_interval: Duration | None = Field(None, description="Between a group's notifications")
    repeat_interval: Duration | None = Field(None, description="Before one is sent again")
    routes: list["Route"] = Field(default_factory=list, description="Child routes, first match")


class InhibitRule(Strict):
    """While an alert matching ``source_matchers`` fires, alerts matching the target's are held."""

    source_matchers: Matchers = Field(min_length=1, description="The alert that inhibits")
    target_matchers: Matchers = Field(min_length=1, description="The alerts held back")
    equal: list[str] = Field(default_factory=list, description="Labels both must share")


class WebhookConfig(Strict):
    url: Annotated[str, AfterValidator(lambda url: url if "://" in url else _no_url(url))] = Field(
        description="Where the notification is POSTed, as JSON"
    )
    send_resolved: bool = Field(True, description="Also notify when the alert stops")


def _no_url(url: str) -> str:
    raise ValueError(f"{url!r} is not a URL such as http://host:port/path")


class Receiver(Strict):
    name: Expression = Field(description="The name routes give")
    webhook_configs: list[WebhookConfig] = Field(min_length=1, description="Its webhooks")


def receivers_routed_to(route: Route) -> set[str]:
    below = {name for child in route.routes for name in receivers_routed_to(child)}
    return {route.receiver} | below


class AlertmanagerConfig(Strict):
    """alertmanager.yml: the routing tree, the inhibitions, the receivers."""

    route: Route = Field(description="The root of the routing tree; its receiver is the default")
    inhibit_rules: list[InhibitRule] = Field(default_factory=list, description="Inhibitions")
    receivers: list[Receiver] = Field(min_length=1, description="Every receiver routes name")

    def unknown_receivers(self) -> list[str]:
        """The receivers that routes name and none is defined for."""
        return sorted(receivers_routed_to(self.route) - {r.name for r in self.receivers})


def load_alertmanager_config(path: Path = ALERTMANAGER_FILE) -> AlertmanagerConfig:
    """The file, validated; ConfigurationError names the file and what is wrong where."""
    return load_yaml_file(path, AlertmanagerConfig, "Alertmanager configuration")


def scaled_wait(duration: str | None, timescale: Timescale) -> str | None:
    """A routing wait at ``timescale``, one second at the least."""
    if duration is None:
        return None
    return prometheus_duration(max(1, round(seconds(duration) / timescale.divisor)))


def scaled_route(route: Route, timescale: Timescale) -> Route:
    waits = ("group_wait", "group_interval", "repeat_interval")
    return route.model_copy(
        update={name: scaled_wait(getattr(route, name), timescale) for name in waits}
        | {"routes": [scaled_route(child, timescale) for child in route.routes]}
    )


def for_local_run(
    config: AlertmanagerConfig, receiver_url: str, timescale: Timescale
) -> AlertmanagerConfig:
    """``config`` with every receiver's webhook at ``receiver_url``/<receiver's name>, and the
    routing waits at ``timescale``."""
    receivers = [
        receiver.model_copy(
            update={
                "webhook_configs": [
                    webhook.model_copy(update={"url": f"{receiver_url}/{receiver.name}"})
                    for webhook in receiver.webhook_configs
                ]
            }
        )
        for receiver in config.receivers
    ]
    return config.model_copy(
        update={"route": scaled_route(config.route, timescale), "receivers": receivers}
    )
