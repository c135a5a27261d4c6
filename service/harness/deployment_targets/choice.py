"""Which target a notebook runs on: the one it names, or with ``auto`` the best one here."""

from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any

from deployment_targets.cluster import READERS_CONTEXT, Cluster
from deployment_targets.container import Container
from deployment_targets.local import LocalProcess
from deployment_targets.pods import Pods
from deployment_targets.target import DeploymentTarget
from kubernetes_deployment import manifests, podman
from service_runner.container import ContainerError, find_engine

AUTO = "auto"
TARGETS: dict[str, type[DeploymentTarget]] = {
    target.name: target for target in (Cluster, Pods, Container, LocalProcess)
}


class TargetUnavailableError(RuntimeError):
    """The target a notebook named cannot run here; the message says why."""


def cluster_problem(context: str | None = None) -> str | None:
    """Why the cluster cannot be deployed to: none reachable by ``context``; with no context
    named, kubectl's current one unless it is the reader's minikube."""
    if not context:
        current = manifests.current_context()
        if current != READERS_CONTEXT:
            found = f"kubectl's current context is {current!r}" if current else "no context"
            return f"{found}, not {READERS_CONTEXT!r}: name the context to deploy to another"
        context = READERS_CONTEXT
    reachable, answer = manifests.cluster_reachable(context=context)
    return None if reachable else f"kubectl reaches no cluster as {context!r} ({answer})"


def container_problem() -> str | None:
    try:
        find_engine("")
    except ContainerError as error:
        return str(error)
    return None


PROBLEMS: dict[str, Callable[..., str | None]] = {
    "cluster": lambda context=None, **_: cluster_problem(context),
    "pods": lambda **_: podman.unavailable(),
    "container": lambda **_: container_problem(),
    "local": lambda **_: None,
}


def availability(names: Sequence[str], **settings: Any) -> dict[str, str | None]:
    """Each target's problem here, in order; None: it can run."""
    return {name: PROBLEMS[name](**settings) for name in names}


def choose(requested: str, among: Sequence[str], **settings: Any) -> DeploymentTarget:
    """The target named ``requested``, or with ``auto`` the first of ``among`` that runs here.

    ``settings`` go to the target chosen, each to the target that has a field of that name.
    TargetUnavailableError when the one named cannot run, ValueError when it is not among them.
    """
    unknown = set(among) - set(TARGETS)
    if (requested != AUTO and requested not in among) or unknown:
        raise ValueError(f"target={requested!r}: choose one of {AUTO!r}, {', '.join(among)}")
    if requested != AUTO:
        problem = PROBLEMS[requested](**settings)
        if problem:
            raise TargetUnavailableError(f"target={requested!r}, but {problem}")
        return built(requested, settings, f"{requested}: named by the notebook's parameter", {})
    passed_over: dict[str, str] = {}
    for name in among:
        problem = PROBLEMS[name](**settings)
        if problem is None:
            return built(name, settings, reason(name, passed_over), passed_over)
        passed_over[name] = problem
    raise TargetUnavailableError(f"no target of {', '.join(among)} runs here: {passed_over}")


def reason(name: str, passed_over: dict[str, str]) -> str:
    """Why ``auto`` chose ``name``: the preferred targets it passed over, and why."""
    chosen = f"{name}: {TARGETS[name].where}"
    if not passed_over:
        return f"{chosen}, the first choice, runs here"
    skipped = "; ".join(f"not {other}: {problem}" for other, problem in passed_over.items())
    return f"{chosen}, since {skipped}"


def built(
    name: str, settings: dict[str, Any], why: str, passed_over: dict[str, str]
) -> DeploymentTarget:
    kind = TARGETS[name]
    accepted = {item.name for item in fields(kind)}
    target = kind(**{key: value for key, value in settings.items() if key in accepted})
    target.why, target.passed_over = why, passed_over
    return target
