"""Multi-platform builds: the checks and the command lines, with a fake binfmt_misc and no engine.

The real run is `make image-multiarch`.
"""

import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from service_runner import container, multiarch
from service_runner.container import ContainerError
from service_runner.multiarch import (
    MultiarchBuild,
    base_image_problem,
    build_multiarch,
    buildx_arguments,
    emulator_problem,
    emulator_problems,
    fresh_manifest_list,
    host_architecture,
    manifest_push_arguments,
    multiarch_next_steps,
    parse_platforms,
    podman_multiarch_arguments,
)

QEMU_AARCH64 = """enabled
interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
flags: POCF
offset 0
magic 7f454c460201010000000000000000000200b700
mask ffffffffffffff00fffffffffffffffffeffffff
"""
MULTIARCH = MultiarchBuild(
    image="model:1.0-multiarch",
    platforms=["linux/amd64", "linux/arm64"],
    output=Path("build/model.oci.tar"),
    base_image="python:3.11-slim",
    version="1.0",
)


def fake_binfmt_misc(folder: Path, handlers: dict[str, str], status: str = "enabled") -> Path:
    """A mounted binfmt_misc folder with ``handlers`` registered."""
    (folder / "register").write_text("")
    (folder / "status").write_text(f"{status}\n")
    for name, text in handlers.items():
        (folder / name).write_text(text)
    return folder


def sublist(arguments: list[str], expected: list[str]) -> bool:
    """True when ``expected`` appears in ``arguments``, in order and adjacent."""
    return any(
        arguments[start : start + len(expected)] == expected for start in range(len(arguments))
    )


def test_a_registered_emulator_runs_foreign_binaries(tmp_path: Path) -> None:
    folder = fake_binfmt_misc(tmp_path, {"qemu-aarch64": QEMU_AARCH64})
    assert emulator_problem("arm64", folder) == ""


@pytest.mark.parametrize(
    ("handlers", "status", "reason"),
    [
        ({}, "enabled", r"no qemu-aarch64 handler is registered in"),
        ({"qemu-arm": QEMU_AARCH64}, "enabled", r"no qemu-aarch64 handler is registered in"),
        (
            {"qemu-aarch64": QEMU_AARCH64.replace("enabled", "disabled")},
            "enabled",
            r"the qemu-aarch64 handler in .* is disabled",
        ),
        (
            {"qemu-aarch64": QEMU_AARCH64.replace("POCF", "POC")},
            "enabled",
            r"qemu-aarch64 handler is registered without the F flag",
        ),
        ({"qemu-aarch64": QEMU_AARCH64}, "disabled", r"binfmt_misc is disabled"),
    ],
)
def test_an_unusable_emulator_says_why(
    tmp_path: Path, handlers: dict[str, str], status: str, reason: str
) -> None:
    folder = fake_binfmt_misc(tmp_path, handlers, status)
    assert re.search(reason, emulator_problem("arm64", folder))


def test_an_unmounted_binfmt_misc_is_named(tmp_path: Path) -> None:
    reason = emulator_problem("arm64", tmp_path)
    assert reason.startswith(f"binfmt_misc is not mounted at {tmp_path} (as root: mount -t")


def test_only_the_platforms_foreign_to_the_host_need_an_emulator(tmp_path: Path) -> None:
    folder = fake_binfmt_misc(tmp_path, {"qemu-aarch64": QEMU_AARCH64})
    assert emulator_problems(["linux/amd64"], "amd64", tmp_path / "unmounted") == []
    assert emulator_problems(["linux/amd64", "linux/arm64"], "amd64", folder) == []
    [problem] = emulator_problems(["linux/amd64", "linux/arm64"], "arm64", folder)
    assert problem.startswith("linux/amd64: no qemu-x86_64 handler")


@pytest.mark.parametrize(
    ("machine", "architecture"),
    [("x86_64", "amd64"), ("aarch64", "arm64"), ("arm64", "arm64"), ("armv7l", "arm")],
)
def test_the_host_machine_is_named_as_platforms_name_it(machine: str, architecture: str) -> None:
    assert host_architecture(machine) == architecture


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every engine command run, none run for real: each succeeds and prints nothing."""
    calls: list[list[str]] = []

    def run(command: list[str], **options: object) -> subprocess.CompletedProcess:
        calls.append(list(command))
        return subprocess.CompletedProcess(command, 1 if "exists" in command else 0, "", "")

    def engine_command(engine: str, *arguments: str, timeout: float = 0) -> str:
        calls.append([engine, *arguments])
        return ""

    monkeypatch.setattr(multiarch.subprocess, "run", run)
    monkeypatch.setattr(multiarch, "engine_command", engine_command)
    monkeypatch.setattr(multiarch, "current_architecture", lambda: "amd64")
    monkeypatch.setattr(container, "git_revision", lambda: "0123abc")
    return calls


def test_a_missing_emulator_stops_the_build_naming_platform_and_package(
    engine_calls: list[list[str]], tmp_path: Path
) -> None:
    with pytest.raises(ContainerError) as raised:
        build_multiarch("podman", MULTIARCH, tmp_path)
    message = str(raised.value)
    assert "linux/arm64: binfmt_misc is not mounted" in message
    assert "qemu-aarch64" in message
    assert "apt-get install qemu-user-static binfmt-support" in message
    assert "linux/amd64:" not in message
    assert engine_calls == []


def test_a_local_base_image_cannot_serve_other_platforms() -> None:
    problem = base_image_problem("localhost/debian-python:bookworm", MULTIARCH.platforms, "amd64")
    assert "localhost/debian-python:bookworm is a local amd64 image" in problem
    assert "nothing for linux/arm64" in problem
    assert "python:3.11-slim" in problem
    assert base_image_problem("localhost/debian-python:bookworm", ["linux/amd64"], "amd64") == ""
    assert base_image_problem("python:3.11-slim", MULTIARCH.platforms, "amd64") == ""


def test_buildx_exports_every_platform_as_an_oci_archive(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIP_CERT", raising=False)
    arguments = buildx_arguments(MULTIARCH)
    assert arguments[:2] == ["buildx", "build"]
    assert sublist(arguments, ["--platform", "linux/amd64,linux/arm64"])
    assert sublist(arguments, ["--output", "type=oci,dest=build/model.oci.tar"])
    assert sublist(arguments, ["--tag", "model:1.0-multiarch"])
    assert sublist(arguments, ["--build-arg", "BASE_IMAGE=python:3.11-slim"])
    assert "--load" not in arguments
    assert arguments[-1] == "."


def test_podman_builds_a_manifest_list_then_pushes_it_into_an_archive() -> None:
    arguments = podman_multiarch_arguments(MULTIARCH)
    assert arguments[0] == "build"
    assert sublist(arguments, ["--manifest", "model:1.0-multiarch"])
    assert "--tag" not in arguments
    assert sublist(arguments, ["--platform", "linux/amd64,linux/arm64"])
    assert sublist(arguments, ["--format", "docker"])
    assert arguments[-1] == "."
    assert manifest_push_arguments(MULTIARCH) == [
        "manifest",
        "push",
        "--all",
        "model:1.0-multiarch",
        "oci-archive:build/model.oci.tar:model:1.0-multiarch",
    ]


def test_a_podman_build_replaces_the_list_then_writes_the_archive(
    engine_calls: list[list[str]], tmp_path: Path
) -> None:
    build = replace(MULTIARCH, output=tmp_path / "out" / "model.oci.tar")
    build_multiarch("podman", build, fake_binfmt_misc(tmp_path, {"qemu-aarch64": QEMU_AARCH64}))
    assert [call[:3] for call in engine_calls] == [
        ["podman", "manifest", "exists"],
        ["podman", "build", "--manifest"],
        ["podman", "manifest", "push"],
    ]
    assert (tmp_path / "out").is_dir()


def test_a_docker_build_checks_for_buildx_then_builds(
    engine_calls: list[list[str]], tmp_path: Path
) -> None:
    build = replace(MULTIARCH, output=tmp_path / "model.oci.tar")
    build_multiarch("docker", build, fake_binfmt_misc(tmp_path, {"qemu-aarch64": QEMU_AARCH64}))
    assert [call[:3] for call in engine_calls] == [
        ["docker", "buildx", "version"],
        ["docker", "buildx", "build"],
    ]


def test_a_plain_image_is_not_taken_for_a_manifest_list(monkeypatch: pytest.MonkeyPatch) -> None:
    def run(command: list[str], **options: object) -> subprocess.CompletedProcess:
        return subprocess.CompletedProcess(
            command, 125, "", "Error: x: image is not a manifest list"
        )

    monkeypatch.setattr(multiarch.subprocess, "run", run)
    with pytest.raises(ContainerError, match="is a single-platform image, not a manifest list"):
        fresh_manifest_list("model:1.0-multiarch")


def test_the_next_steps_say_how_to_load_and_push_the_archive() -> None:
    docker = "\n".join(multiarch_next_steps("docker", MULTIARCH))
    assert "skopeo copy --all oci-archive:build/model.oci.tar docker://" in docker
    assert "docker load --input build/model.oci.tar" in docker
    podman = "\n".join(multiarch_next_steps("podman", MULTIARCH))
    assert "podman manifest push --all model:1.0-multiarch docker://" in podman


def test_platforms_are_read_from_a_comma_separated_list() -> None:
    assert parse_platforms("linux/amd64, linux/arm64,linux/arm/v7") == [
        "linux/amd64",
        "linux/arm64",
        "linux/arm/v7",
    ]


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("linux/amd64;linux/arm64", "'linux/amd64;linux/arm64'"),
        ("arm64", "'arm64'"),
        ("windows/amd64", "'windows/amd64'"),
        ("linux/sparc64", "'linux/sparc64'"),
        ("linux/amd64,,linux/arm64", "''"),
        ("linux/arm64/", "'linux/arm64/'"),
        ("", "''"),
    ],
)
def test_a_bad_platform_is_named(text: str, named: str) -> None:
    with pytest.raises(ContainerError, match=f"bad platform {re.escape(named)} in .*linux/ARCH"):
        parse_platforms(text)


def test_a_platform_given_twice_is_refused() -> None:
    with pytest.raises(ContainerError, match="linux/arm64 given twice"):
        parse_platforms("linux/arm64,linux/amd64,linux/arm64")


def test_the_command_line_reports_a_bad_platform(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(multiarch, "find_engine", lambda preferred: "podman")
    arguments = ["--image", "x", "--output", "x.tar", "--platforms", "linux/x"]
    assert multiarch.main(arguments) == 1
    assert "error: bad platform 'linux/x'" in capsys.readouterr().err
