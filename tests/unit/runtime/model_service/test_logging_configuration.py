"""A service file's logging: inline, or the shared configuration/logging.yaml it names."""

import asyncio
import io
import json
import logging
import logging.config
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from pythonjsonlogger.orjson import OrjsonFormatter

from common.paths import CONFIGURATION_DIR
from common.yaml_files import load_yaml_file
from ml_model_logging.configuration import configure_logging
from ml_model_logging.decorator import LoggingDecorator
from model_contract.context import prediction_id_context
from model_contract.servable import served
from model_service.configuration import (
    ConfigurationError,
    LoggingConfiguration,
    ServiceConfiguration,
    load_configuration,
)
from support.stub_models import StubInput, StubModel

SERVICE = """
title: t
description: d
version: "1"
models:
  - class_path: support.stub_models.StubModel
"""
LOGGING = "use_queue: false\ndict_config: {version: 1, root: {level: INFO}}\n"
POD_VARIABLES = {"POD_NAME": "pod-7c9f", "NODE_NAME": "node-1", "APP_NAME": "insurance"}


def service_file(folder: Path, logging_line: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "service.yaml"
    path.write_text(SERVICE + logging_line + "\n")
    return path


def shared_logging() -> LoggingConfiguration:
    return load_yaml_file(CONFIGURATION_DIR / "logging.yaml", LoggingConfiguration, "logging")


@pytest.mark.parametrize("name", ["local.yaml", "kubernetes.yaml"])
def test_the_service_files_log_as_logging_yaml_says(name: str) -> None:
    assert load_configuration(CONFIGURATION_DIR / name).logging == shared_logging()


def test_logging_yaml_keeps_the_settings_the_service_files_had() -> None:
    logging_configuration = shared_logging()
    assert logging_configuration.use_queue is True
    assert logging_configuration.lean_records is True
    assert logging_configuration.dict_config.handlers["stdout"]["filters"] == [
        "environment",
        "no_colour",
    ]


def test_the_logging_file_is_read_from_the_service_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = service_file(tmp_path / "service", "logging: logs.yaml")
    (tmp_path / "service" / "logs.yaml").write_text(LOGGING)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "logs.yaml").write_text("use_queue: true\ndict_config: {version: 1}")
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert load_configuration(path).logging.use_queue is False


def test_an_absolute_logging_file_name_is_used_as_it_is(tmp_path: Path) -> None:
    logs = tmp_path / "shared" / "logs.yaml"
    logs.parent.mkdir()
    logs.write_text(LOGGING)
    path = service_file(tmp_path / "service", f"logging: {logs}")
    assert load_configuration(path).logging.use_queue is False


def test_inline_logging_still_works(tmp_path: Path) -> None:
    path = service_file(tmp_path, "logging:\n  use_queue: false\n  dict_config: {version: 1}")
    logging_configuration = load_configuration(path).logging
    assert logging_configuration.use_queue is False
    assert logging_configuration.dict_config.as_dict() == {
        "version": 1,
        "disable_existing_loggers": False,
    }


def test_a_logging_file_gives_dict_config_only_the_keys_it_sets(tmp_path: Path) -> None:
    (tmp_path / "logs.yaml").write_text(LOGGING)
    path = service_file(tmp_path, "logging: logs.yaml")
    assert load_configuration(path).logging.dict_config.as_dict() == {
        "version": 1,
        "disable_existing_loggers": False,
        "root": {"level": "INFO"},
    }


def test_a_missing_logging_file_is_named(tmp_path: Path) -> None:
    path = service_file(tmp_path, "logging: absent.yaml")
    with pytest.raises(ConfigurationError) as raised:
        load_configuration(path)
    message = str(raised.value)
    assert f"cannot read the logging configuration {tmp_path / 'absent.yaml'}" in message
    assert "No such file or directory" in message
    assert f"(the file that logging names in {path})" in message


def test_a_logging_file_that_is_not_yaml_is_named(tmp_path: Path) -> None:
    (tmp_path / "logs.yaml").write_text("use_queue: true\n  dict_config: [\n")
    with pytest.raises(
        ConfigurationError, match=r"(?s)logs.yaml is not valid YAML: .*logs.yaml\", line 2"
    ):
        load_configuration(service_file(tmp_path, "logging: logs.yaml"))


def test_a_logging_file_that_is_not_a_mapping_is_named(tmp_path: Path) -> None:
    (tmp_path / "logs.yaml").write_text("- version\n")
    with pytest.raises(ConfigurationError, match=r"logs.yaml must hold a mapping, not list"):
        load_configuration(service_file(tmp_path, "logging: logs.yaml"))


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("dict_config: {version: 2}", "  dict_config.version: Input should be 1"),
        ("use_queue: true", "  dict_config: Field required"),
        ("dict_config: {version: 1}\nuse_queu: true", "  use_queu: Extra inputs are not permitted"),
    ],
)
def test_a_field_error_in_the_logging_file_names_that_file(
    tmp_path: Path, text: str, problem: str
) -> None:
    (tmp_path / "logs.yaml").write_text(text)
    with pytest.raises(ConfigurationError) as raised:
        load_configuration(service_file(tmp_path, "logging: logs.yaml"))
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / 'logs.yaml'} is not a valid logging configuration:\n")
    assert problem in message.splitlines()


def test_a_file_name_needs_the_service_file_to_be_read_from(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="logging"):
        ServiceConfiguration.model_validate(
            {"title": "t", "description": "d", "version": "1", "models": [], "logging": "x.yaml"}
        )


@pytest.fixture
def restored_loggers() -> Iterator[None]:
    """The loggers the shipped logging configures, as they were before the test."""
    names = ["", "ml_model_logging", "model_service", "uvicorn", "uvicorn.access"]
    saved = [
        (logger, list(logger.handlers), logger.level, logger.propagate, logger.disabled)
        for logger in map(logging.getLogger, names)
    ]
    yield
    for logger, handlers, level, propagate, disabled in saved:
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.propagate, logger.disabled = propagate, disabled


def one_record_of(service_file_name: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    """The JSON line that the service configured by that file writes for one prediction record."""
    stdout = io.StringIO()
    monkeypatch.setattr("sys.stdout", stdout)
    settings = load_configuration(CONFIGURATION_DIR / service_file_name).logging
    session = configure_logging(
        settings.dict_config.as_dict(), settings.use_queue, settings.lean_records
    )
    logging.getLogger("ml_model_logging.predictions").info(
        "Prediction created", extra={"action": "predict", "color_message": "\x1b[1m"}
    )
    session.stop()
    return json.loads(stdout.getvalue())


@pytest.mark.usefixtures("restored_loggers")
def test_the_local_service_records_no_pod_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in POD_VARIABLES:
        monkeypatch.delenv(variable, raising=False)
    record = one_record_of("local.yaml", monkeypatch)
    assert set(record) == {"level", "logger", "message", "timestamp", "action"}


@pytest.mark.usefixtures("restored_loggers")
def test_the_pod_records_its_pod_node_and_app(monkeypatch: pytest.MonkeyPatch) -> None:
    for variable, value in POD_VARIABLES.items():
        monkeypatch.setenv(variable, value)
    record = one_record_of("kubernetes.yaml", monkeypatch)
    assert set(record) == {"level", "logger", "message", "timestamp", "action"} | {
        "pod_name",
        "node_name",
        "app_name",
    }
    assert (record["pod_name"], record["node_name"], record["app_name"]) == tuple(
        POD_VARIABLES.values()
    )


def test_the_shipped_formatter_writes_python_json_logger_s_lines() -> None:
    """The JSON formatter of logging.yaml writes what python-json-logger's OrjsonFormatter,
    given the same options, writes (test_formatting holds them equal for any record)."""
    options = dict(shared_logging().dict_config.formatters["json"])
    shipped = logging.config.BaseConfigurator({}).resolve(options.pop("()"))(**options)
    record = logging.makeLogRecord(
        {"name": "ml_model_logging.predictions", "msg": "Prediction created", "status": "success"}
    )
    assert shipped.format(record) == OrjsonFormatter(**options).format(record)


@pytest.mark.usefixtures("restored_loggers")
def test_a_prediction_writes_both_records_with_every_field(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for variable, value in POD_VARIABLES.items():
        monkeypatch.setenv(variable, value)
    stdout = io.StringIO()
    monkeypatch.setattr("sys.stdout", stdout)
    settings = load_configuration(CONFIGURATION_DIR / "kubernetes.yaml").logging
    session = configure_logging(
        settings.dict_config.as_dict(), settings.use_queue, settings.lean_records
    )
    model = LoggingDecorator(served(StubModel()), input_fields=["x"], output_fields=["y"])
    with prediction_id_context("request-9"):
        asyncio.run(model.predict(StubInput(x=2.0)))
    session.stop()
    requested, created = (json.loads(line) for line in stdout.getvalue().splitlines())
    common = ["level", "logger", "message", "action", "model_qualified_name", "model_version"]
    common += ["status", "prediction_id"]
    pod = ["pod_name", "node_name", "app_name", "timestamp"]
    assert list(requested) == [*common, "input", *pod]
    assert list(created) == [*common, "output", "latency_ms", *pod]
    assert requested["message"] == "Prediction requested"
    assert (created["message"], created["output"]) == ("Prediction created", {"y": 4.0})
    assert {requested["prediction_id"], created["prediction_id"]} == {"request-9"}
    assert requested["input"] == {"x": 2.0}
    assert requested["pod_name"] == POD_VARIABLES["POD_NAME"]
