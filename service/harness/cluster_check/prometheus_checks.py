"""Prometheus in the cluster: its scrape targets up, and the SLO recording rules' series.

The rules are evaluated once a minute and rates need two scrapes (15 s apart), so the series
appear a minute or two after the first requests; the check keeps a trickle of predictions going
while it waits, so that the rates have something to measure.
"""

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import yaml

from cluster_check.forwarding import Kubectl
from cluster_check.outcomes import POLL_S, Outcome, poll
from common.paths import KUBERNETES_DIR
from kubernetes_deployment.manifests import NAMESPACE, context_arguments, kubectl
from monitoring.prometheus import result_of, series_of

MONITORING_DIR = KUBERNETES_DIR / "components" / "monitoring"
PROMETHEUS_CONFIG = MONITORING_DIR / "prometheus.yml"
# The Deployment and the Service of components/monitoring/prometheus.yaml, and the Service's port.
PROMETHEUS, PROMETHEUS_PORT = "prometheus", 9090
SLO_QUERY = '{__name__=~"slo:.+"}'  # every series the SLO recording rules write
ROLLOUT_TIMEOUT_S = 300.0  # its image may still be on its way to the node
TARGETS_TIMEOUT_S = 120.0
SLO_TIMEOUT_S = 300.0

Target = dict[str, Any]


def scrape_job(config: Path = PROMETHEUS_CONFIG) -> str:
    """The job that scrapes the service's pods: prometheus.yml's one scrape config."""
    [job] = [scrape["job_name"] for scrape in yaml.safe_load(config.read_text())["scrape_configs"]]
    return job


def rolled_out(
    context: str | None, timeout_s: float = ROLLOUT_TIMEOUT_S, run: Kubectl = kubectl
) -> Outcome:
    """Prometheus's Deployment rolled out (``make deploy`` waits for the service's alone), so
    that a port-forward finds its pod running."""
    said = run(
        "rollout", "status", f"deployment/{PROMETHEUS}", "--namespace", NAMESPACE,
        f"--timeout={timeout_s:g}s", *context_arguments(context), timeout=timeout_s + 30,
    )  # fmt: skip
    return Outcome(True, said.strip().splitlines()[-1] if said.strip() else "rolled out")


def job_targets(client: httpx.Client, job: str) -> list[Target]:
    """The active targets of ``job``, as Prometheus's API lists them."""
    response = client.get("/api/v1/targets", params={"state": "active"})
    return [
        target
        for target in result_of(response, "targets")["activeTargets"]
        if target.get("scrapePool") == job
    ]


def all_up(targets: list[Target]) -> bool:
    return bool(targets) and all(target.get("health") == "up" for target in targets)


def describe(target: Target) -> str:
    labels = target.get("labels", {})
    name = labels.get("pod") or labels.get("instance") or target.get("scrapeUrl", "?")
    error = f" ({target['lastError']})" if target.get("lastError") else ""
    return f"{name} {target.get('health', 'unknown')}{error}"


def targets_up(
    client: httpx.Client, job: str, timeout_s: float = TARGETS_TIMEOUT_S, every_s: float = POLL_S
) -> Outcome:
    """Every active target of ``job`` up, within ``timeout_s`` (a new one is ``unknown`` until
    its first scrape)."""
    targets = poll(lambda: job_targets(client, job), all_up, timeout_s, every_s)
    if not targets:
        return Outcome(False, f"Prometheus has no active target in the job {job}")
    listed = ", ".join(describe(target) for target in targets)
    return Outcome(all_up(targets), f"{len(targets)} targets of {job}: {listed}")


def slo_series(client: httpx.Client) -> list[dict[str, Any]]:
    """The series the ``slo:`` recording rules hold now, each with its labels and value."""
    response = client.get("/api/v1/query", params={"query": SLO_QUERY})
    return series_of(result_of(response, SLO_QUERY))


def with_data(series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The series whose value is a number (a ratio of two zero rates is NaN)."""
    return [item for item in series if math.isfinite(item["value"])]


def slo_series_recorded(
    client: httpx.Client,
    trickle: Callable[[], object],
    timeout_s: float = SLO_TIMEOUT_S,
    every_s: float = POLL_S,
) -> Outcome:
    """At least one ``slo:`` series with a value, within ``timeout_s``; ``trickle()`` sends a
    few predictions before each look."""

    def look() -> list[dict[str, Any]]:
        trickle()
        return with_data(slo_series(client))

    found = poll(look, bool, timeout_s, every_s)
    if not found:
        return Outcome(False, f"no series of {SLO_QUERY} with a value within {timeout_s:g} s")
    names = sorted({item["labels"]["__name__"] for item in found})
    return Outcome(True, f"{len(names)} slo: series with data, e.g. {', '.join(names[:3])}")
