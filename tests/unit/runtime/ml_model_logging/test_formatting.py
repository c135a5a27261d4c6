"""JsonFormatter writes what python-json-logger's OrjsonFormatter writes, for any record."""

import datetime
import decimal
import enum
import json
import logging
import logging.config
import re
import sys
import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.orjson import OrjsonFormatter

from ml_model_logging.formatting import (
    COULD_NOT_ENCODE,
    RESERVED_ATTRIBUTES,
    JsonFormatter,
    JsonFormatterOptions,
    json_default,
)

SHIPPED = {
    "fmt": "%(levelname)s %(name)s %(message)s",
    "rename_fields": {"levelname": "level", "name": "logger"},
    "timestamp": True,
}
# Attributes every record has, so `extra` may not name them, as makeRecord says.
TAKEN = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class Colour(enum.Enum):
    RED = "red"
    BLUE = 2


class Opaque:
    """An object of no JSON type, which shows as its str."""

    def __str__(self) -> str:
        return "opaque ü"


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no str")


class Unrepresentable(Unprintable):
    def __repr__(self) -> str:
        raise RuntimeError("no repr")


def raised(error: Exception) -> tuple:
    try:
        raise error
    except Exception:
        return sys.exc_info()


def traceback_of(error: Exception) -> Any:
    return raised(error)[2]


text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)
keys = st.one_of(text, st.sampled_from(["level", "logger", "timestamp", "ts", "_private", "x"]))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    text,
)
odd_values = (
    st.builds(Unprintable)
    | st.builds(Unrepresentable)
    | st.sampled_from(
        [
            b"\x00bytes\xff",
            bytearray(b"array"),
            ValueError("bad ü"),
            traceback_of(KeyError("k")),
            Colour.RED,
            Colour,
            Opaque,
            Opaque(),
            decimal.Decimal("1.10"),
            uuid.UUID(int=7),
            datetime.datetime(2025, 3, 1, 10, 0, 0, 250000, tzinfo=datetime.UTC),
            datetime.date(2025, 3, 1),
            {1: "an int key", None: "a None key"},
            2**70,  # beyond 64 bits: both formatters fail
        ]
    )
)
values = st.recursive(
    st.one_of(scalars, odd_values),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=8,
)
extras = st.dictionaries(
    st.one_of(keys, st.integers(-3, 3)).filter(lambda key: key not in TAKEN), values, max_size=6
)
options = st.fixed_dictionaries(
    {},
    optional={
        "fmt": st.sampled_from(
            [
                "%(message)s",
                "%(levelname)s %(name)s %(message)s",
                "%(asctime)s %(levelname)s %(lineno)d %(funcName)s %(message)s",
                "%(message)s %(pod_name)s %(x)s",
            ]
        ),
        "rename_fields": st.sampled_from(
            [
                {},
                SHIPPED["rename_fields"],
                {"message": "msg", "exc_info": "error", "x": "ex", "timestamp": "time"},
                {"stack_info": "stack", "pod_name": "pod"},
            ]
        ),
        "timestamp": st.sampled_from([True, False, "ts", "x"]),
    },
)


@st.composite
def records(draw: st.DrawFn) -> logging.LogRecord:
    """A record as logging makes one: a message with %-args, or a dict, extras, maybe a
    traceback (as an exception, or as text once a QueueHandler has rendered it), maybe a stack."""
    message, args = draw(
        st.one_of(
            st.tuples(text, st.just(())),
            st.tuples(st.just("%s has %d: %r"), st.tuples(text, st.integers(), values)),
            st.tuples(st.just("%(who)s"), st.tuples(st.fixed_dictionaries({"who": text}))),
            st.tuples(st.dictionaries(keys, values, max_size=3), st.just(())),
        )
    )
    exc_info = draw(st.sampled_from([None, raised(ZeroDivisionError("zero ü"))]))
    record = logging.getLogger("tests.formatting").makeRecord(
        draw(text),
        draw(st.sampled_from([logging.DEBUG, logging.INFO, logging.WARNING, logging.ERROR, 5])),
        __file__,
        draw(st.integers(0, 10_000)),
        message,
        args,
        exc_info,
        "caller",
        draw(extras),
        draw(st.none() | text),
    )
    record.exc_text = draw(st.none() | text)
    record.created = draw(st.floats(min_value=0, max_value=4e9))
    return record


def outcome(formatter: logging.Formatter, record: logging.LogRecord) -> tuple[str, Any]:
    """The line, or the kind of error, that ``formatter`` makes of a copy of ``record``."""
    copy = logging.makeLogRecord(dict(record.__dict__))
    try:
        return "line", formatter.format(copy)
    except Exception as error:
        return "error", type(error)


def pairs(line: str) -> list[tuple[str, Any]]:
    """The line's keys and values in their order (duplicate keys kept)."""
    return json.loads(line, object_pairs_hook=list)


@settings(max_examples=400, deadline=None)
@given(record=records(), chosen=options)
def test_the_same_line_as_python_json_logger(record: logging.LogRecord, chosen: dict) -> None:
    ours, theirs = (
        outcome(JsonFormatter(**chosen), record),
        outcome(OrjsonFormatter(**chosen), record),
    )
    assert ours[0] == theirs[0]
    if ours[0] == "line":
        assert pairs(ours[1]) == pairs(theirs[1])  # the same keys, order and values
        assert ours[1] == theirs[1]
    else:
        assert issubclass(ours[1], theirs[1]) or issubclass(theirs[1], ours[1])


@settings(max_examples=100, deadline=None)
@given(created=st.floats(min_value=0, max_value=4e9))
def test_the_timestamp_is_python_json_logger_s(created: float) -> None:
    record = logging.makeLogRecord({"msg": "at", "created": created})
    ours = json.loads(JsonFormatter(**SHIPPED).format(record))["timestamp"]
    theirs = json.loads(OrjsonFormatter(**SHIPPED).format(record))["timestamp"]
    assert ours == theirs == datetime.datetime.fromtimestamp(created, datetime.UTC).isoformat()


def prediction_record() -> logging.LogRecord:
    record = logging.getLogger("ml_model_logging.predictions").makeRecord(
        "ml_model_logging.predictions", logging.INFO, "(unknown file)", 0,
        "Prediction created", (), None, "(unknown function)",
        {
            "action": "predict", "model_qualified_name": "insurance_charges_model",
            "model_version": "0.1.0", "status": "success", "prediction_id": "id-1",
            "output": {"charges": 8640.78}, "latency_ms": 1.25,
        },
    )  # fmt: skip
    record.__dict__.update(pod_name="pod-7c9f", node_name="node-1", app_name="insurance")
    record.created = 1740823200.25
    return record


def test_a_prediction_record_as_the_service_writes_it() -> None:
    line = JsonFormatter(**SHIPPED).format(prediction_record())
    assert line == OrjsonFormatter(**SHIPPED).format(prediction_record())
    assert [key for key, _ in pairs(line)] == [
        "level", "logger", "message", "action", "model_qualified_name", "model_version",
        "status", "prediction_id", "output", "latency_ms", "pod_name", "node_name", "app_name",
        "timestamp",
    ]  # fmt: skip
    assert json.loads(line)["timestamp"] == "2025-03-01T10:00:00.250000+00:00"


def test_without_options_a_line_holds_the_message_and_the_extras() -> None:
    record = logging.makeLogRecord({"msg": "hi %s", "args": ("you",), "status": "ok"})
    assert JsonFormatter().format(record) == '{"message":"hi you","status":"ok"}'


def test_a_traceback_is_written_as_python_json_logger_writes_it() -> None:
    record = logging.makeLogRecord({"msg": "failed", "exc_info": raised(ValueError("boom"))})
    line = json.loads(JsonFormatter(**SHIPPED).format(record))
    assert line["exc_info"].startswith("Traceback (most recent call last):")
    assert line["exc_info"].endswith("ValueError: boom")


def test_keys_that_are_not_strings_are_written_as_strings() -> None:
    record = logging.makeLogRecord({"msg": "numbers"})
    record.__dict__.update({1: "one", "_hidden": "no", "shown": "yes"})
    line = JsonFormatter().format(record)
    assert line == '{"message":"numbers","1":"one","shown":"yes"}'
    assert line == OrjsonFormatter().format(record)


def test_the_skipped_attributes_are_python_json_logger_s() -> None:
    assert set(RESERVED_ATTRS) == RESERVED_ATTRIBUTES


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (ValueError("bad"), "ValueError: bad"),
        (b"\xfb\xff", "-_8="),  # URL-safe base 64
        (bytearray(b"ok"), "b2s="),
        (Colour.BLUE, 2),
        (Colour, ["red", 2]),
        (Opaque, "Opaque"),
        (Opaque(), "opaque ü"),
        (Unrepresentable(), COULD_NOT_ENCODE),
    ],
)
def test_values_of_no_json_type(value: object, written: object) -> None:
    assert json_default(value) == written


def test_a_value_without_str_is_written_as_its_repr() -> None:
    value = Unprintable()
    assert json_default(value) == repr(value)


def test_a_traceback_value_is_written_as_its_frames() -> None:
    written = json_default(traceback_of(KeyError("k")))
    assert written.startswith('File "')
    assert "raise error" in written


@pytest.mark.parametrize(
    ("given_options", "problem"),
    [
        ({"fmt": "%(message"}, "Invalid format '%(message' for '%' style"),
        ({"fmt": 3}, "fmt\n  Input should be a valid string"),
        ({"rename_fields": ["level"]}, "rename_fields\n  Input should be a valid dictionary"),
        ({"rename_fields": []}, "rename_fields\n  Input should be a valid dictionary"),
        ({"rename_fields": {"name": 1}}, "rename_fields.name\n  Input should be a valid string"),
        ({"timestamp": ""}, "the timestamp's key must not be empty"),
        ({"timestamp": 1}, "timestamp.str\n  Input should be a valid string"),
    ],
)
def test_wrong_options_are_refused(given_options: dict, problem: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(problem)):
        JsonFormatter(**given_options)


def test_an_unknown_option_is_refused() -> None:
    with pytest.raises(TypeError, match="datefmt"):
        JsonFormatter(datefmt="%H")  # type: ignore[call-arg]


def test_the_options_schema_names_every_option() -> None:
    assert set(JsonFormatterOptions.model_fields) == {"fmt", "rename_fields", "timestamp"}
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        JsonFormatterOptions.model_validate({"prefix": "x"})


def test_a_logging_configuration_with_wrong_options_names_the_formatter() -> None:
    config = {
        "version": 1,
        "formatters": {"json": {"()": "ml_model_logging.formatting.JsonFormatter", "fmt": "%("}},
    }
    with pytest.raises(ValueError, match="Unable to configure formatter 'json'"):
        logging.config.dictConfig(config)
