"""Prometheus's checks, against a mock of its API: targets up or not, and the slo: series with a
value or not; and the names they use, held to the manifests."""

from collections.abc import Callable
from functools import partial
from typing import Any

import httpx
import pytest

from cluster_check.outcomes import Outcome, attempt
from cluster_check.prometheus_checks import (
    PROMETHEUS,
    PROMETHEUS_PORT,
    SLO_QUERY,
    rolled_out,
    scrape_job,
    slo_series_recorded,
    targets_up,
)
from kubernetes_deployment.manifests import (
    NAMESPACE,
    OVERLAYS_DIR,
    KubectlError,
    documents,
    render,
)
from support.kubernetes_objects import one

JOB = "kubernetes-pods"
Handler = Callable[[httpx.Request], httpx.Response]


def prometheus(handler: Handler) -> httpx.Client:
    return httpx.Client(base_url="http://prometheus", transport=httpx.MockTransport(handler))


def success(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"status": "success", "data": data})


def target(pod: str, health: str, job: str = JOB, error: str = "") -> dict[str, Any]:
    return {
        "scrapePool": job,
        "labels": {"job": job, "pod": pod},
        "health": health,
        "lastError": error,
    }


def answering_targets(*answers: list[dict[str, Any]]) -> Handler:
    """Prometheus's targets, one answer after the other (the last one again and again)."""
    queue = list(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v1/targets"
        targets = queue.pop(0) if len(queue) > 1 else queue[0]
        return success({"activeTargets": targets, "droppedTargets": []})

    return handler


def series(name: str, value: str) -> dict[str, Any]:
    return {"metric": {"__name__": name, "route": "/r"}, "value": [1700000000, value]}


def answering_query(result: list[dict[str, Any]]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["query"] == SLO_QUERY
        return success({"resultType": "vector", "result": result})

    return handler


def test_the_job_is_the_one_in_prometheus_yml() -> None:
    assert scrape_job() == JOB


def test_the_deployment_service_and_port_are_those_of_the_manifest() -> None:
    objects = documents(render(OVERLAYS_DIR / "minikube-monitoring"))
    [port] = one(objects, "Service", PROMETHEUS)["spec"]["ports"]
    assert port["port"] == PROMETHEUS_PORT
    assert one(objects, "Deployment", PROMETHEUS)["metadata"]["namespace"] == NAMESPACE


def test_the_rollout_waited_for_is_prometheus_s_in_the_context() -> None:
    calls = []

    def kubectl(*arguments: str, timeout: float) -> str:
        calls.append(" ".join(arguments))
        return 'deployment "prometheus" successfully rolled out\n'

    outcome = rolled_out("minikube", timeout_s=60, run=kubectl)
    assert outcome == Outcome(True, 'deployment "prometheus" successfully rolled out')
    assert calls == [
        f"rollout status deployment/prometheus --namespace {NAMESPACE} --timeout=60s "
        "--context minikube"
    ]


def test_a_rollout_that_fails_is_an_error() -> None:
    def kubectl(*arguments: str, timeout: float) -> str:
        raise KubectlError("kubectl rollout status: timed out waiting for the condition")

    outcome = attempt("rollout", partial(rolled_out, "minikube", 1, kubectl))
    assert not outcome.passed
    assert "timed out waiting" in outcome.detail


def test_every_target_of_the_job_up_passes() -> None:
    up = [target("pod-a", "up"), target("pod-b", "up"), target("other", "down", job="other")]
    outcome = targets_up(prometheus(answering_targets(up)), JOB, timeout_s=0, every_s=0)
    assert outcome.passed
    assert outcome.detail == f"2 targets of {JOB}: pod-a up, pod-b up"


def test_a_target_not_scraped_yet_is_waited_for() -> None:
    handler = answering_targets([target("pod-a", "unknown")], [target("pod-a", "up")])
    assert targets_up(prometheus(handler), JOB, timeout_s=60, every_s=0).passed


def test_a_target_down_fails_with_its_error() -> None:
    down = [target("pod-a", "up"), target("pod-b", "down", error="connection refused")]
    outcome = targets_up(prometheus(answering_targets(down)), JOB, timeout_s=0, every_s=0)
    assert not outcome.passed
    assert "pod-b down (connection refused)" in outcome.detail


def test_no_target_at_all_fails() -> None:
    outcome = targets_up(prometheus(answering_targets([])), JOB, timeout_s=0, every_s=0)
    assert not outcome.passed
    assert outcome.detail == f"Prometheus has no active target in the job {JOB}"


def test_prometheus_refusing_the_query_is_an_error() -> None:
    refusing = prometheus(lambda request: httpx.Response(503, text="not ready"))
    with pytest.raises(RuntimeError, match="HTTP 503"):
        targets_up(refusing, JOB, timeout_s=0, every_s=0)


def test_slo_series_with_a_value_pass_and_the_trickle_ran() -> None:
    sent = []
    result = [
        series("slo:latency_p99:ratio_rate5m", "0.01"), series("slo:errors:ratio_rate5m", "0")
    ]  # fmt: skip
    outcome = slo_series_recorded(
        prometheus(answering_query(result)), lambda: sent.append(1), timeout_s=0, every_s=0
    )
    assert outcome.passed
    assert "slo:errors:ratio_rate5m, slo:latency_p99:ratio_rate5m" in outcome.detail
    assert sent == [1]


@pytest.mark.parametrize("result", [[], [series("slo:latency_p99:ratio_rate5m", "NaN")]])
def test_no_slo_series_with_a_value_fails(result: list[dict[str, Any]]) -> None:
    sent = []
    outcome = slo_series_recorded(
        prometheus(answering_query(result)), lambda: sent.append(1), timeout_s=0, every_s=0
    )
    assert not outcome.passed
    assert outcome.detail.startswith(f"no series of {SLO_QUERY} with a value")
