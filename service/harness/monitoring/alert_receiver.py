"""A webhook receiver that records what Alertmanager sends it: for notebook 06 and the tests.

    with AlertRecorder() as recorder:
        ...  # Alertmanager's receivers POST to recorder.url + "/page", "/ticket"
        recorder.notifications  # each: when it came, to which path, and the alerts in it

It stands in for a pager: it answers every POST with 200 and keeps the notification, with the
time it arrived, so that a timeline can say when an alert reached someone.
"""

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


@dataclass(frozen=True)
class Notification:
    """One webhook call: its arrival (Unix time), its path, and its alerts as Alertmanager sent
    them (``status``, ``labels``, ``annotations``, ``startsAt``...)."""

    received_at: float
    path: str
    status: str
    alerts: list[dict[str, Any]]

    def names(self, status: str = "firing") -> set[str]:
        """The names of the alerts in it with ``status``."""
        return {a["labels"].get("alertname", "") for a in self.alerts if a["status"] == status}


def notification_of(path: str, body: bytes) -> Notification:
    """The notification a POST carries; ValueError when it is not Alertmanager's JSON."""
    payload = json.loads(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
        raise ValueError("not an Alertmanager notification: no list of alerts")
    return Notification(time.time(), path, str(payload.get("status", "")), payload["alerts"])


class AlertRecorder:
    """An HTTP server on a free port of 127.0.0.1, in a thread, keeping each notification."""

    def __init__(self) -> None:
        self.notifications: list[Notification] = []
        self.refused: list[str] = []  # why each POST that was no notification was refused
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self.handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def handler(self) -> type[BaseHTTPRequestHandler]:
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                recorder.keep(self.path, body)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *_: Any) -> None:  # quiet: the recorder is the record
                pass

        return Handler

    def keep(self, path: str, body: bytes) -> None:
        try:
            notification = notification_of(path, body)
        except ValueError as error:
            with self.lock:
                self.refused.append(f"{path}: {error}")
            return
        with self.lock:
            self.notifications.append(notification)

    def received(self) -> list[Notification]:
        with self.lock:
            return list(self.notifications)

    def first(self, alertname: str, status: str = "firing") -> Notification | None:
        """The first notification that carried ``alertname`` with ``status``."""
        return next((n for n in self.received() if alertname in n.names(status)), None)

    def wait_for(self, alertname: str, timeout: float) -> Notification | None:
        """The first notification firing ``alertname``, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while (found := self.first(alertname)) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        return found

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
