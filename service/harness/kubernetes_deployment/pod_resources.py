"""The pods' CPU and memory under load, and the requests, limits and autoscaler target they give.

``under_load`` reads each pod's cgroup and counts its prediction records before and after a load
test, so each pod's figures are its own. ``recommended`` turns them into the Deployment's
resources by rules written here, once:

- CPU request: what the busiest pod used at the SLO load, rounded up to 50m;
- CPU limit: one core, since a pod runs one uvicorn worker, whose event loop uses one core at most;
- memory request: the pod's peak, rounded up to 16 MiB; memory limit: twice the peak, rounded up
  to 64 MiB, so a burst (a deep log queue, a model reloaded) is not killed;
- the autoscaler's target: a new pod starts when the pods average ``SCALE_OUT_SHARE`` of what a
  pod can serve at its limit, a CPU utilization expressed, as Kubernetes does, against the request.
"""

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from kubernetes_deployment.pod_usage import MIB, Usage
from kubernetes_deployment.podman import PodContainer, container_records, pod_containers
from kubernetes_deployment.sizing import parse_quantity
from ml_model_logging.decorator import CREATED

if TYPE_CHECKING:
    import pandas as pd

SCALE_OUT_SHARE = 0.7  # leave 30 % for the minute a new pod takes to be scheduled and ready
CPU_LIMIT_MILLICORES = 1000
CPU_STEP_MILLICORES = 50
MEMORY_REQUEST_STEP_MIB = 16
MEMORY_LIMIT_STEP_MIB = 64
Result = TypeVar("Result")


@dataclass(frozen=True)
class PodLoad:
    """What one pod served and used while a load test ran."""

    pod: str
    predictions: int
    seconds: float
    cpu_seconds: float
    peak_memory_bytes: int
    throttled_share: float | None = None  # of the CPU quota's periods; None: not known

    @property
    def cores(self) -> float:
        return self.cpu_seconds / self.seconds

    @property
    def rps(self) -> float:
        return self.predictions / self.seconds

    @property
    def cpu_ms_per_prediction(self) -> float:
        return 1000 * self.cpu_seconds / self.predictions if self.predictions else math.nan


def predictions_logged(container: PodContainer) -> int:
    return sum(record.get("message") == CREATED for record in container_records(container.name))


def snapshot() -> dict[str, tuple[PodContainer, Usage, int]]:
    """Each pod's container, its usage and its prediction records so far."""
    return {
        container.pod: (container, container.usage(), predictions_logged(container))
        for container in pod_containers()
    }


def under_load(run: Callable[[], Result]) -> tuple[Result, list[PodLoad]]:
    """Run ``run`` (a load test) and measure every pod while it runs."""
    before, started = snapshot(), time.monotonic()
    result = run()
    seconds, after = time.monotonic() - started, snapshot()
    gone = sorted(set(before) - set(after))
    if gone:
        raise RuntimeError(f"pods gone during the load test: {', '.join(gone)}")
    loads = []
    for pod, (container, usage, logged) in sorted(after.items()):
        if pod not in before or before[pod][0].restarts != container.restarts:
            raise RuntimeError(f"{pod} restarted during the load test: its figures are not whole")
        earlier_usage, earlier_logged = before[pod][1], before[pod][2]
        loads.append(
            PodLoad(pod, logged - earlier_logged, seconds, usage.since(earlier_usage),
                    usage.peak_memory_bytes, throttled_share(earlier_usage, usage))
        )  # fmt: skip
    return result, loads


def throttled_share(before: Usage, after: Usage) -> float | None:
    """The share of the CPU quota's periods between two readings in which it throttled."""
    if None in (before.periods, after.periods, before.throttled_periods, after.throttled_periods):
        return None
    periods = after.periods - before.periods
    return (after.throttled_periods - before.throttled_periods) / periods if periods else 0.0


@dataclass(frozen=True)
class Resources:
    """A pod's CPU (millicores) and memory (MiB) requests and limits, and the autoscaler's
    target CPU utilization (a percentage of the request)."""

    cpu_request_m: int
    cpu_limit_m: int
    memory_request_mib: int
    memory_limit_mib: int
    hpa_target_percent: int

    def rows(self) -> dict[str, str]:
        return {
            "CPU request": f"{self.cpu_request_m}m",
            "CPU limit": f"{self.cpu_limit_m}m",
            "memory request": f"{self.memory_request_mib}Mi",
            "memory limit": f"{self.memory_limit_mib}Mi",
            "autoscaler target": f"{self.hpa_target_percent}% of the CPU request",
        }


def round_up(value: float, step: int) -> int:
    return max(step, math.ceil(value / step) * step)


def hpa_target_percent(cpu_request_m: int, cpu_limit_m: int = CPU_LIMIT_MILLICORES) -> int:
    """Scale out at ``SCALE_OUT_SHARE`` of the limit, as a utilization of the request."""
    return round(100 * SCALE_OUT_SHARE * cpu_limit_m / cpu_request_m)


def recommended(loads: list[PodLoad]) -> Resources:
    """The resources the rules in this module's docstring give for what the pods used."""
    if not loads or not any(load.predictions for load in loads):
        raise ValueError("no pod served a prediction under load: nothing to size from")
    cpu_request = round_up(1000 * max(load.cores for load in loads), CPU_STEP_MILLICORES)
    peak_mib = max(load.peak_memory_bytes for load in loads) / MIB
    return Resources(
        cpu_request_m=min(cpu_request, CPU_LIMIT_MILLICORES),
        cpu_limit_m=CPU_LIMIT_MILLICORES,
        memory_request_mib=round_up(peak_mib, MEMORY_REQUEST_STEP_MIB),
        memory_limit_mib=round_up(2 * peak_mib, MEMORY_LIMIT_STEP_MIB),
        hpa_target_percent=hpa_target_percent(min(cpu_request, CPU_LIMIT_MILLICORES)),
    )


def capacity_per_pod(loads: list[PodLoad], cpu_limit_m: int = CPU_LIMIT_MILLICORES) -> float:
    """Predictions a second one pod serves at its CPU limit, at the CPU cost measured."""
    cpu_seconds = sum(load.cpu_seconds for load in loads)
    predictions = sum(load.predictions for load in loads)
    return predictions / cpu_seconds * cpu_limit_m / 1000


def declared(objects: list[dict[str, Any]]) -> Resources:
    """The resources the rendered manifests give the service's pods, and the autoscaler's target."""
    [deployment] = [item for item in objects if item["kind"] == "Deployment"]
    [autoscaler] = [item for item in objects if item["kind"] == "HorizontalPodAutoscaler"]
    resources = deployment["spec"]["template"]["spec"]["containers"][0]["resources"]
    [metric] = autoscaler["spec"]["metrics"]
    return Resources(
        cpu_request_m=round(1000 * parse_quantity(resources["requests"]["cpu"])),
        cpu_limit_m=round(1000 * parse_quantity(resources["limits"]["cpu"])),
        memory_request_mib=round(parse_quantity(resources["requests"]["memory"]) / MIB),
        memory_limit_mib=round(parse_quantity(resources["limits"]["memory"]) / MIB),
        hpa_target_percent=metric["resource"]["target"]["averageUtilization"],
    )


def loads_table(loads: list[PodLoad]) -> "pd.DataFrame":
    """What each replica served and used, a row each, for a notebook."""
    import pandas as pd

    logged = sum(load.predictions for load in loads)
    table = pd.DataFrame(
        {
            "predictions": load.predictions,
            "share": f"{load.predictions / logged:.0%}" if logged else "-",
            "req/s": round(load.rps),
            "CPU (cores)": round(load.cores, 2),
            "CPU ms per prediction": round(load.cpu_ms_per_prediction, 3),
            "predictions per CPU-second": round(1000 / load.cpu_ms_per_prediction),
            "peak memory (MiB)": round(load.peak_memory_bytes / MIB),
            "CPU periods throttled": "unknown"
            if load.throttled_share is None
            else f"{load.throttled_share:.1%}",
        }
        for load in loads
    )
    table.index = [load.pod for load in loads]
    return table
