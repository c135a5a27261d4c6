import atexit
import io
import json
import logging
import threading
import time
from typing import ClassVar

import pytest

from ml_model_logging import configuration
from ml_model_logging.configuration import RECORD_SWITCHES, configure_logging, record_switches

LOGGER = "tests.queued"


class SlowListHandler(logging.Handler):
    """Keeps formatted records, slowly, and remembers which thread wrote them."""

    instances: ClassVar[list["SlowListHandler"]] = []

    def __init__(self, delay: float = 0.0) -> None:
        super().__init__()
        self.delay, self.lines, self.threads = delay, [], set()
        self.instances.append(self)

    def emit(self, record: logging.LogRecord) -> None:
        time.sleep(self.delay)
        self.lines.append(self.format(record))
        self.threads.add(threading.current_thread().name)


def json_config(delay: float = 0.0) -> dict:
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": "%(message)s"}},
        "handlers": {
            "slow": {"()": f"{__name__}.SlowListHandler", "delay": delay, "formatter": "json"},
        },
        "loggers": {LOGGER: {"level": "INFO", "handlers": ["slow"], "propagate": False}},
    }


@pytest.fixture
def handler_of() -> object:
    SlowListHandler.instances.clear()
    yield lambda: SlowListHandler.instances[-1]
    logging.getLogger(LOGGER).handlers.clear()


def test_handlers_run_on_the_listener_thread(handler_of: object) -> None:
    session = configure_logging(json_config())
    logging.getLogger(LOGGER).info("hello")
    session.stop()
    assert handler_of().lines == ['{"message": "hello"}']
    assert threading.current_thread().name not in handler_of().threads


def test_nothing_is_lost_when_the_queue_is_flushed_at_shutdown(handler_of: object) -> None:
    session = configure_logging(json_config(delay=0.0001))
    logger = logging.getLogger(LOGGER)
    for number in range(10_000):
        logger.info("record %d", number, extra={"number": number})
    session.stop()
    numbers = [json.loads(line)["number"] for line in handler_of().lines]
    assert numbers == list(range(10_000))


def test_after_stop_records_are_written_directly(handler_of: object) -> None:
    session = configure_logging(json_config())
    session.stop()
    session.stop()
    logging.getLogger(LOGGER).info("after shutdown")
    assert handler_of().lines == ['{"message": "after shutdown"}']
    assert handler_of().threads == {threading.current_thread().name}


def test_tracebacks_survive_the_queue(handler_of: object) -> None:
    session = configure_logging(json_config())
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger(LOGGER).exception("failed")
    session.stop()
    record = json.loads(handler_of().lines[0])
    assert record["message"] == "failed"
    assert "ValueError: boom" in record["exc_info"]


def test_configuring_again_stops_the_previous_listeners(handler_of: object) -> None:
    configure_logging(json_config())
    before = threading.active_count()
    configure_logging(json_config()).stop()
    assert threading.active_count() <= before


def test_without_queue_handlers_run_in_the_caller(handler_of: object) -> None:
    configure_logging(json_config(), use_queue=False)
    logging.getLogger(LOGGER).info("direct")
    assert handler_of().threads == {threading.current_thread().name}


def test_a_stream_handler_gets_json_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stdout", stream)
    config = json_config() | {
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
        }
    }
    config["loggers"][LOGGER]["handlers"] = ["stdout"]
    session = configure_logging(config)
    logging.getLogger(LOGGER).info("to stdout", extra={"status": "success"})
    session.stop()
    assert json.loads(stream.getvalue()) == {"message": "to stdout", "status": "success"}


def test_the_writer_thread_writes_queued_records_without_being_stopped(
    handler_of: object,
) -> None:
    session = configure_logging(json_config())
    logging.getLogger(LOGGER).info("soon")
    deadline = time.monotonic() + 5
    while not handler_of().lines and time.monotonic() < deadline:
        time.sleep(0.01)
    written = list(handler_of().lines)
    session.stop()
    assert written == ['{"message": "soon"}']


class RecordKeeper(logging.Handler):
    records: ClassVar[list[logging.LogRecord]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def keeper_config() -> dict:
    RecordKeeper.records.clear()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"keep": {"()": f"{__name__}.RecordKeeper"}},
        "loggers": {LOGGER: {"level": "INFO", "handlers": ["keep"], "propagate": False}},
    }


def has_caller_thread_and_process(record: logging.LogRecord) -> bool:
    return (
        record.funcName != "(unknown function)"
        and record.threadName is not None
        and record.process is not None
    )


@pytest.mark.parametrize("use_queue", [True, False])
@pytest.mark.parametrize("lean", [True, False])
def test_lean_records_skip_caller_thread_and_process(lean: bool, use_queue: bool) -> None:
    session = configure_logging(keeper_config(), use_queue=use_queue, lean_records=lean)
    logging.getLogger(LOGGER).info("where from?")
    session.stop()
    (record,) = RecordKeeper.records
    assert has_caller_thread_and_process(record) is not lean
    assert (record.funcName == "test_lean_records_skip_caller_thread_and_process") is not lean


@pytest.fixture
def unusual_switches(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Record switches a program chose before configuring logging, unlike the defaults."""
    monkeypatch.setattr(logging, "logMultiprocessing", False)
    monkeypatch.setattr(logging, "logProcesses", False)
    return record_switches()


def test_stop_restores_the_switches_it_found(unusual_switches: dict) -> None:
    session = configure_logging(keeper_config(), lean_records=True)
    assert record_switches() == configuration.LEAN_SWITCHES
    assert logging._srcfile is None
    session.stop()
    assert record_switches() == unusual_switches
    assert logging._srcfile is not None


def test_the_switches_are_the_ones_of_the_logging_module() -> None:
    assert set(RECORD_SWITCHES) >= {"_srcfile", "logThreads", "logProcesses", "logMultiprocessing"}


def test_lean_then_not_lean_records_the_caller_and_restores(unusual_switches: dict) -> None:
    configure_logging(keeper_config(), lean_records=True)
    session = configure_logging(keeper_config(), use_queue=False, lean_records=False)
    assert record_switches() == unusual_switches
    logging.getLogger(LOGGER).info("where from?")
    session.stop()
    (record,) = RecordKeeper.records
    assert record.funcName == "test_lean_then_not_lean_records_the_caller_and_restores"
    assert record_switches() == unusual_switches


def test_configuring_twice_then_stopping_leaves_the_switches_as_found() -> None:
    before = record_switches()
    configure_logging(keeper_config(), lean_records=True)
    configure_logging(keeper_config(), lean_records=True).stop()
    assert record_switches() == before


def test_a_config_that_fails_changes_no_switch() -> None:
    before = record_switches()
    broken = keeper_config() | {"handlers": {"keep": {"class": "nowhere.Handler"}}}
    with pytest.raises(ValueError, match="keep"):
        configure_logging(broken, lean_records=True)
    assert record_switches() == before


def test_one_exit_hook_however_often_logging_is_configured(
    monkeypatch: pytest.MonkeyPatch, handler_of: object
) -> None:
    registered = []
    monkeypatch.setattr(atexit, "register", registered.append)
    monkeypatch.setattr(configuration, "_exit_hook_registered", False)
    configure_logging(json_config())
    last = configure_logging(json_config())
    logging.getLogger(LOGGER).info("at exit")
    assert len(registered) == 1
    (hook,) = registered
    hook()  # what the interpreter does at exit
    assert last._stopped
    assert handler_of().lines == ['{"message": "at exit"}']


def test_configuring_adds_no_exit_callbacks_after_the_first(handler_of: object) -> None:
    configure_logging(json_config())
    callbacks = atexit._ncallbacks()
    for _ in range(3):
        configure_logging(json_config())
    configure_logging(json_config()).stop()
    assert atexit._ncallbacks() == callbacks


class CountingStream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


def batch_config(stream: io.StringIO, level: str = "NOTSET") -> dict:
    config = json_config()
    config["handlers"] = {
        "batch": {
            "class": "ml_model_logging.handlers.BatchStreamHandler",
            "stream": stream,
            "formatter": "json",
            "level": level,
        }
    }
    config["loggers"][LOGGER]["handlers"] = ["batch"]
    return config


def test_the_writer_hands_a_batch_handler_what_is_queued_at_once() -> None:
    stream = CountingStream()
    session = configure_logging(batch_config(stream))
    listener = session.listeners[0]
    listener.stop()  # the test writes what is queued itself
    for number in range(5):
        logging.getLogger(LOGGER).info("record %d", number)
    assert listener.write_queued() == 5
    assert stream.writes == 1
    assert [json.loads(line)["message"] for line in stream.getvalue().splitlines()] == [
        f"record {number}" for number in range(5)
    ]
    session.stop()


def test_a_batch_handler_gets_only_the_records_at_its_level() -> None:
    stream = CountingStream()
    session = configure_logging(batch_config(stream, level="WARNING"))
    logging.getLogger(LOGGER).info("too low")
    logging.getLogger(LOGGER).warning("high enough")
    session.stop()
    assert stream.getvalue() == '{"message": "high enough"}\n'
