"""The image check's logic, without an engine: the real run is `make image-check`."""

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

import system_tools
from common.paths import KUBERNETES_DIR, PROJECT_ROOT
from kubernetes_deployment.podman import Probes
from service_runner import container
from service_runner.container import (
    CHECK_REQUEST_ID,
    COLD_START_BUDGET_SECONDS,
    ContainerError,
    Observations,
    build_arguments,
    evaluate,
    find_engine,
    project_packages,
    run_arguments,
    runtime_packages,
    usable_base_image,
)

GOOD = Observations(
    ready_seconds=3.2,
    status_code=200,
    answer={"charges": 7574.1},
    expected={"charges": 7574.1},
    uid="10001",
    capabilities="0000000000000000",
    root_write_error="OSError: [Errno 30] Read-only file system: '/app/probe'",
    tmp_write_ok=True,
    records=[
        {"message": "Prediction requested", "prediction_id": CHECK_REQUEST_ID},
        {"message": "Prediction created", "prediction_id": CHECK_REQUEST_ID},
        {"message": "Prediction created", "prediction_id": "someone-else"},
        {"message": "Worker ready", "seconds_since_start": 1.21},
        {"message": "Worker ready", "seconds_since_start": 1.34},
    ],
    packages=runtime_packages(),
    imports_checked=40,
)


NO_TRAINING_IMPORT = "no pandas, matplotlib, sklearn, scipy, skops import"


def failed(seen: Observations) -> list[str]:
    return [verdict.name for verdict in evaluate(seen) if not verdict.passed]


def test_a_good_image_passes_every_check() -> None:
    assert failed(GOOD) == []


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        ({"ready_seconds": COLD_START_BUDGET_SECONDS + 0.1}, "cold start"),
        ({"answer": {"charges": 7574.2}}, "same prediction as in process"),
        ({"status_code": 500}, "same prediction as in process"),
        ({"uid": "0"}, "runs as non-root"),
        ({"uid": ""}, "runs as non-root"),
        ({"capabilities": "00000000a80425fb"}, "no capabilities"),
        ({"root_write_error": ""}, "read-only root filesystem"),
        ({"tmp_write_ok": False}, "read-only root filesystem"),
        ({"records": [GOOD.records[0], *GOOD.records[2:]]}, "JSON prediction logs on stdout"),
        ({"packages": sorted([*runtime_packages(), "load_test"])}, "only the runtime packages"),
        ({"import_failures": ["pandas was imported"]}, NO_TRAINING_IMPORT),
        ({"imports_checked": 0}, NO_TRAINING_IMPORT),
        ({"records": GOOD.records[:3]}, "worker start"),
        ({"records": [*GOOD.records, {"message": "Worker ready"}]}, "worker start"),
        ({"packages": ["insurance_charges_model"]}, "only the runtime packages"),
    ],
)
def test_each_fault_fails_its_own_check(change: dict, failing: str) -> None:
    assert failed(replace(GOOD, **change)) == [failing]


def test_an_image_that_never_gets_ready_fails_ready_and_cold_start() -> None:
    assert failed(replace(GOOD, ready_seconds=None)) == ["ready", "cold start"]


def test_cold_start_prints_the_seconds_and_passes_up_to_the_bound() -> None:
    [verdict] = [
        verdict
        for verdict in evaluate(replace(GOOD, ready_seconds=COLD_START_BUDGET_SECONDS))
        if verdict.name == "cold start"
    ]
    assert verdict.passed
    assert verdict.detail.startswith(f"{COLD_START_BUDGET_SECONDS:.1f} s from `run` to ready")


def test_the_cold_start_bound_is_the_startup_probes_budget() -> None:
    deployment = yaml.safe_load((KUBERNETES_DIR / "base" / "deployment.yaml").read_text())
    assert Probes.of(deployment).startup_budget_s == COLD_START_BUDGET_SECONDS


def test_containers_run_read_only_without_capabilities() -> None:
    arguments = run_arguments("image:1", "name", 8123)
    assert arguments[-1] == "image:1"
    for option in (
        ["--read-only"],
        ["--tmpfs", "/tmp"],
        ["--cap-drop", "ALL"],
        ["--publish", "127.0.0.1:8123:8000"],
    ):
        position = arguments.index(option[0])
        assert arguments[position : position + len(option)] == option


def test_podman_builds_keep_the_healthcheck_and_use_the_host_ca(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    bundle.write_text("certificates")
    monkeypatch.setenv("PIP_CERT", str(bundle))
    arguments = build_arguments("podman", "image:1", "base:1", "1.0")
    assert {"--format", "docker", "--network", "host"} <= set(arguments)
    assert f"{bundle}:{container.HOST_CA_IN_BUILD}:ro" in arguments
    assert f"PIP_CERT={container.HOST_CA_IN_BUILD}" in arguments
    assert "BASE_IMAGE=base:1" in arguments
    assert "VERSION=1.0" in arguments
    assert arguments[-3:] == ["--file", str(PROJECT_ROOT / "Dockerfile"), str(PROJECT_ROOT)]


def test_docker_builds_need_no_podman_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIP_CERT", raising=False)
    arguments = build_arguments("docker", "image:1", "base:1", "1.0")
    assert "--volume" not in arguments
    assert "--format" not in arguments


def test_a_docker_client_without_a_daemon_is_passed_over(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system_tools.shutil, "which", lambda name, **_: f"/usr/bin/{name}")
    monkeypatch.setattr(container, "engine_works", lambda engine: engine == "podman")
    assert find_engine() == "podman"


def test_no_engine_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system_tools.shutil, "which", lambda name, **_: None)
    with pytest.raises(
        ContainerError, match=r"install docker .* or podman, or set ENGINE"
    ) as error:
        find_engine()
    assert "apt-get install docker.io" in str(error.value)
    assert "apt-get install podman)" in str(error.value)


def test_no_engine_answering_says_which_does_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system_tools.shutil, "which", lambda name, **_: f"/usr/bin/{name}")
    monkeypatch.setattr(container, "engine_works", lambda engine: False)
    with pytest.raises(ContainerError, match=r"`docker info` does not answer .* `podman info`"):
        find_engine()


def test_a_chosen_engine_must_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system_tools.shutil, "which", lambda name, **_: None)
    with pytest.raises(ContainerError, match=r"ENGINE=nerdctl is not on PATH$"):
        find_engine("nerdctl")
    with pytest.raises(ContainerError, match=r"ENGINE=podman is not on PATH: .*apt-get install"):
        find_engine("podman")


def test_a_local_base_without_debootstrap_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(system_tools.shutil, "which", lambda name, **_: None)
    with pytest.raises(ContainerError, match=r"debootstrap is not installed: .*apt-get install"):
        container.build_base_image("podman", "localhost/base:test")


def test_a_local_base_needs_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(system_tools.shutil, "which", lambda name, **_: f"/usr/sbin/{name}")
    monkeypatch.setattr(container.os, "geteuid", lambda: 1000)
    with pytest.raises(ContainerError, match="debootstrap needs root"):
        container.build_base_image("podman", "localhost/base:test")


@pytest.mark.parametrize(
    ("present", "pull_works", "expected", "builds_local"),
    [
        ({"base"}, False, "base", False),
        (set(), True, "base", False),
        ({"local"}, False, "local", False),
        (set(), False, "local", True),
    ],
)
def test_the_base_image_falls_back_to_a_local_one(
    monkeypatch: pytest.MonkeyPatch,
    present: set,
    pull_works: bool,
    expected: str,
    builds_local: bool,
) -> None:
    built = []

    def pull(engine: str, *arguments: str, timeout: float = 0) -> str:
        if not pull_works:
            raise ContainerError("no registry")
        return ""

    monkeypatch.setattr(container, "image_exists", lambda engine, image: image in present)
    monkeypatch.setattr(container, "engine_command", pull)
    monkeypatch.setattr(container, "build_base_image", lambda engine, image: built.append(image))
    assert usable_base_image("podman", "base", "local") == expected
    assert built == (["local"] if builds_local else [])


def test_command_line_reports_a_missing_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert container.main(["stop", "--engine", "no-such-engine", "--name", "x"]) == 1
    assert "error: ENGINE=no-such-engine is not on PATH" in capsys.readouterr().err


def test_the_runtime_packages_are_packages_of_the_project() -> None:
    assert set(runtime_packages()) < set(project_packages())
    assert {"model_contract", "model_service", "drift_monitor"} <= set(runtime_packages())
    assert {"load_test", "insurance_charges_training"}.isdisjoint(runtime_packages())
    assert {"load_test", "reliability", "service_runner"} <= set(project_packages())


def test_the_worker_start_prints_each_workers_seconds() -> None:
    [verdict] = [verdict for verdict in evaluate(GOOD) if verdict.name == "worker start"]
    assert verdict.detail == "1.21 s, 1.34 s from each worker's process start to ready"
