"""promtool, Prometheus's checker: Debian's `prometheus` package has it; tests skip without it."""

import subprocess
from pathlib import Path

import pytest

from system_tools import missing, require

PACKAGE = "prometheus"  # Debian's: it gives prometheus and promtool
INSTALL = (
    f"promtool is not installed: install the Debian package `{PACKAGE}` (apt-get install {PACKAGE})"
)


def promtool(*arguments: str | Path) -> subprocess.CompletedProcess[str]:
    """``promtool ARGUMENTS``, its output as text; the test skips where promtool is missing."""
    problem = missing("promtool")
    if problem:
        pytest.skip(problem)
    found = require("promtool")
    return subprocess.run(
        [found, *map(str, arguments)], capture_output=True, text=True, timeout=60, check=False
    )
