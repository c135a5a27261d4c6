"""The drift check, run now: a Job made from the drift CronJob, followed until it ends.

The Job completes when the logged predictions have not drifted, and fails when they have, when
they are too few for a verdict, or when it cannot run; a failure is reported with the Job's
condition (whose message tells drift, exit 1, from no verdict, exit 2) and the last lines of its
containers' logs. kubectl is called through one runner,
``manifests.kubectl`` unless another is given.
"""

import json
from datetime import UTC, datetime

from cluster_check.forwarding import Kubectl
from cluster_check.outcomes import POLL_S, Outcome, poll
from kubernetes_deployment.manifests import NAMESPACE, KubectlError, context_arguments, kubectl

DRIFT_CRONJOB = "drift-monitor"  # components/monitoring/drift-cronjob.yaml
DRIFT_TIMEOUT_S = 600.0  # the image is already on the node; the init container's may not be
ENDED = ("Complete", "Failed")


def job_name(now: datetime | None = None) -> str:
    """``drift-check-`` and the UTC time, a name no earlier run has taken."""
    return f"drift-check-{(now or datetime.now(UTC)):%Y%m%d-%H%M%S}"


def create_job(name: str, context: str | None, run: Kubectl = kubectl) -> None:
    run(
        "create", "job", name, f"--from=cronjob/{DRIFT_CRONJOB}", "--namespace", NAMESPACE,
        *context_arguments(context),
    )  # fmt: skip


def job_end(name: str, context: str | None, run: Kubectl = kubectl) -> dict[str, str] | None:
    """The Job's Complete or Failed condition once it holds; None while the Job runs."""
    job = json.loads(
        run("get", "job", name, "--namespace", NAMESPACE, "--output", "json",
            *context_arguments(context))
    )  # fmt: skip
    for condition in job.get("status", {}).get("conditions") or []:
        if condition.get("type") in ENDED and condition.get("status") == "True":
            return condition
    return None


def job_logs(name: str, context: str | None, run: Kubectl = kubectl, tail: int = 20) -> str:
    """The last lines of the Job's containers' logs, or why there are none."""
    try:
        return run(
            "logs", f"job/{name}", "--namespace", NAMESPACE, "--all-containers", "--prefix",
            f"--tail={tail}", *context_arguments(context),
        ).strip()  # fmt: skip
    except KubectlError as error:
        return f"(no logs: {error})"


def drift_job_completes(
    context: str | None,
    timeout_s: float = DRIFT_TIMEOUT_S,
    every_s: float = POLL_S,
    run: Kubectl = kubectl,
    name: str | None = None,
) -> Outcome:
    """Create the Job from the CronJob and wait until it ends; passes when it completes."""
    name = name or job_name()
    create_job(name, context, run)
    end = poll(lambda: job_end(name, context, run), bool, timeout_s, every_s)
    if end is None:
        return Outcome(False, f"job/{name} neither completed nor failed within {timeout_s:g} s")
    if end["type"] == "Complete":
        return Outcome(True, f"job/{name} completed")
    why = ": ".join(part for part in (end.get("reason"), end.get("message")) if part) or "Failed"
    return Outcome(False, f"job/{name} failed ({why}); its logs:\n{job_logs(name, context, run)}")
