import io
import logging

import pytest

from ml_model_logging.handlers import BatchStreamHandler


class CountingStream(io.StringIO):
    """A stream that counts its writes and flushes, and fails them when told to."""

    def __init__(self, fail_with: type[BaseException] | None = None) -> None:
        super().__init__()
        self.writes = self.flushes = 0
        self.fail_with = fail_with

    def write(self, text: str) -> int:
        if self.fail_with:
            raise self.fail_with("the stream is gone")
        self.writes += 1
        return super().write(text)

    def flush(self) -> None:
        self.flushes += 1


class FormatFails(logging.Formatter):
    def __init__(self, error: type[BaseException]) -> None:
        super().__init__()
        self.error = error

    def format(self, record: logging.LogRecord) -> str:
        if record.getMessage() == "bad":
            raise self.error("cannot format")
        return super().format(record)


def record(message: str) -> logging.LogRecord:
    return logging.makeLogRecord({"msg": message, "levelno": logging.INFO})


class ReportingHandler(BatchStreamHandler):
    """Keeps the message of each record whose handling failed, instead of printing a report."""

    def __init__(self, stream: io.StringIO) -> None:
        super().__init__(stream)
        self.errors: list[str] = []

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        self.errors.append(record.getMessage())


def handler_on(stream: io.StringIO) -> ReportingHandler:
    return ReportingHandler(stream)


def test_a_batch_is_one_write_and_one_flush() -> None:
    stream = CountingStream()
    handler_on(stream).handle_batch([record(f"line {number}") for number in range(3)])
    assert stream.getvalue() == "line 0\nline 1\nline 2\n"
    assert (stream.writes, stream.flushes) == (1, 1)


def test_record_by_record_it_is_a_stream_handler() -> None:
    stream = CountingStream()
    handler_on(stream).handle(record("alone"))
    assert stream.getvalue() == "alone\n"


def test_an_empty_batch_writes_nothing() -> None:
    stream = CountingStream()
    handler_on(stream).handle_batch([])
    assert (stream.writes, stream.flushes) == (0, 0)


def test_filters_drop_records_of_a_batch() -> None:
    stream = CountingStream()
    handler = handler_on(stream)
    handler.addFilter(lambda record: record.getMessage() != "secret")
    handler.handle_batch([record("secret"), record("public")])
    assert stream.getvalue() == "public\n"


def test_a_batch_of_dropped_records_writes_nothing() -> None:
    stream = CountingStream()
    handler = handler_on(stream)
    handler.addFilter(lambda record: False)
    handler.handle_batch([record("secret")])
    assert (stream.writes, stream.flushes) == (0, 0)


def test_a_record_a_filter_returns_is_written_instead(monkeypatch: pytest.MonkeyPatch) -> None:
    """Since Python 3.12 a filter may return the record to log instead of the one it got."""
    stream = CountingStream()
    handler = handler_on(stream)
    monkeypatch.setattr(handler, "filter", lambda given: record(f"{given.getMessage()}, masked"))
    handler.handle_batch([record("card 4111")])
    assert stream.getvalue() == "card 4111, masked\n"


def test_a_record_that_fails_to_format_is_reported_and_the_others_written() -> None:
    stream = CountingStream()
    handler = handler_on(stream)
    handler.setFormatter(FormatFails(ValueError))
    handler.handle_batch([record("good"), record("bad"), record("also good")])
    assert stream.getvalue() == "good\nalso good\n"
    assert handler.errors == ["bad"]


def test_recursion_while_formatting_is_not_swallowed() -> None:
    handler = handler_on(CountingStream())
    handler.setFormatter(FormatFails(RecursionError))
    with pytest.raises(RecursionError):
        handler.handle_batch([record("bad")])


def test_a_failed_write_is_reported_once_for_the_batch() -> None:
    handler = handler_on(CountingStream(fail_with=OSError))
    handler.handle_batch([record("first"), record("second")])
    assert handler.errors == ["first"]


def test_recursion_while_writing_is_not_swallowed() -> None:
    handler = handler_on(CountingStream(fail_with=RecursionError))
    with pytest.raises(RecursionError):
        handler.handle_batch([record("first")])


def test_a_failure_reaches_the_standard_error_report(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without a replaced handleError: logging's own report, on stderr, and no exception."""
    handler = BatchStreamHandler(CountingStream(fail_with=OSError))
    handler.handle_batch([record("lost")])
    assert "--- Logging error ---" in capsys.readouterr().err
