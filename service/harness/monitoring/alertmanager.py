"""A local Alertmanager for notebook 06's drill, and ``amtool``'s check of its configuration.

    with LocalAlertmanager(config, workdir) as alertmanager:
        ...  # Prometheus's ``alerting`` names alertmanager.address

It runs Debian's ``prometheus-alertmanager`` on a free port of 127.0.0.1, alone (no cluster of
Alertmanagers), its state in ``workdir``.
"""

import subprocess
from pathlib import Path
from typing import Self

from common.paths import PROJECT_ROOT
from monitoring import child_process
from monitoring.alertmanager_config import ALERTMANAGER_FILE, AlertmanagerConfig
from monitoring.rule_files import to_yaml
from service_runner.readiness import free_port
from system_tools import MissingToolError, Skipped, missing, require

ALERTMANAGER = "prometheus-alertmanager"


class AlertmanagerError(RuntimeError):
    """Alertmanager or amtool is missing, refused the configuration, or did not start."""


def checked_config(path: Path = ALERTMANAGER_FILE) -> str | Skipped:
    """``amtool check-config``'s report on ``path``; Skipped when amtool is missing;
    AlertmanagerError with amtool's own words when the check fails."""
    problem = missing("amtool")
    if problem:
        return Skipped(f"amtool's check of {path.name}", problem)
    shown = path.relative_to(PROJECT_ROOT) if path.is_relative_to(PROJECT_ROOT) else path
    done = subprocess.run(
        [require("amtool"), "check-config", str(shown)],
        capture_output=True, text=True, timeout=60, check=False, cwd=PROJECT_ROOT,
    )  # fmt: skip
    output = (done.stdout + done.stderr).strip()
    if done.returncode != 0:
        raise AlertmanagerError(f"amtool check-config {shown} failed:\n{output}")
    return output


class LocalAlertmanager(child_process.ChildServer):
    """``prometheus-alertmanager`` in a child process, with ``config`` written into ``workdir``."""

    log_name = "alertmanager.log"
    error = AlertmanagerError

    def __init__(self, config: AlertmanagerConfig, workdir: Path) -> None:
        self.config, self.workdir = config, Path(workdir)
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def command(self, config_path: Path) -> list[str]:
        try:
            binary = require(ALERTMANAGER)
        except MissingToolError as error:
            raise AlertmanagerError(str(error)) from None
        return [
            binary, f"--config.file={config_path}", f"--storage.path={self.workdir / 'data'}",
            f"--web.listen-address={self.address}", "--cluster.listen-address=",
            "--log.level=warn",
        ]  # fmt: skip

    def start(self) -> Self:
        self.workdir.mkdir(parents=True, exist_ok=True)
        config_path = self.workdir / "alertmanager.yml"
        config_path.write_text(to_yaml(self.config, "Written for a local run"))
        command = self.command(config_path)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        self.wait_until_ready()
        return self
