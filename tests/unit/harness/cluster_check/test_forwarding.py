"""The port-forward against a fake kubectl: the Service's URL while it listens, the context and
namespace named, and kubectl's own words when it cannot forward."""

from pathlib import Path

import pytest

from cluster_check.forwarding import forwarded
from kubernetes_deployment.manifests import NAMESPACE, KubectlError
from support.fake_tools import fake_tool, first_on_path


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    first_on_path(monkeypatch, tmp_path / "bin")
    return tmp_path / "calls"


def test_the_url_is_served_while_kubectl_listens(calls: Path) -> None:
    fake_tool(
        calls.parent / "bin",
        "kubectl",
        f'echo "$*" >> {calls}\necho "Forwarding from 127.0.0.1:1 -> 9090"\nexec sleep 30',
    )
    with forwarded("prometheus", 9090, "minikube") as url:
        assert url.startswith("http://127.0.0.1:")
        local_port = url.rsplit(":", 1)[1]
    [call] = calls.read_text().splitlines()
    assert call == (
        f"port-forward --namespace {NAMESPACE} service/prometheus {local_port}:9090 "
        "--context minikube"
    )


def test_a_forward_that_fails_says_what_kubectl_said(calls: Path) -> None:
    fake_tool(calls.parent / "bin", "kubectl", 'echo "error: services not found" >&2; exit 1')
    failing = pytest.raises(KubectlError, match="service/prometheus: error: services not found")
    with failing, forwarded("prometheus", 9090):
        pass
