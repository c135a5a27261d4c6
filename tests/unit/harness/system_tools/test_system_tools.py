"""The system tools: found on PATH, or missing with a sentence that says how to install them."""

import shutil

import pytest

import system_tools
from system_tools import TOOLS, MissingToolError, Skipped, inventory, missing, require


def without(monkeypatch: pytest.MonkeyPatch, *commands: str) -> None:
    found = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name in commands else found(name))


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


def test_every_tool_has_a_package_and_a_use() -> None:
    for command, tool in TOOLS.items():
        assert tool.command == command
        assert tool.package
        assert tool.without


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
