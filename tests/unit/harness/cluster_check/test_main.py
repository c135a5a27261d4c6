"""The command end to end, against a fake kubectl and a mock network: every check reported, exit
0 when all pass and 1 when one fails; ``--status`` only looks."""

from pathlib import Path
from typing import Any

import httpx
import pytest

from cluster_check.__main__ import main
from cluster_check.predictions import customers
from kubernetes_deployment.manifests import NAMESPACE
from model_service.routes import PREDICTION_ROUTE
from support.fake_tools import fake_tool, first_on_path

COMPLETE = '{"status": {"conditions": [{"type": "Complete", "status": "True"}]}}'


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake kubectl that forwards, creates the Job and finds it complete; its calls, a line
    each."""
    calls = tmp_path / "calls"
    first_on_path(monkeypatch, tmp_path / "bin")
    fake_tool(
        tmp_path / "bin",
        "kubectl",
        f'echo "$*" >> {calls}\n'
        'case "$1" in\n'
        '  port-forward) echo "Forwarding from 127.0.0.1:1 -> 1"; exec sleep 30 ;;\n'
        f"  get) echo '{COMPLETE}' ;;\n"
        '  *) echo "$1: ok" ;;\n'
        "esac",
    )
    return calls


def success(data: Any) -> httpx.Response:
    return httpx.Response(200, json={"status": "success", "data": data})


def cluster(prediction_status: int = 200) -> httpx.MockTransport:
    """The service and Prometheus as the checks reach them, by path."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == PREDICTION_ROUTE:
            return httpx.Response(prediction_status, json={"charges": 8640.78})
        if request.url.path == "/api/v1/targets":
            target = {"scrapePool": "kubernetes-pods", "health": "up", "labels": {"pod": "p"}}
            return success({"activeTargets": [target]})
        metric = {"__name__": "slo:latency_p99:ratio_rate5m"}
        return success({"resultType": "vector", "result": [{"metric": metric, "value": [0, "0"]}]})

    return httpx.MockTransport(handler)


def test_every_check_passes_on_a_healthy_cluster(
    calls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--context", "minikube"], transport=cluster()) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [
        "PASS  deployment/prometheus rolled out",
        "PASS  prediction through service/insurance-charges-model",
        "PASS  Prometheus targets of the job kubernetes-pods up",
        "PASS  the training customers through the Service",
        "PASS  slo",
        "PASS  a Job from cronjob/drift-monitor",
    ]
    assert lines[-1] == "6 of 6 checks passed"
    forwards = [call for call in calls.read_text().splitlines() if "port-forward" in call]
    assert [call.split()[3] for call in forwards] == [
        "service/insurance-charges-model", "service/prometheus",
    ]  # fmt: skip
    assert all(call.endswith("--context minikube") for call in forwards)


def test_one_failing_check_fails_the_command(
    calls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--context", "minikube"], transport=cluster(prediction_status=500)) == 1
    out = capsys.readouterr().out
    assert "FAIL  prediction through service/insurance-charges-model: HTTP 500" in out
    load = len(customers())
    assert f"FAIL  the training customers through the Service: {load} of {load}" in out
    assert out.endswith("4 of 6 checks passed\n")


def test_status_only_looks(calls: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--context", "minikube", "--status"]) == 0
    assert calls.read_text().splitlines() == [
        f"get pods,jobs,cronjobs --output wide --namespace {NAMESPACE} --context minikube",
        f"get events --sort-by=.lastTimestamp --namespace {NAMESPACE} --context minikube",
    ]
