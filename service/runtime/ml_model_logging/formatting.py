"""A JSON formatter for log records: python-json-logger's output, for a fraction of its work.

``JsonFormatter`` writes, for the options it shares with ``pythonjsonlogger.orjson.
OrjsonFormatter`` (``fmt``, ``rename_fields``, ``timestamp``), the same JSON for every record:
the same keys in the same order, the same values. A line holds the fields ``fmt`` names, then an
``exc_info`` and a ``stack_info`` when the record has them, then the record's own attributes (its
``extra``, what filters added) except the standard ones and those starting with ``_``, then the
time in ISO 8601, UTC. It does less per record: what to skip and what to rename is worked out
once, and orjson writes the time itself.
"""

import base64
import enum
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

DEFAULT_FORMAT = "%(message)s"
TIMESTAMP_KEY = "timestamp"
# The attributes of a LogRecord, which a line leaves out unless ``fmt`` names them: the list of
# python-json-logger (pythonjsonlogger.core.RESERVED_ATTRS), which a test holds equal.
RESERVED_ATTRIBUTES = frozenset(
    {
        "args", "asctime", "created", "exc_info", "exc_text", "filename", "funcName",
        "levelname", "levelno", "lineno", "module", "msecs", "message", "msg", "name",
        "pathname", "process", "processName", "relativeCreated", "stack_info", "thread",
        "threadName",
    }
    | ({"taskName"} if sys.version_info >= (3, 12) else set())
)  # fmt: skip
FIELD_PATTERN = re.compile(r"%\((.+?)\)", re.IGNORECASE)
COULD_NOT_ENCODE = "__could_not_encode__"


class JsonFormatterOptions(BaseModel):
    """What ``JsonFormatter`` takes, as a logging configuration's formatter block gives it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fmt: str = Field(
        default=DEFAULT_FORMAT,
        description="The fields that lead each line, %-style: '%(levelname)s %(message)s'.",
    )
    rename_fields: dict[str, str] = Field(
        default_factory=dict, description="Output names of fields: {levelname: level}."
    )
    timestamp: StrictBool | str = Field(
        default=False,
        description=f"Add the record's time, ISO 8601 in UTC: true for a '{TIMESTAMP_KEY}' key, "
        "or the key's name.",
    )

    @field_validator("fmt")
    @classmethod
    def percent_style(cls, fmt: str) -> str:
        logging.PercentStyle(fmt).validate()  # ValueError: "Invalid format ... for '%' style"
        return fmt

    @field_validator("timestamp")
    @classmethod
    def named_key(cls, timestamp: bool | str) -> bool | str:
        if timestamp == "":
            raise ValueError("the timestamp's key must not be empty: say false for no time")
        return timestamp

    def fields(self) -> list[str]:
        """The record attributes ``fmt`` names, in its order."""
        return FIELD_PATTERN.findall(self.fmt)


def unknown_default(value: Any) -> str:
    """A value of no JSON type as text: ``str``, else ``repr``, else a placeholder."""
    try:
        return str(value)
    except Exception:
        pass
    try:
        return repr(value)
    except Exception:
        return COULD_NOT_ENCODE


def json_default(value: Any) -> Any:
    """What orjson writes for a value it cannot encode, as python-json-logger's orjson default."""
    if isinstance(value, BaseException):
        return f"{value.__class__.__name__}: {value}"
    if isinstance(value, TracebackType):
        return "".join(traceback.format_tb(value)).strip()
    if isinstance(value, bytes | bytearray):
        return base64.urlsafe_b64encode(value).decode("utf8")
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, enum.EnumMeta):
        return [member.value for member in value]
    if isinstance(value, type):
        return value.__name__
    return unknown_default(value)


def is_private(key: Any) -> bool:
    """A key starting with ``_``, which no line shows (nor does python-json-logger)."""
    return hasattr(key, "startswith") and key.startswith("_")


class JsonFormatter(logging.Formatter):
    """One JSON object per record, as python-json-logger's OrjsonFormatter writes it.

    Options (``JsonFormatterOptions``, checked when it is made): ``fmt``, the leading fields;
    ``rename_fields``, their output names; ``timestamp``, whether, and under which key, to add
    the record's time.
    """

    def __init__(
        self,
        fmt: str = DEFAULT_FORMAT,
        rename_fields: dict[str, str] | None = None,
        timestamp: bool | str = False,
    ) -> None:
        super().__init__()
        options = JsonFormatterOptions(
            fmt=fmt,
            rename_fields={} if rename_fields is None else rename_fields,
            timestamp=timestamp,
        )
        fields = options.fields()
        self.renames = options.rename_fields
        self.leading = [(self.renames.get(field, field), field) for field in fields]
        self.wants_asctime = "asctime" in fields
        self.skipped = RESERVED_ATTRIBUTES | set(fields)
        # Renames that can apply to an attribute: the others name fields that are skipped.
        self.attribute_renames = {
            name: new for name, new in self.renames.items() if name not in self.skipped
        }
        key = TIMESTAMP_KEY if options.timestamp is True else options.timestamp
        self.timestamp_key = self.renames.get(key, key) if key else None

    def format(self, record: logging.LogRecord) -> str:
        data = self.leading_fields(record)
        self.add_attributes(data, record.__dict__)
        if self.timestamp_key:
            data[self.timestamp_key] = datetime.fromtimestamp(record.created, tz=UTC)
        return orjson.dumps(data, default=json_default, option=orjson.OPT_NON_STR_KEYS).decode()

    def leading_fields(self, record: logging.LogRecord) -> dict[Any, Any]:
        """The fields ``fmt`` names, then those of a dict message, a traceback or a stack."""
        if isinstance(record.msg, dict) or record.exc_info or record.exc_text or record.stack_info:
            message_fields = self.message_fields(record)
        else:
            record.message = record.getMessage()
            message_fields = None
        if self.wants_asctime:
            record.asctime = self.formatTime(record)
        attributes = record.__dict__
        data = {}
        for name, field in self.leading:
            data[name] = attributes.get(field)
        if message_fields:
            for key, value in message_fields.items():
                data[self.renames.get(key, key)] = value
        return data

    def message_fields(self, record: logging.LogRecord) -> dict[Any, Any]:
        """Sets ``record.message``; the fields a dict message, a traceback or a stack add."""
        if isinstance(record.msg, dict):
            fields = record.msg.copy()
            record.message = ""
        else:
            fields = {}
            record.message = record.getMessage()
        if record.exc_info and not fields.get("exc_info"):
            fields["exc_info"] = self.formatException(record.exc_info)
        if not fields.get("exc_info") and record.exc_text:
            fields["exc_info"] = record.exc_text
        if record.stack_info and not fields.get("stack_info"):
            fields["stack_info"] = self.formatStack(record.stack_info)
        return fields

    def add_attributes(self, data: dict[Any, Any], attributes: dict[Any, Any]) -> None:
        """Adds the attributes a line shows, renamed, in their order: not skipped, not private."""
        skipped, renames = self.skipped, self.attribute_renames
        try:
            for key, value in attributes.items():
                if key not in skipped and key[:1] != "_":
                    data[renames.get(key, key) if renames else key] = value
        except TypeError:  # a key that is not a string: the same again, key by key
            for key, value in attributes.items():
                if key not in skipped and not is_private(key):
                    data[renames.get(key, key)] = value
