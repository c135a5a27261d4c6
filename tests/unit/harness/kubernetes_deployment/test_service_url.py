"""make service-url against a fake minikube: the node's URL where the host reaches the node, and
the port-forward to run instead where minikube would hold a tunnel open (docker driver, not
native Linux)."""

from pathlib import Path

import pytest

from kubernetes_deployment import minikube
from kubernetes_deployment.manifests import NAMESPACE, SERVICE_NAME, SERVICE_PORT, main
from support.fake_minikube import NODE_URL, FakeMinikube, installed, profile_listing


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeMinikube:
    return installed(tmp_path, monkeypatch)


def on(monkeypatch: pytest.MonkeyPatch, system: str, release: str = "6.8.0-generic") -> None:
    """Run as if on ``system`` (platform.system()), with that kernel ``release``."""
    monkeypatch.setattr(minikube.platform, "system", lambda: system)
    monkeypatch.setattr(minikube.platform, "release", lambda: release)


@pytest.mark.parametrize(
    ("system", "release", "driver"),
    [
        ("Linux", "6.8.0-generic", "docker"),
        ("Darwin", "23.1.0", "hyperkit"),
        ("Windows", "10", "hyperv"),
        ("Linux", "6.8.0-generic", "kvm2"),
    ],
)
def test_where_the_host_reaches_the_node_minikube_prints_the_url(
    fake: FakeMinikube,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    system: str,
    release: str,
    driver: str,
) -> None:
    on(monkeypatch, system, release)
    fake.install(profiles=profile_listing(4, 4096, driver=driver, name="dev"))
    assert main(["service-url", "--context", "dev"]) == 0
    assert capsys.readouterr().out == f"{NODE_URL}\n"
    assert fake.recorded()[-1] == (
        f"service {SERVICE_NAME} --namespace {NAMESPACE} --url --profile dev"
    )


@pytest.mark.parametrize(
    ("system", "release", "named"),
    [
        ("Darwin", "23.1.0", "Darwin"),
        ("Windows", "10", "Windows"),
        ("Linux", "5.15.153.1-microsoft-standard-WSL2", "WSL"),
    ],
)
def test_with_the_docker_driver_off_linux_it_prints_the_port_forward_instead(
    fake: FakeMinikube,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    system: str,
    release: str,
    named: str,
) -> None:
    on(monkeypatch, system, release)
    fake.install(profiles=profile_listing(4, 4096, driver="docker"))
    assert main(["service-url", "--context", "minikube", "--port", "8001"]) == 0
    said = capsys.readouterr().out
    assert f"minikube's docker driver on {named}" in said
    assert "make port-forward PORT=8001 (that is, kubectl port-forward" in said
    assert f"service/{SERVICE_NAME} 8001:{SERVICE_PORT} --context minikube" in said
    assert "KUBE_CONTEXT" not in said  # the default context needs no naming
    assert not [call for call in fake.recorded() if call.startswith("service")]


def test_another_profile_is_named_in_the_make_command(
    fake: FakeMinikube, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    on(monkeypatch, "Darwin", "23.1.0")
    fake.install(profiles=profile_listing(4, 4096, driver="docker", name="dev"))
    assert main(["service-url", "--context", "dev"]) == 0
    assert "make port-forward PORT=8000 KUBE_CONTEXT=dev" in capsys.readouterr().out


def test_without_the_profile_it_says_to_start_minikube(
    fake: FakeMinikube, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["service-url", "--context", "dev"]) == 1
    assert capsys.readouterr().err == (
        "error: there is no minikube profile dev: make minikube-start\n"
    )
    assert fake.recorded() == ["profile list --output json"]


def test_a_failing_minikube_service_is_reported(
    fake: FakeMinikube, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    on(monkeypatch, "Linux")
    fake.install(profiles=profile_listing(4, 4096), fails="service")
    assert main(["service-url"]) == 1
    assert f"error: minikube service {SERVICE_NAME}: service went wrong" in capsys.readouterr().err
