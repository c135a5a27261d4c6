"""Saving the image for minikube: under the name the pod asks for, without an engine."""

from pathlib import Path

import pytest

from service_runner import container
from service_runner.container import ContainerError, save_image

LOCAL = "localhost/insurance-charges-model:0.1.0"
POD_ASKS_FOR = "docker.io/library/insurance-charges-model:0.1.0"


@pytest.fixture
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, ...]]:
    """Every engine command, recorded instead of run; the image exists."""
    calls: list[tuple[str, ...]] = []

    def record(engine: str, *arguments: str, timeout: float = 0) -> str:
        calls.append((engine, *arguments))
        return ""

    monkeypatch.setattr(container, "engine_command", record)
    monkeypatch.setattr(container, "image_exists", lambda engine, image: image == LOCAL)
    return calls


def test_save_tags_the_image_with_the_name_the_pod_asks_for_then_saves_that_name(
    engine_calls: list[tuple[str, ...]], tmp_path: Path
) -> None:
    archive = tmp_path / "build" / "image.tar"
    assert save_image("podman", LOCAL, archive, saved_as=POD_ASKS_FOR) == POD_ASKS_FOR
    assert engine_calls == [
        ("podman", "tag", LOCAL, POD_ASKS_FOR),
        ("podman", "save", "--output", str(archive), POD_ASKS_FOR),
    ]
    assert archive.parent.is_dir()


def test_save_without_a_name_saves_the_image_as_it_is(
    engine_calls: list[tuple[str, ...]], tmp_path: Path
) -> None:
    assert save_image("docker", LOCAL, tmp_path / "image.tar") == LOCAL
    assert engine_calls == [("docker", "save", "--output", str(tmp_path / "image.tar"), LOCAL)]


def test_saving_an_image_that_was_never_built_says_to_build_it(
    engine_calls: list[tuple[str, ...]], tmp_path: Path
) -> None:
    with pytest.raises(ContainerError, match=r"podman has no image other:1: build it first"):
        save_image("podman", "other:1", tmp_path / "image.tar", saved_as=POD_ASKS_FOR)
    assert engine_calls == []


def test_the_command_line_saves_under_the_name_given_with_as(
    engine_calls: list[tuple[str, ...]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(container, "find_engine", lambda preferred: preferred or "podman")
    archive = tmp_path / "image.tar"
    arguments = ["save", "--image", LOCAL, "--as", POD_ASKS_FOR, "--output", str(archive)]
    assert container.main(arguments) == 0
    assert engine_calls[0] == ("podman", "tag", LOCAL, POD_ASKS_FOR)
    assert capsys.readouterr().out == f"saved {LOCAL} as {POD_ASKS_FOR} to {archive}\n"


def test_the_command_line_reports_a_failed_tag(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(engine: str, *arguments: str, timeout: float = 0) -> str:
        raise ContainerError(f"`{engine} {' '.join(arguments)}` failed: invalid reference format")

    monkeypatch.setattr(container, "find_engine", lambda preferred: "podman")
    monkeypatch.setattr(container, "image_exists", lambda engine, image: True)
    monkeypatch.setattr(container, "engine_command", refuse)
    arguments = ["save", "--image", LOCAL, "--as", "Bad Name", "--output", str(tmp_path / "i.tar")]
    assert container.main(arguments) == 1
    assert "failed: invalid reference format" in capsys.readouterr().err
