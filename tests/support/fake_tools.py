"""Fake command-line tools (kubectl, minikube, curl): shell scripts put first on PATH."""

import os
from pathlib import Path

import pytest


def fake_tool(directory: Path, name: str, script: str) -> Path:
    """An executable ``name`` in ``directory`` that runs the shell ``script``."""
    directory.mkdir(exist_ok=True)
    tool = directory / name
    tool.write_text(f"#!/bin/sh\n{script}\n")
    tool.chmod(0o755)
    return tool


def first_on_path(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    """Put ``directory`` in front of PATH, so its fakes win over the real tools."""
    monkeypatch.setenv("PATH", f"{directory}:{os.environ['PATH']}")
