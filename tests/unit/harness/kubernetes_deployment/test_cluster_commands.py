"""The commands that reach a cluster, against a fake kubectl: the context they name, the restart
that rolls out a rebuilt image, and the port-forward that works with every minikube driver."""

from pathlib import Path

import pytest

from kubernetes_deployment import manifests
from kubernetes_deployment.manifests import (
    KIBANA_PORT,
    KIBANA_SERVICE,
    NAMESPACE,
    OVERLAYS_DIR,
    SELECTOR,
    SERVICE_NAME,
    SERVICE_PORT,
    documents,
    main,
    render,
)
from support.fake_tools import fake_tool, first_on_path

DEPLOYMENT = f"deployment.apps/{SERVICE_NAME}"


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the fake kubectl records its arguments, one call a line."""
    first_on_path(monkeypatch, tmp_path / "bin")
    return tmp_path / "calls"


def fake_kubectl(calls: Path, deployment: str = "", fails: str = "") -> None:
    """A kubectl that renders with the real one, records every other call, and answers ``get``
    with ``deployment``; the subcommand ``fails`` exits 1."""
    real = manifests.kubectl_path()
    fake_tool(
        calls.parent / "bin",
        "kubectl",
        f'[ "$1" = kustomize ] && exec {real} "$@"\n'
        f'echo "$*" >> {calls}\n'
        f'[ "$1" = "{fails}" ] && {{ echo "$1 went wrong" >&2; exit 1; }}\n'
        f'[ "$1" = get ] && {{ echo "{deployment}"; exit 0; }}\n'
        'echo "$1: ok"',
    )


def recorded(calls: Path) -> list[str]:
    return calls.read_text().splitlines()


def test_deploy_restarts_a_deployment_that_was_there_so_a_rebuilt_image_rolls_out(
    calls: Path,
) -> None:
    fake_kubectl(calls, deployment=DEPLOYMENT)
    assert main(["deploy", "--overlay", "minikube"]) == 0
    commands = recorded(calls)
    assert [command.split()[0] for command in commands] == [
        "cluster-info", "get", "apply", "rollout", "rollout",
    ]  # fmt: skip
    assert (
        commands[3] == f"rollout restart deployment --selector {SELECTOR} --namespace {NAMESPACE}"
    )
    assert commands[4].startswith("rollout status deployment")


def test_a_first_deploy_has_nothing_to_restart(calls: Path) -> None:
    fake_kubectl(calls)
    assert main(["deploy"]) == 0
    assert not [command for command in recorded(calls) if "restart" in command]


def test_a_failing_restart_is_reported(calls: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake_kubectl(calls, deployment=DEPLOYMENT, fails="rollout")
    assert main(["deploy"]) == 1
    assert capsys.readouterr().err.startswith("error: kubectl rollout restart deployment")


@pytest.mark.parametrize(
    "command",
    [
        ["deploy", "--overlay", "minikube-elk"],
        ["undeploy"],
        ["port-forward", "--service", "kibana", "--port", "5601"],
    ],
)
def test_every_cluster_command_names_the_context_it_was_given(
    calls: Path, command: list[str]
) -> None:
    fake_kubectl(calls, deployment=DEPLOYMENT)
    assert main([*command, "--context", "minikube"]) == 0
    commands = recorded(calls)
    assert len(commands) >= 2
    assert all(command.endswith("--context minikube") for command in commands)


def test_without_a_context_kubectl_s_current_one_is_used(calls: Path) -> None:
    fake_kubectl(calls)
    assert main(["undeploy"]) == 0
    assert not [command for command in recorded(calls) if "--context" in command]


@pytest.mark.parametrize(
    ("service", "port", "forwarded"),
    [
        (SERVICE_NAME, "8000", f"service/{SERVICE_NAME} 8000:{SERVICE_PORT}"),
        (KIBANA_SERVICE, "5602", f"service/kibana 5602:{KIBANA_PORT}"),
    ],
)
def test_port_forward_forwards_a_local_port_to_the_service_in_its_namespace(
    calls: Path, capsys: pytest.CaptureFixture[str], service: str, port: str, forwarded: str
) -> None:
    fake_kubectl(calls)
    assert main(["port-forward", "--service", service, "--port", port]) == 0
    assert recorded(calls)[-1] == f"port-forward --namespace {NAMESPACE} {forwarded}"
    assert capsys.readouterr().out.startswith(f"http://127.0.0.1:{port} -> service/{service}")


def test_a_failing_port_forward_says_what_to_check(
    calls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_kubectl(calls, fails="port-forward")
    assert main(["port-forward", "--service", "kibana", "--port", "5601"]) == 1
    error = capsys.readouterr().err
    assert "error: kubectl port-forward to service/kibana failed (exit 1" in error
    assert "is it deployed (make deploy-elk)? Is port 5601 free?" in error


def test_port_forward_without_a_cluster_says_how_to_start_one(
    calls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_kubectl(calls, fails="cluster-info")
    assert main(["port-forward"]) == 1
    assert "start one with make minikube-start" in capsys.readouterr().err
    assert not [command for command in recorded(calls) if command.startswith("port-forward")]


def test_ctrl_c_ends_the_port_forward_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*arguments: object, **options: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(manifests, "require_cluster", lambda *arguments: None)
    monkeypatch.setattr(manifests.subprocess, "run", interrupted)
    assert main(["port-forward"]) == 0


@pytest.mark.parametrize("overlay", ["minikube", "minikube-elk"])
def test_the_forwarded_ports_are_the_services_ports(overlay: str) -> None:
    services = {
        item["metadata"]["name"]: [port["port"] for port in item["spec"]["ports"]]
        for item in documents(render(OVERLAYS_DIR / overlay))
        if item["kind"] == "Service"
    }
    for name, port in manifests.FORWARDED_PORTS.items():
        if name in services:
            assert port in services[name]
    assert SERVICE_NAME in services


@pytest.mark.parametrize("port", ["0", "http", "-80"])
def test_a_port_that_is_not_a_number_is_a_usage_error(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["port-forward", f"--port={port}"])
    assert exit_.value.code == 2
    assert "is not a whole number above 0" in capsys.readouterr().err
