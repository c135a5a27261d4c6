import logging

import pytest

from ml_model_logging.filters import EnvironmentInfoFilter, RemoveFieldsFilter


def test_configured_variables_are_added_lower_cased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POD_NAME", "service-abc")
    monkeypatch.setenv("NODE_NAME", "")
    record = logging.LogRecord("test", logging.INFO, __file__, 1, "message", None, None)
    assert EnvironmentInfoFilter(["POD_NAME", "NODE_NAME"]).filter(record) is True
    assert (record.pod_name, record.node_name) == ("service-abc", "")


def test_variables_that_are_not_set_add_no_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POD_NAME", "service-abc")
    monkeypatch.delenv("NODE_NAME", raising=False)
    record = logging.LogRecord("test", logging.INFO, __file__, 1, "message", None, None)
    assert EnvironmentInfoFilter(["POD_NAME", "NODE_NAME"]).filter(record) is True
    assert record.pod_name == "service-abc"
    assert not hasattr(record, "node_name")


def test_the_environment_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POD_NAME", "first")
    environment = EnvironmentInfoFilter(["POD_NAME"])
    monkeypatch.setenv("POD_NAME", "second")
    record = logging.LogRecord("test", logging.INFO, __file__, 1, "message", None, None)
    environment.filter(record)
    assert record.pod_name == "first"


def test_unconfigured_variables_are_not_added(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_NAME", "insurance")
    record = logging.LogRecord("test", logging.INFO, __file__, 1, "message", None, None)
    EnvironmentInfoFilter(["POD_NAME"]).filter(record)
    assert not hasattr(record, "app_name")


def test_fields_are_removed_when_present() -> None:
    record = logging.LogRecord("uvicorn.error", logging.INFO, __file__, 1, "running", None, None)
    record.color_message = "\x1b[1mrunning\x1b[0m"
    assert RemoveFieldsFilter(["color_message", "absent"]).filter(record) is True
    assert not hasattr(record, "color_message")
    assert record.getMessage() == "running"
