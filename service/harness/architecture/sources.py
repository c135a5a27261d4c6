"""What the diagram shows, read from the code and the configuration it draws.

The request path is the app that ``model_service.app.create_app`` builds from each service
configuration (its ``user_middleware``, outermost first) and the decorators each configuration
wraps the model in; where the configurations differ, a step says which one has it. The log path
is ``configuration/logging.yaml``'s handler and loggers, Filebeat's output and the drift
CronJob; the metrics path, Prometheus's scrape and rule files and Alertmanager's receivers.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from common.paths import CONFIGURATION_DIR, KUBERNETES_DIR
from model_service.app import create_app
from model_service.configuration import ServiceConfiguration, load_configuration

MONITORING = KUBERNETES_DIR / "components" / "monitoring"
ALERT_WINDOW = re.compile(r"^(?P<name>.+?)(?P<window>\d+[smhdw])$")


@dataclass(frozen=True)
class Sources:
    """The files the diagram is drawn from; the project's own unless a test says otherwise."""

    service_configurations: tuple[Path, ...] = (
        CONFIGURATION_DIR / "kubernetes.yaml",
        CONFIGURATION_DIR / "local.yaml",
    )
    logging: Path = CONFIGURATION_DIR / "logging.yaml"
    filebeat: Path = KUBERNETES_DIR / "components" / "elk" / "filebeat.yml"
    drift_cronjob: Path = MONITORING / "drift-cronjob.yaml"
    prometheus: Path = MONITORING / "prometheus.yml"
    rules: Path = CONFIGURATION_DIR / "prometheus" / "rules.yml"
    alertmanager: Path = CONFIGURATION_DIR / "alertmanager" / "alertmanager.yml"


@dataclass(frozen=True)
class Step:
    """A step of a path: its name, and the configurations that have it (empty: all of them)."""

    name: str
    only_in: tuple[str, ...] = ()


@dataclass(frozen=True)
class Architecture:
    """The labels of the diagram, each read from a file of ``Sources``."""

    middleware: list[Step]
    decorators: list[Step]
    model: str
    metrics_port: int | None
    log_handler: str
    loggers: list[str]
    log_index: str
    drift_schedule: str
    scrape_interval: str
    alerts: dict[str, list[str]] = field(default_factory=dict)  # name → its windows
    receivers: list[str] = field(default_factory=list)


def read_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def short_name(class_path: str) -> str:
    return class_path.rpartition(".")[2]


def middleware_of(configuration: ServiceConfiguration) -> list[str]:
    """The app's middleware classes, outermost (the first a request meets) first."""
    return [entry.cls.__name__ for entry in create_app(configuration).user_middleware]


def decorators_of(configuration: ServiceConfiguration) -> list[str]:
    """The first model's decorators, outermost first (the configuration lists them innermost
    first)."""
    return [short_name(d.class_path) for d in reversed(configuration.models[0].decorators)]


def merged(stacks: dict[str, list[str]]) -> list[Step]:
    """The steps of every configuration's stack in order, each marked with the configurations
    that have it when not all of them do."""
    names = list(dict.fromkeys(name for stack in stacks.values() for name in stack))
    steps = []
    for name in names:
        having = tuple(source for source, stack in stacks.items() if name in stack)
        steps.append(Step(name, () if len(having) == len(stacks) else having))
    return steps


def alert_names(rules: dict[str, Any]) -> dict[str, list[str]]:
    """Each alert of the rule file, its burn-rate windows gathered under one name
    (``PredictionErrorsBudgetBurn1h`` and ``…6h`` → ``PredictionErrorsBudgetBurn: [1h, 6h]``)."""
    alerts: dict[str, list[str]] = {}
    for group in rules["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            match = ALERT_WINDOW.match(rule["alert"])
            name, window = (match["name"], match["window"]) if match else (rule["alert"], "")
            alerts.setdefault(name, []).extend([window] if window else [])
    return alerts


def drift_schedule(manifests: list[dict[str, Any]]) -> str:
    """The drift CronJob's schedule."""
    [cronjob] = [m for m in manifests if m and m.get("kind") == "CronJob"]
    return cronjob["spec"]["schedule"]


def metrics_port(configurations: Iterable[ServiceConfiguration]) -> int | None:
    """The port of its own that a configuration gives ``/metrics``, if one does."""
    return next((c.metrics_port for c in configurations if c.metrics_port), None)


def read_architecture(sources: Sources | None = None) -> Architecture:
    """The diagram's labels, read from ``sources`` (the project's files by default)."""
    sources = sources or Sources()
    configurations = {p.name: load_configuration(p) for p in sources.service_configurations}
    first = next(iter(configurations.values()))
    logging = read_yaml(sources.logging)["dict_config"]
    [handler] = logging["handlers"].values()
    alertmanager = read_yaml(sources.alertmanager)
    return Architecture(
        middleware=merged({name: middleware_of(c) for name, c in configurations.items()}),
        decorators=merged({name: decorators_of(c) for name, c in configurations.items()}),
        model=short_name(first.models[0].class_path),
        metrics_port=metrics_port(configurations.values()),
        log_handler=short_name(handler["class"]),
        loggers=[name for name, logger in logging["loggers"].items() if logger.get("handlers")],
        log_index=read_yaml(sources.filebeat)["output.elasticsearch"]["index"],
        drift_schedule=drift_schedule(
            list(yaml.safe_load_all(sources.drift_cronjob.read_text(encoding="utf-8")))
        ),
        scrape_interval=read_yaml(sources.prometheus)["global"]["scrape_interval"],
        alerts=alert_names(read_yaml(sources.rules)),
        receivers=[receiver["name"] for receiver in alertmanager["receivers"]],
    )
