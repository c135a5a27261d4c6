"""The service as a child process of the notebook, as ``make serve`` runs it."""

import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.paths import CONFIGURATION_DIR
from deployment_targets.target import (
    DeploymentTarget,
    Result,
    predictions_in,
    settled_predictions,
)
from kubernetes_deployment.pod_resources import PodLoad
from service_runner.process import ServiceProcess
from service_runner.readiness import free_port

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class LocalProcess(DeploymentTarget):
    """``python -m model_service`` with a configuration file, its log in a file."""

    name = "local"
    where = "a local process"
    config: Path = CONFIGURATION_DIR / "local.yaml"
    workers: int = 2
    port: int = 0  # 0: a free port
    log_path: Path | None = None  # None: a new temporary file
    environment: dict[str, str] = field(default_factory=dict)  # more of the service's settings
    passed_over: dict[str, str] = field(default_factory=dict)
    service: ServiceProcess | None = None

    def deploy(self) -> str:
        log = self.log_path or Path(tempfile.mkdtemp(prefix="local-service-")) / "service.log"
        self.service = ServiceProcess(
            self.config, log, self.port or free_port(), self.workers, environment=self.environment
        )
        self.service.start()
        seconds = self.service.wait_until_ready()
        return (
            f"started `python -m model_service` ({self.workers} workers, {Path(self.config).name}"
            f") on {self.service.url}, ready in {seconds:.1f} s; its log: {log}"
        )

    def url(self) -> str:
        return self.running().url

    def records(self) -> list[dict[str, Any]]:
        return self.running().log_records()

    def describe(self) -> str:
        pids = process_tree(self.running().process.pid)
        return subprocess.run(
            ["ps", "-o", "pid,ppid,user,rss,args", "-p", ",".join(map(str, pids))],
            capture_output=True, text=True, check=False,
        ).stdout  # fmt: skip

    def under_load(self, run: Callable[[], Result]) -> tuple[Result, list[PodLoad]]:
        root = self.running().process.pid
        cpu_before, logged_before = tree_cpu_seconds(root), predictions_in(self.records())
        started = time.monotonic()
        result = run()
        seconds = time.monotonic() - started
        load = PodLoad(
            pod=f"local process ({self.workers} workers)",
            predictions=settled_predictions(self.records) - logged_before,
            seconds=seconds,
            cpu_seconds=tree_cpu_seconds(root) - cpu_before,
            peak_memory_bytes=tree_peak_memory_bytes(root),
        )
        return result, [load]

    def teardown(self) -> str:
        code = self.running().stop()
        return f"the local service stopped (exit code {code})"

    def running(self) -> ServiceProcess:
        if self.service is None:
            raise RuntimeError("the local service is not deployed: call deploy() first")
        return self.service


def process_tree(root: int) -> list[int]:
    """``root`` and its descendants, read from /proc."""
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        for task in Path(f"/proc/{pid}/task").glob("*/children"):
            pending += [int(child) for child in task.read_text().split()]
    return found


def tree_cpu_seconds(root: int) -> float:
    """CPU time (user and system) of ``root`` and its live descendants, in seconds."""
    total = 0
    for pid in process_tree(root):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def tree_peak_memory_bytes(root: int) -> int:
    """The sum of each process's peak resident memory (VmHWM)."""
    total = 0
    for pid in process_tree(root):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) * 1024
    return total
