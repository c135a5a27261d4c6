import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from common.paths import CONFIGURATION_DIR
from common.yaml_files import ConfigurationError
from model_service import __main__ as entry
from model_service.__main__ import (
    ServerSettings,
    main,
    settings_from_environment,
    shared_socket,
)
from model_service.configuration import CONFIG_ENV_VAR
from model_service.metrics import MULTIPROCESS_DIR_ENV_VAR

SERVER_VARIABLES = ("HOST", "PORT", "WORKERS", "REUSE_PORT")


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No server variable set, the local configuration chosen; set what a test needs."""
    for name in SERVER_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(CONFIG_ENV_VAR, str(CONFIGURATION_DIR / "local.yaml"))
    return monkeypatch


def test_without_a_configuration_it_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(CONFIG_ENV_VAR, raising=False)
    assert main() == 2
    assert f"error: set {CONFIG_ENV_VAR}" in capsys.readouterr().err


def test_unset_variables_give_the_defaults(environment: pytest.MonkeyPatch) -> None:
    assert settings_from_environment() == ServerSettings("0.0.0.0", 8000, 1, False)


def test_the_variables_choose_the_settings(environment: pytest.MonkeyPatch) -> None:
    for name, value in {"HOST": "127.0.0.1", "PORT": "18080", "WORKERS": "2"}.items():
        environment.setenv(name, value)
    environment.setenv("REUSE_PORT", " True ")
    assert settings_from_environment() == ServerSettings("127.0.0.1", 18080, 2, True)


@pytest.mark.parametrize(
    ("text", "reuse"),
    [("1", True), ("yes", True), ("TRUE", True), ("", False), ("0", False), ("No", False)],
)
def test_reuse_port_reads_true_and_false_words(
    environment: pytest.MonkeyPatch, text: str, reuse: bool
) -> None:
    environment.setenv("REUSE_PORT", text)
    assert settings_from_environment().reuse_port is reuse


def test_port_zero_is_a_port(environment: pytest.MonkeyPatch) -> None:
    environment.setenv("PORT", "0")
    assert settings_from_environment().port == 0


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("PORT", "abc"), ("PORT", "-1"), ("PORT", "80.5"), ("PORT", "65536"), ("WORKERS", "0"),
        ("WORKERS", "two"),
        ("REUSE_PORT", "maybe"), ("REUSE_PORT", "on"),
    ],
)  # fmt: skip
def test_a_bad_variable_is_named(environment: pytest.MonkeyPatch, name: str, text: str) -> None:
    environment.setenv(name, text)
    with pytest.raises(ConfigurationError, match=f"^{name}="):
        settings_from_environment()


def test_a_bad_port_stops_main_before_serving(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    environment.setenv("PORT", "abc")
    environment.setattr(entry, "serve", lambda settings: pytest.fail("served"))
    assert main() == 2
    assert capsys.readouterr().err.startswith("error: PORT='abc' is not a whole number")


def test_main_serves_with_the_settings_and_a_metrics_folder_for_workers(
    environment: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served: list[ServerSettings] = []
    environment.setattr(entry, "serve", served.append)
    environment.setattr(entry.tempfile, "mkdtemp", lambda prefix: str(tmp_path / prefix))
    # empty, not unset: monkeypatch then restores the variable's absence after main() sets it
    environment.setenv(MULTIPROCESS_DIR_ENV_VAR, "")
    environment.setenv("WORKERS", "2")
    assert main() == 0
    assert served == [ServerSettings(workers=2)]
    assert entry.os.environ[MULTIPROCESS_DIR_ENV_VAR] == str(tmp_path / "prometheus-")


@pytest.fixture
def free_port() -> int:
    """A port nothing listens on, from a probe socket bound and closed on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def opened() -> Iterator[list[socket.socket]]:
    """The sockets a test opens, closed after it."""
    sockets: list[socket.socket] = []
    yield sockets
    for item in sockets:
        item.close()


def test_shared_sockets_listen_on_one_port_together(
    free_port: int, opened: list[socket.socket]
) -> None:
    for _ in range(2):
        opened.append(shared_socket("127.0.0.1", free_port))
        opened[-1].listen()
    assert [item.getsockname() for item in opened] == [("127.0.0.1", free_port)] * 2
    assert all(item.get_inheritable() for item in opened)  # the workers inherit it
    plain = socket.socket()
    opened.append(plain)
    with pytest.raises(OSError, match="Address already in use"):
        plain.bind(("127.0.0.1", free_port))


def test_without_reuse_port_uvicorn_binds_the_port_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[dict[str, Any]] = []
    monkeypatch.setattr(entry.uvicorn, "run", lambda **arguments: ran.append(arguments))
    entry.serve(ServerSettings(port=18080))
    assert [(item["port"], item["workers"]) for item in ran] == [(18080, 1)]


def test_with_reuse_port_the_server_listens_on_a_shared_socket(
    free_port: int, monkeypatch: pytest.MonkeyPatch, opened: list[socket.socket]
) -> None:
    def run(self: uvicorn.Server, sockets: list[socket.socket]) -> None:
        opened.extend(sockets)

    monkeypatch.setattr(entry.uvicorn.Server, "run", run)
    entry.serve(ServerSettings(host="127.0.0.1", port=free_port, reuse_port=True))
    [listening] = opened
    assert listening.getsockname() == ("127.0.0.1", free_port)
    assert listening.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1


def test_with_reuse_port_the_workers_share_one_socket(
    free_port: int, monkeypatch: pytest.MonkeyPatch, opened: list[socket.socket]
) -> None:
    class Supervisor:
        def __init__(self, config: uvicorn.Config, target: Any, sockets: list) -> None:
            assert config.workers == 3
            opened.extend(sockets)

        def run(self) -> None:
            pass

    monkeypatch.setattr(entry, "Multiprocess", Supervisor)
    entry.serve(ServerSettings(host="127.0.0.1", port=free_port, workers=3, reuse_port=True))
    [listening] = opened
    assert listening.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
