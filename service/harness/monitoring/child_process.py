"""What the local Prometheus and Alertmanager share: a server in a child process, polled until
its ``/-/ready`` answers."""

import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import ClassVar, Self

import httpx

READY_TIMEOUT_S = 30


def wait_until_ready(
    process: subprocess.Popen, url: str, timeout: float, log: Path, error: type[Exception]
) -> None:
    """Poll ``url``/-/ready; ``error`` with the log's tail when the process exits or the time is
    up (the process is then stopped)."""
    name = Path(process.args[0]).name
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise error(f"{name} exited at start:\n{log_tail(log)}")
        try:
            if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    stop(process)
    raise error(f"{name} was not ready after {timeout} s:\n{log_tail(log)}")


def log_tail(log: Path, lines: int = 20) -> str:
    return "\n".join(log.read_text().splitlines()[-lines:]) if log.exists() else ""


def stop(process: subprocess.Popen | None) -> None:
    """SIGTERM, and wait for it to exit."""
    if process is not None and process.poll() is None:
        process.terminate()
        process.wait(timeout=30)


class ChildServer:
    """A server in a child process: started by ``start`` (the subclass's), ready when its
    ``/-/ready`` answers, stopped on leaving a ``with`` block. Subclasses set ``process``,
    ``workdir``, ``url``, the log's name and the error they raise."""

    log_name: ClassVar[str]
    error: ClassVar[type[Exception]]
    process: subprocess.Popen | None
    workdir: Path
    url: str

    def start(self) -> Self:
        raise NotImplementedError

    @property
    def log_path(self) -> Path:
        return self.workdir / self.log_name

    def wait_until_ready(self, timeout: float = READY_TIMEOUT_S) -> None:
        """Poll ``/-/ready``; ``error`` with the log when it exits or takes too long."""
        wait_until_ready(self.process, self.url, timeout, self.log_path, self.error)

    def log_tail(self, lines: int = 20) -> str:
        return log_tail(self.log_path, lines)

    def stop(self) -> None:
        stop(self.process)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType
    ) -> None:
        self.stop()
