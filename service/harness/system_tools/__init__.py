"""The programs outside Python that the steps use, and what to do when one is missing.

Every step runs on a machine with only Python and make; a step that needs one of these tools
says which one it lacks and how to install it, skips what needs it, and the post says so.

    problem = missing("prometheus")  # None when it is on PATH
"""

import shutil
from dataclasses import dataclass


@dataclass(frozen=True)
class SystemTool:
    """A command the harness runs, the Debian package that provides it, and what it is for."""

    command: str
    package: str
    without: str  # what happens on a machine that lacks it
    elsewhere: str = ""  # how to get it without apt-get, when the package manager has no such name

    def install_hint(self) -> str:
        hint = f"install the Debian package `{self.package}` (apt-get install {self.package})"
        return f"{hint}, or {self.elsewhere}" if self.elsewhere else hint


PROMETHEUS_ELSEWHERE = (
    "a release from https://prometheus.io/download/ (macOS: brew install prometheus)"
)
TOOLS = {
    tool.command: tool
    for tool in (
        SystemTool(
            "podman",
            "podman",
            "steps 4 and 5 skip the pods, and step 3 the image unless Docker runs here",
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


def missing(command: str) -> str | None:
    """None when ``command`` is on PATH; else a sentence naming it and how to install it."""
    if shutil.which(command):
        return None
    tool = TOOLS[command]
    return f"{command} is not installed: {tool.install_hint()}"


def require(command: str) -> str:
    """The path of ``command``; MissingToolError naming how to install it when it is not on PATH."""
    problem = missing(command)
    if problem:
        raise MissingToolError(problem)
    return shutil.which(command)


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
