import io
import json
import logging
import threading
import time
from typing import ClassVar

import pytest

from ml_model_logging.configuration import configure_logging, use_lean_records

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


@pytest.mark.parametrize(("lean", "has_caller"), [(True, False), (False, True)])
def test_lean_records_skip_caller_thread_and_process(lean: bool, has_caller: bool) -> None:
    RecordKeeper.records.clear()
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "handlers": {"keep": {"()": f"{__name__}.RecordKeeper"}},
        "loggers": {LOGGER: {"level": "INFO", "handlers": ["keep"], "propagate": False}},
    }
    session = configure_logging(config, use_queue=False, lean_records=lean)
    logging.getLogger(LOGGER).info("where from?")
    session.stop()
    use_lean_records(False)
    (record,) = RecordKeeper.records
    assert (record.funcName == "test_lean_records_skip_caller_thread_and_process") is has_caller
    assert (record.threadName is not None) is has_caller
    assert (record.process is not None) is has_caller
