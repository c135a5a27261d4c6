"""``python -m system_tools``: the inventory, or a check that fails naming what to install."""

import shutil

import pytest

from system_tools.__main__ import main


def test_without_tools_named_it_prints_the_inventory(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out.startswith("system tools:\n  podman: ")


def test_a_tool_present_passes_and_a_missing_one_fails_saying_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name, **_: None if name == "minikube" else name)
    assert main(["podman"]) == 0
    assert main(["podman", "minikube"]) == 1
    assert capsys.readouterr().err == (
        "error: minikube is not installed: see https://minikube.sigs.k8s.io/docs/start/\n"
    )


def test_an_unknown_tool_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["nerdctl"]) == 2
    assert "error: unknown tool nerdctl; known: podman, " in capsys.readouterr().err
