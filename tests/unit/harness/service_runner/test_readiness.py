"""Readiness polling against a real local server: ready, never ready, and stopped first."""

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from model_service.routes import READY_PATH
from service_runner.readiness import NotReadyError, free_port, is_ready, wait_until_ready


def probe_handler(status: int) -> type[BaseHTTPRequestHandler]:
    class Probe(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # the name is http.server's
            self.send_response(status if self.path == READY_PATH else 404)
            self.end_headers()

        def log_message(self, *arguments: object) -> None:
            pass

    return Probe


@pytest.fixture
def serve() -> Iterator[Callable[[int], str]]:
    """Start a server whose readiness probe answers with a given status; yield its URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(status: int) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), probe_handler(status))
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_ready_only_on_a_200(serve: Callable[[int], str]) -> None:
    assert is_ready(serve(200))
    assert not is_ready(serve(503))


def test_nothing_listening_is_not_ready() -> None:
    assert not is_ready(f"http://127.0.0.1:{free_port()}")


def test_a_ready_service_is_not_waited_for(serve: Callable[[int], str]) -> None:
    assert wait_until_ready(serve(200), timeout=5) < 5


def test_a_service_that_stays_loading_times_out(serve: Callable[[int], str]) -> None:
    with pytest.raises(NotReadyError, match=r"was not ready after 0\.3 s"):
        wait_until_ready(serve(503), timeout=0.3)


def test_a_service_that_stopped_is_not_waited_for() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(NotReadyError, match="exited before it was ready"):
        wait_until_ready(url, timeout=30, still_running=lambda: False)
