import inspect
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from uvicorn.supervisors import Multiprocess

from common.paths import CONFIGURATION_DIR
from common.yaml_files import ConfigurationError
from model_service import __main__ as entry
from model_service.__main__ import (
    PortUnavailableError,
    ServerSettings,
    listening_socket,
    listening_sockets,
    main,
    settings_from_environment,
)
from model_service.configuration import CONFIG_ENV_VAR, load_configuration
from model_service.metrics import MULTIPROCESS_DIR_ENV_VAR

SERVER_VARIABLES = ("HOST", "PORT", "WORKERS", "REUSE_PORT")
KUBERNETES_CONFIG = CONFIGURATION_DIR / "kubernetes.yaml"  # the one that sets metrics_port


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


def test_main_listens_on_the_configuration_s_metrics_port_too(
    environment: pytest.MonkeyPatch,
) -> None:
    served: list[ServerSettings] = []
    environment.setattr(entry, "serve", served.append)
    environment.setenv(CONFIG_ENV_VAR, str(KUBERNETES_CONFIG))
    metrics_port = load_configuration(KUBERNETES_CONFIG).metrics_port
    assert metrics_port is not None
    assert main() == 0
    assert served == [ServerSettings(metrics_port=metrics_port)]
    assert served[0].ports == [ServerSettings.port, metrics_port]


def test_a_port_that_is_the_metrics_port_is_a_usage_error(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    metrics_port = load_configuration(KUBERNETES_CONFIG).metrics_port
    environment.setenv(CONFIG_ENV_VAR, str(KUBERNETES_CONFIG))
    environment.setenv("PORT", str(metrics_port))
    environment.setattr(entry, "serve", lambda settings: pytest.fail("served"))
    assert main() == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: PORT={metrics_port} is the configuration's metrics_port")
    assert "choose another PORT" in error


def test_without_a_metrics_port_the_api_s_port_is_the_only_one(
    environment: pytest.MonkeyPatch,
) -> None:
    environment.setenv("PORT", "9100")
    assert settings_from_environment().ports == [9100]


def test_a_port_that_cannot_be_bound_stops_main(
    environment: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def serve(settings: ServerSettings) -> None:
        raise PortUnavailableError("cannot listen on 0.0.0.0:9100: Address already in use")

    environment.setattr(entry, "serve", serve)
    assert main() == 1
    assert capsys.readouterr().err == (
        "error: cannot listen on 0.0.0.0:9100: Address already in use\n"
    )


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


@pytest.fixture
def two_free_ports() -> tuple[int, int]:
    """Two different ports nothing listens on."""
    with socket.socket() as first, socket.socket() as second:
        first.bind(("127.0.0.1", 0))
        second.bind(("127.0.0.1", 0))
        return first.getsockname()[1], second.getsockname()[1]


def reuses_port(listening: socket.socket) -> bool:
    return listening.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1


def test_shared_sockets_listen_on_one_port_together(
    free_port: int, opened: list[socket.socket]
) -> None:
    for _ in range(2):
        opened.append(listening_socket("127.0.0.1", free_port, reuse_port=True))
        opened[-1].listen()
    assert [item.getsockname() for item in opened] == [("127.0.0.1", free_port)] * 2
    assert all(item.get_inheritable() for item in opened)  # the workers inherit it
    plain = socket.socket()
    opened.append(plain)
    with pytest.raises(OSError, match="Address already in use"):
        plain.bind(("127.0.0.1", free_port))


def test_a_socket_without_reuse_port_is_its_port_s_alone(
    free_port: int, opened: list[socket.socket]
) -> None:
    opened.append(listening_socket("127.0.0.1", free_port, reuse_port=False))
    opened[-1].listen()
    assert not reuses_port(opened[-1])
    with pytest.raises(PortUnavailableError, match=f"^cannot listen on 127.0.0.1:{free_port}: "):
        listening_socket("127.0.0.1", free_port, reuse_port=True)


def test_when_the_metrics_port_is_taken_no_socket_is_left_open(
    two_free_ports: tuple[int, int], opened: list[socket.socket]
) -> None:
    api_port, metrics_port = two_free_ports
    opened.append(listening_socket("127.0.0.1", metrics_port, reuse_port=False))
    opened[-1].listen()
    settings = ServerSettings("127.0.0.1", api_port, metrics_port=metrics_port)
    with pytest.raises(PortUnavailableError, match=f"^cannot listen on 127.0.0.1:{metrics_port}"):
        listening_sockets(settings)
    opened.append(socket.socket())
    opened[-1].bind(("127.0.0.1", api_port))  # the API's socket was closed: its port is free


def test_without_reuse_port_or_metrics_port_uvicorn_binds_the_port_itself(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ran: list[dict[str, Any]] = []
    monkeypatch.setattr(entry.uvicorn, "run", lambda **arguments: ran.append(arguments))
    entry.serve(ServerSettings(port=18080))
    assert [(item["port"], item["workers"]) for item in ran] == [(18080, 1)]


@pytest.fixture
def served_sockets(monkeypatch: pytest.MonkeyPatch, opened: list[socket.socket]) -> list:
    """The sockets one uvicorn server is run on (it is not run); they are closed after the test."""

    def run(self: uvicorn.Server, sockets: list[socket.socket]) -> None:
        opened.extend(sockets)
        self.started = True

    monkeypatch.setattr(entry.uvicorn.Server, "run", run)
    return opened


def test_with_reuse_port_the_server_listens_on_a_shared_socket(
    free_port: int, served_sockets: list[socket.socket]
) -> None:
    entry.serve(ServerSettings(host="127.0.0.1", port=free_port, reuse_port=True))
    [listening] = served_sockets
    assert listening.getsockname() == ("127.0.0.1", free_port)
    assert reuses_port(listening)


@pytest.mark.parametrize("reuse_port", [False, True])
def test_with_a_metrics_port_the_server_listens_on_both_ports(
    two_free_ports: tuple[int, int], served_sockets: list[socket.socket], reuse_port: bool
) -> None:
    api_port, metrics_port = two_free_ports
    settings = ServerSettings(
        "127.0.0.1", api_port, reuse_port=reuse_port, metrics_port=metrics_port
    )
    entry.serve(settings)
    assert [item.getsockname() for item in served_sockets] == [
        ("127.0.0.1", api_port), ("127.0.0.1", metrics_port),
    ]  # fmt: skip
    assert [reuses_port(item) for item in served_sockets] == [reuse_port, reuse_port]


def test_a_server_that_did_not_start_exits_as_uvicorn_does(
    free_port: int, monkeypatch: pytest.MonkeyPatch, opened: list[socket.socket]
) -> None:
    monkeypatch.setattr(entry.uvicorn.Server, "run", lambda self, sockets: opened.extend(sockets))
    with pytest.raises(SystemExit) as exited:
        entry.serve(ServerSettings(host="127.0.0.1", port=free_port, reuse_port=True))
    assert exited.value.code == entry.STARTUP_FAILURE


def test_with_several_workers_they_share_every_socket(
    two_free_ports: tuple[int, int], monkeypatch: pytest.MonkeyPatch, opened: list[socket.socket]
) -> None:
    class Supervisor:
        def __init__(self, config: uvicorn.Config, sockets: list) -> None:
            assert config.workers == 3
            opened.extend(sockets)

        def run(self) -> None:
            pass

    monkeypatch.setattr(entry, "Multiprocess", Supervisor)
    api_port, metrics_port = two_free_ports
    entry.serve(
        ServerSettings("127.0.0.1", api_port, 3, reuse_port=True, metrics_port=metrics_port)
    )
    assert [item.getsockname()[1] for item in opened] == [api_port, metrics_port]
    assert all(reuses_port(item) for item in opened)


def test_the_supervisor_takes_what_serve_gives_it() -> None:
    """uvicorn's Multiprocess is built with the config and the sockets alone."""
    assert list(inspect.signature(Multiprocess).parameters) == ["config", "sockets"]
