"""What an overlay's pods ask the scheduler for, summed, and the minikube that has room for them.

Requests decide where pods are scheduled, so they size minikube: each workload at its most pods
(an autoscaler's maximum), and a Deployment's rollout with the surge pods it starts beside the
old ones (``maxSurge``; with ``maxUnavailable: 0`` no old pod stops first). Limits are summed too,
to say what the pods may use at most: the scheduler reserves nothing for them, so they may add up
to more than the node has.

Quantities are Kubernetes' own (``250m``, ``1Gi``, ``1e3``, ``2``), parsed here: the project has
no ``kubernetes`` client to borrow a parser from.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

GIB = Decimal(2**30)
MULTIPLIERS = {
    "n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1),
    "k": Decimal("1e3"), "M": Decimal("1e6"), "G": Decimal("1e9"), "T": Decimal("1e12"),
    "P": Decimal("1e15"), "E": Decimal("1e18"),
    "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30), "Ti": Decimal(2**40),
    "Pi": Decimal(2**50), "Ei": Decimal(2**60),
}  # fmt: skip
QUANTITY = re.compile(
    r"(?P<number>[+-]?(?:\d+\.?\d*|\.\d+))"
    r"(?:(?P<exponent>[eE][+-]?\d+)|(?P<suffix>[KMGTPE]i|[numkMGTPE]))?"
)
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "Job")


class QuantityError(ValueError):
    """A resource quantity that Kubernetes would refuse."""


def parse_quantity(value: str | int | float) -> Decimal:
    """A Kubernetes quantity in base units: cores for CPU, bytes for memory."""
    match = QUANTITY.fullmatch(str(value).strip())
    if match is None:
        raise QuantityError(f"{value!r} is not a Kubernetes quantity (such as 250m, 1Gi or 2)")
    number = Decimal(match["number"])
    if match["exponent"]:
        return number * Decimal(10) ** int(match["exponent"][1:])
    return number * MULTIPLIERS[match["suffix"] or ""]


UNLIMITED = Decimal("Infinity")  # a container without a limit may use the whole node


@dataclass(frozen=True)
class Requests:
    """CPU (cores) and memory (bytes) that pods ask the scheduler for, or at most may use."""

    cpu: Decimal = Decimal(0)
    memory: Decimal = Decimal(0)

    def __add__(self, other: "Requests") -> "Requests":
        return Requests(self.cpu + other.cpu, self.memory + other.memory)

    def times(self, count: int) -> "Requests":
        if count == 0:  # no pod uses anything, even without a limit
            return Requests()
        return Requests(self.cpu * count, self.memory * count)

    def at_least(self, other: "Requests") -> "Requests":
        return Requests(max(self.cpu, other.cpu), max(self.memory, other.memory))

    def describe(self) -> str:
        cpu = "no CPU limit" if self.cpu == UNLIMITED else f"{self.cpu:.2f} CPUs"
        memory = "no memory limit" if self.memory == UNLIMITED else f"{self.memory / GIB:.2f} GiB"
        return f"{cpu}, {memory}"


def container_requests(container: dict[str, Any]) -> Requests:
    """A container's requests; a resource with only a limit requests its limit, as in Kubernetes."""
    resources = container.get("resources") or {}
    requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
    return Requests(
        parse_quantity(requests.get("cpu", limits.get("cpu", 0))),
        parse_quantity(requests.get("memory", limits.get("memory", 0))),
    )


def container_limits(container: dict[str, Any]) -> Requests:
    """A container's limits; a resource without one is ``UNLIMITED``."""
    limits = (container.get("resources") or {}).get("limits") or {}
    return Requests(
        parse_quantity(limits["cpu"]) if "cpu" in limits else UNLIMITED,
        parse_quantity(limits["memory"]) if "memory" in limits else UNLIMITED,
    )


def pod_total(
    pod_spec: dict[str, Any], of_container: Callable[[dict[str, Any]], Requests]
) -> Requests:
    """A pod's total as Kubernetes counts it: its containers' sum, or more if an init container
    alone has more."""
    total = sum((of_container(c) for c in pod_spec.get("containers", [])), Requests())
    for init_container in pod_spec.get("initContainers", []):
        total = total.at_least(of_container(init_container))
    return total


def pod_requests(pod_spec: dict[str, Any]) -> Requests:
    """A pod's requests as the scheduler counts them."""
    return pod_total(pod_spec, container_requests)


def pod_limits(pod_spec: dict[str, Any]) -> Requests:
    """The most a pod may use: its containers' limits, summed."""
    return pod_total(pod_spec, container_limits)


@dataclass(frozen=True)
class Workload:
    """An object that runs pods: how many at most, what each requests and may use, and why."""

    name: str
    pods: int  # steady: replicas, or the autoscaler's maximum
    per_pod: Requests
    why: str
    surge: int = 0  # the pods a rollout starts beside those
    per_pod_limits: Requests = Requests(UNLIMITED, UNLIMITED)  # unknown: it may use the node

    @property
    def requests(self) -> Requests:
        return self.per_pod.times(self.pods + self.surge)

    @property
    def limits(self) -> Requests:
        return self.per_pod_limits.times(self.pods + self.surge)


def autoscaler_maximums(objects: list[dict[str, Any]]) -> dict[str, int]:
    """``Kind/name`` of each autoscaled object, and the most replicas its autoscaler may run."""
    return {
        f"{target['kind']}/{target['name']}": item["spec"]["maxReplicas"]
        for item in objects
        if item["kind"] == "HorizontalPodAutoscaler"
        for target in [item["spec"]["scaleTargetRef"]]
    }


def pod_count(item: dict[str, Any], maximums: dict[str, int]) -> tuple[int, str]:
    """How many pods an object runs at most, and why."""
    spec, name = item["spec"], f"{item['kind']}/{item['metadata']['name']}"
    if item["kind"] == "DaemonSet":
        return 1, "one per node, one node"
    if item["kind"] == "Job":
        return spec.get("parallelism", 1), "while it runs"
    replicas = spec.get("replicas", 1)
    if maximums.get(name, 0) > replicas:
        return maximums[name], "the autoscaler's maximum"
    return replicas, "replicas"


def surge_pods(item: dict[str, Any], pods: int) -> int:
    """The pods a rollout of ``pods`` starts beside the old ones: a Deployment's ``maxSurge``
    (default 25 %, rounded up, as Kubernetes rounds it); none for a Recreate rollout, and none for
    the other kinds (a DaemonSet surges only when told to, on one node here)."""
    if item["kind"] == "Deployment":
        strategy = item["spec"].get("strategy") or {}
        if strategy.get("type") == "Recreate":
            return 0
        default = "25%"
    elif item["kind"] == "DaemonSet":
        strategy, default, pods = item["spec"].get("updateStrategy") or {}, 0, 1
    else:
        return 0
    surge = (strategy.get("rollingUpdate") or {}).get("maxSurge", default)
    if isinstance(surge, str) and surge.endswith("%"):
        return math.ceil(Decimal(surge[:-1]) * pods / 100)
    return int(surge)


def workloads(objects: list[dict[str, Any]]) -> list[Workload]:
    """Every Deployment, StatefulSet, DaemonSet and Job among ``objects``, with its requests and
    limits, at its most pods and its rollout's surge."""
    maximums = autoscaler_maximums(objects)
    found = []
    for item in objects:
        if item["kind"] in WORKLOAD_KINDS:
            pods, why = pod_count(item, maximums)
            pod_spec = item["spec"]["template"]["spec"]
            found.append(
                Workload(
                    f"{item['kind']}/{item['metadata']['name']}", pods, pod_requests(pod_spec),
                    why, surge_pods(item, pods), pod_limits(pod_spec),
                )
            )  # fmt: skip
    return found


def total_requests(found: list[Workload]) -> Requests:
    return sum((workload.requests for workload in found), Requests())


def total_limits(found: list[Workload]) -> Requests:
    return sum((workload.limits for workload in found), Requests())


# minikube's own pods (API server, controller manager, scheduler, etcd, CoreDNS, metrics-server)
# request about 0.85 CPU and 0.4 GiB; the kubelet and the container runtime need memory too.
SYSTEM_ROOM = Requests(cpu=Decimal(1), memory=Decimal("1.5") * GIB)
# minikube refuses fewer than 2 CPUs and 1800 MB.
MINIKUBE_MINIMUM = Requests(cpu=Decimal(2), memory=Decimal(2) * GIB)


@dataclass(frozen=True)
class MinikubeSize:
    """Whole CPUs and GiB for ``minikube start``."""

    cpus: int
    memory_gib: int

    def flags(self) -> list[str]:
        return ["--cpus", str(self.cpus), "--memory", f"{self.memory_gib}g"]

    def describe(self) -> str:
        return f"{self.cpus} CPUs and {self.memory_gib} GiB"


def minikube_size(requests: Requests, room: Requests = SYSTEM_ROOM) -> MinikubeSize:
    """The smallest whole size with room for ``requests`` and for minikube's own pods."""
    needed = (requests + room).at_least(MINIKUBE_MINIMUM)
    return MinikubeSize(math.ceil(needed.cpu), math.ceil(needed.memory / GIB))


def counted(workload: Workload) -> tuple[str, str]:
    """How many pods a workload counts, and why: ``4+1`` for 4 pods and a rollout's surge pod."""
    if not workload.surge:
        return f"{workload.pods}", workload.why
    surge = f"+{workload.surge} surge pod{'s' if workload.surge > 1 else ''}"
    return f"{workload.pods}+{workload.surge}", f"{workload.why}, {surge}"


def requests_table(found: list[Workload]) -> list[str]:
    """One line per workload (its requests, then its limits, per pod), then the totals."""
    width = max((len(workload.name) for workload in found), default=0)
    lines = []
    for workload in found:
        pods, why = counted(workload)
        each = f"{workload.per_pod.describe()}; limits {workload.per_pod_limits.describe()}"
        lines.append(f"  {workload.name:<{width}}  {pods} x ({each})  [{why}]")
    return [
        *lines,
        f"  {'requests':<{width}}  {total_requests(found).describe()}",
        f"  {'limits':<{width}}  {total_limits(found).describe()}",
    ]
