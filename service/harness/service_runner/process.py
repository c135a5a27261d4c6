"""Run the service in a child process: for notebooks, tests and load tests.

with ServiceProcess("configuration/local.yaml", port=8000, log_path=Path("service.log")) as service:
    httpx.post(service.url + prediction_route(model.qualified_name), json=...)
"""

import os
import signal
import subprocess
import sys
from functools import cached_property
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from model_service.configuration import load_configuration
from service_runner.logs import json_records
from service_runner.readiness import NotReadyError, free_port, wait_until_ready


class ServiceError(RuntimeError):
    """The service did not start, or did not stop, as expected; the message ends with its log."""


class ServiceProcess:
    """``python -m model_service`` in a child process, its output in a log file."""

    def __init__(
        self,
        config_path: str | Path,
        log_path: str | Path,
        port: int | None = None,
        workers: int = 1,
        host: str = "127.0.0.1",
        environment: dict[str, str] | None = None,
    ) -> None:
        self.config_path, self.log_path = Path(config_path), Path(log_path)
        self.host, self.port, self.workers = host, port or free_port(), workers
        self.environment = environment or {}
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @cached_property
    def metrics_url(self) -> str:
        """Where /metrics answers: on the configuration's metrics_port, or else on ``url``."""
        metrics_port = load_configuration(self.config_path).metrics_port
        return self.url if metrics_port is None else f"http://{self.host}:{metrics_port}"

    def start(self) -> Self:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        settings = {
            "SERVICE_CONFIG": str(self.config_path),
            "HOST": self.host,
            "PORT": str(self.port),
            "WORKERS": str(self.workers),
        }
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                env=os.environ | settings | self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def command(self) -> list[str]:
        """The command line; it reads its settings from the environment."""
        return [sys.executable, "-m", "model_service"]

    def wait_until_ready(self, timeout: float = 60) -> float:
        """Poll the readiness probe; return the seconds it took. ServiceError if it never does."""
        try:
            return wait_until_ready(self.url, timeout, self.running)
        except NotReadyError as error:
            raise ServiceError(f"{error}.\n{self.log_tail()}") from None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, then wait for a graceful exit; return the exit code.

        After a graceful shutdown uvicorn re-raises SIGTERM: the code is then -15 (143 in a shell).
        """
        if self.process is None:
            return 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise ServiceError(
                f"the service ignored SIGTERM for {timeout} s and was killed.\n{self.log_tail()}"
            ) from None

    def log_lines(self) -> list[str]:
        return self.log_path.read_text().splitlines() if self.log_path.exists() else []

    def log_records(self) -> list[dict[str, Any]]:
        """The JSON records in the log."""
        return json_records("\n".join(self.log_lines()))

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self.log_lines()[-lines:])

    def __enter__(self) -> Self:
        self.start()
        try:
            self.wait_until_ready()
        except ServiceError:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
