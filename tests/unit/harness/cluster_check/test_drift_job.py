"""The drift Job, through an injected kubectl: made from the CronJob, passed when it completes,
failed with its condition and logs when it fails or never ends."""

import json
from datetime import UTC, datetime
from typing import Any

from cluster_check.drift_job import DRIFT_CRONJOB, drift_job_completes, job_name
from kubernetes_deployment.manifests import NAMESPACE, OVERLAYS_DIR, KubectlError, documents, render
from support.kubernetes_objects import one

NAME = "drift-check-test"


class FakeKubectl:
    """Records each call; answers ``get job`` with ``conditions`` and ``logs`` with ``logs``."""

    def __init__(self, *conditions: list[dict[str, str]], logs: str | None = "") -> None:
        self.conditions, self.logs, self.calls = list(conditions), logs, []

    def __call__(self, *arguments: str, **options: Any) -> str:
        self.calls.append(" ".join(arguments))
        if arguments[0] == "get":
            now = self.conditions.pop(0) if len(self.conditions) > 1 else self.conditions[0]
            return json.dumps({"status": {"conditions": now}})
        if arguments[0] == "logs":
            if self.logs is None:
                raise KubectlError("kubectl logs: pod is initializing")
            return self.logs
        return f"job.batch/{NAME} created"


def condition(kind: str, reason: str = "", message: str = "") -> dict[str, str]:
    return {"type": kind, "status": "True", "reason": reason, "message": message}


def check(kubectl: FakeKubectl, timeout_s: float = 0) -> Any:
    return drift_job_completes("minikube", timeout_s, every_s=0, run=kubectl, name=NAME)


def test_the_cronjob_is_the_one_the_manifests_hold() -> None:
    objects = documents(render(OVERLAYS_DIR / "minikube-monitoring"))
    assert one(objects, "CronJob", DRIFT_CRONJOB)["metadata"]["namespace"] == NAMESPACE


def test_a_job_name_is_a_valid_name_of_its_time() -> None:
    assert job_name(datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)) == "drift-check-20250304-050607"


def test_a_completed_job_passes_after_it_was_waited_for() -> None:
    kubectl = FakeKubectl([], [condition("SuccessCriteriaMet")], [condition("Complete")])
    outcome = check(kubectl, timeout_s=60)
    assert outcome.passed
    assert outcome.detail == f"job/{NAME} completed"
    assert kubectl.calls[0] == (
        f"create job {NAME} --from=cronjob/{DRIFT_CRONJOB} --namespace {NAMESPACE} "
        "--context minikube"
    )
    assert kubectl.calls.count(f"get job {NAME} --namespace {NAMESPACE} --output json "
                               "--context minikube") == 3  # fmt: skip


def test_a_failed_job_fails_with_its_condition_and_logs() -> None:
    failed = condition("Failed", "BackoffLimitExceeded", "Job has reached the backoff limit")
    kubectl = FakeKubectl([failed], logs="[pod/x/drift-monitor] age: drift")
    outcome = check(kubectl)
    assert not outcome.passed
    assert outcome.detail == (
        f"job/{NAME} failed (BackoffLimitExceeded: Job has reached the backoff limit); "
        "its logs:\n[pod/x/drift-monitor] age: drift"
    )


def test_a_failed_job_without_logs_says_why() -> None:
    outcome = check(FakeKubectl([condition("Failed", "DeadlineExceeded")], logs=None))
    assert "(DeadlineExceeded)" in outcome.detail
    assert "(no logs: kubectl logs: pod is initializing)" in outcome.detail


def test_a_job_that_never_ends_fails_when_time_is_up() -> None:
    outcome = check(FakeKubectl([]))
    assert not outcome.passed
    assert outcome.detail == f"job/{NAME} neither completed nor failed within 0 s"
