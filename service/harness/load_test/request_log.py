"""Every request a Locust run sent: its id and what came back, to pair with the service's log.

The locustfile writes it with ``--request-log PATH``; each request then carries a fresh
``X-Request-ID``, which the service uses as the prediction id in its log records. With several
Locust processes each worker writes the requests it sent to a file of its own beside ``PATH``
(``requests.worker-PID.csv`` for ``requests.csv``), and ``read_request_log(PATH)`` reads them all.
"""

import csv
import os
import uuid
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("request_id", "status", "error")
WORKER_INFIX = ".worker-"


def worker_log_path(path: Path, pid: int | None = None) -> Path:
    """The file a worker process writes its share of ``path`` to."""
    return path.with_name(f"{path.stem}{WORKER_INFIX}{pid or os.getpid()}{path.suffix}")


def log_files(path: Path) -> list[Path]:
    """``path`` if a single process wrote it, and every worker's share of it."""
    shares = sorted(path.parent.glob(f"{path.stem}{WORKER_INFIX}*{path.suffix}"))
    return [path, *shares] if path.exists() else shares


def remove_request_logs(path: Path) -> None:
    """Remove what an earlier run wrote, so that no stale share is read with a new run's."""
    for stale in log_files(path):
        stale.unlink()


@dataclass(frozen=True)
class SentRequest:
    request_id: str
    status: int  # 0: no HTTP answer
    error: str  # the exception's type when there was no answer, e.g. ConnectionRefusedError

    @property
    def succeeded(self) -> bool:
        return self.status == 200


class RequestLog:
    """Collects what was sent in memory; written once, when Locust quits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.rows: list[tuple[str, int, str]] = []

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def add(self, request_id: str, status: int, error: BaseException | None) -> None:
        self.rows.append((request_id, status, type(error).__name__ if error else ""))

    def write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "w", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(COLUMNS)
            writer.writerows(self.rows)


def read_request_log(path: Path) -> list[SentRequest]:
    """The requests a run wrote with ``--request-log``, its workers' shares merged.

    FileNotFoundError when no process wrote any; ValueError when a file is not a request log.
    """
    files = log_files(path)
    if not files:
        raise FileNotFoundError(f"no request log at {path}, nor any worker's share of it")
    return [request for file in files for request in read_one_log(file)]


def read_one_log(path: Path) -> list[SentRequest]:
    with open(path, newline="") as stream:
        reader = csv.DictReader(stream)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path} is not a request log: its columns are {reader.fieldnames}")
        return [SentRequest(row["request_id"], int(row["status"]), row["error"]) for row in reader]
