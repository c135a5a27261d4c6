"""The system tools: found on PATH, or missing with a sentence that says how to install them."""

import shutil
import sys
from pathlib import Path

import pytest

import system_tools
from system_tools import TOOLS, MissingToolError, Skipped, inventory, located, missing, require


def without(monkeypatch: pytest.MonkeyPatch, *commands: str) -> None:
    found = shutil.which
    monkeypatch.setattr(
        shutil, "which", lambda name, **kw: None if name in commands else found(name, **kw)
    )


def test_a_tool_on_path_is_not_missing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: f"/usr/bin/{name}")
    assert missing("podman") is None
    assert require("podman") == "/usr/bin/podman"


def test_a_missing_tool_names_its_debian_package_and_other_ways(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    without(monkeypatch, "promtool")
    assert missing("promtool") == (
        "promtool is not installed: install the Debian package `prometheus` (apt-get install "
        "prometheus), or a release from https://prometheus.io/download/ (macOS: brew install "
        "prometheus)"
    )
    with pytest.raises(MissingToolError, match="apt-get install prometheus"):
        require("promtool")


def test_every_tool_says_how_to_get_it_and_what_it_is_for() -> None:
    for command, tool in TOOLS.items():
        assert tool.command == command
        assert tool.package or tool.elsewhere
        assert tool.install_hint()
        assert tool.without


def test_a_tool_debian_lacks_says_where_to_get_it(monkeypatch: pytest.MonkeyPatch) -> None:
    without(monkeypatch, "minikube")
    assert missing("minikube") == (
        "minikube is not installed: see https://minikube.sigs.k8s.io/docs/start/"
    )


def test_a_wheels_tool_is_found_beside_the_venvs_python(monkeypatch: pytest.MonkeyPatch) -> None:
    venv_bin = str(Path(sys.executable).parent)
    monkeypatch.setattr(
        shutil, "which", lambda name, path=None: f"{path}/{name}" if path == venv_bin else None
    )
    assert require("kubectl") == f"{venv_bin}/kubectl"
    assert missing("kubectl") is None
    assert missing("podman") == (
        "podman is not installed: install the Debian package `podman` (apt-get install podman)"
    )


def test_a_command_of_no_tool_is_looked_for_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        shutil, "which", lambda name: "/usr/bin/nerdctl" if name == "nerdctl" else None
    )
    assert located("nerdctl") == "/usr/bin/nerdctl"
    assert located("crun") is None


def test_the_inventory_says_what_a_missing_tool_skips(monkeypatch: pytest.MonkeyPatch) -> None:
    two = {name: TOOLS[name] for name in ("podman", "prometheus")}
    monkeypatch.setattr(system_tools, "TOOLS", two)
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "prometheus" else name)
    assert inventory().splitlines() == [
        "  podman: found",
        "  prometheus: missing: step 6 skips the SLIs and the alerts, and still reads the logs "
        "for drift. Prometheus is not installed: install the Debian package `prometheus` "
        "(apt-get install prometheus), or a release from https://prometheus.io/download/ "
        "(macOS: brew install prometheus)",
    ]


def test_a_skipped_result_says_what_and_why_in_text_and_markdown() -> None:
    skipped = Skipped("the SLI chart", "prometheus is not installed")
    assert str(skipped) == "Skipped: the SLI chart, since prometheus is not installed."
    assert (
        skipped._repr_markdown_() == "*Skipped: the SLI chart, since prometheus is not installed.*"
    )
