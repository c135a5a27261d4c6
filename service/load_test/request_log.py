"""Every request a Locust run sent: its id and what came back, to pair with the service's log.

The locustfile writes it with ``--request-log PATH``; each request then carries a fresh
``X-Request-ID``, which the service uses as the prediction id in its log records.
"""

import csv
import uuid
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("request_id", "status", "error")


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
    """The requests a run wrote with ``--request-log``; ValueError if the file is not one."""
    with open(path, newline="") as stream:
        reader = csv.DictReader(stream)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path} is not a request log: its columns are {reader.fieldnames}")
        return [SentRequest(row["request_id"], int(row["status"]), row["error"]) for row in reader]
