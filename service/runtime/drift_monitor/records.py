"""The prediction logs: the inputs and predictions one model logged, read line by line.

Each line is a JSON record, perhaps behind the ``[pod/NAME/CONTAINER] `` that
``kubectl logs --prefix`` writes: the record starts at the first ``{``. The inputs come from the
``Prediction requested`` records' ``input``, the predictions from the ``Prediction created``
records' ``output``. Nothing in a line stops the reading: a line that cannot be used is counted,
by reason, as *bad* (broken) or *skipped* (fine, but not ours), and a value of the wrong type is
counted by feature. The records used also give the time the logs cover: their first and last
``timestamp`` (ISO 8601, as the service's JSON formatter writes it).
"""

import io
import json
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import BaseModel, Field

from drift_monitor.baseline import Baseline

# The messages of ml_model_logging.decorator's records (a test holds them equal): this package
# reads logs and imports nothing of the service that writes them.
REQUESTED = "Prediction requested"
CREATED = "Prediction created"
FAILED = "Prediction failed"
# The key of each record that carries values: a feature's source (the baseline's word) names it.
CARRIER = {REQUESTED: "input", CREATED: "output"}
# The time of a record: the formatter's field (configuration/logging.yaml, `timestamp: true`).
TIMESTAMP = "timestamp"
STDIN = "-"

# Bad lines: broken records.
NOT_JSON = "not JSON"
NO_INPUT = "Prediction requested without an input object"
NO_OUTPUT = "Prediction created without an output object"
# Skipped lines: fine, but nothing to compare.
BLANK = "blank line"
OTHER_RECORD = "other record (not a prediction)"
OTHER_MODEL = "another model"
OTHER_VERSION = "another version of the model"
FAILED_PREDICTION = "failed prediction"
MISSING = {REQUESTED: NO_INPUT, CREATED: NO_OUTPUT}
BAD_REASONS = frozenset({NOT_JSON, NO_INPUT, NO_OUTPUT})


class LineCounts(BaseModel):
    """What became of the lines read."""

    lines: int = Field(0, description="Lines read.")
    requested: int = Field(0, description="Prediction requested records of the model, used.")
    created: int = Field(0, description="Prediction created records of the model, used.")
    bad: dict[str, int] = Field(default_factory=dict, description="Broken lines, by reason.")
    skipped: dict[str, int] = Field(
        default_factory=dict, description="Lines that were fine but not used, by reason."
    )
    wrong_type: dict[str, int] = Field(
        default_factory=dict,
        description="Logged values of the wrong type for the baseline, by feature; left out.",
    )


class LoggedPeriod(BaseModel):
    """When the records used were logged: the first and the last, and the time between them."""

    first: datetime = Field(description="The earliest timestamp of a record used (UTC).")
    last: datetime = Field(description="The latest timestamp of a record used (UTC).")
    seconds: float = Field(description="The time from the first to the last, in seconds.")


def record_time(record: dict[str, Any]) -> datetime | None:
    """The record's timestamp in UTC (one without a zone is taken as UTC); None when it has none
    that reads as ISO 8601."""
    value = record.get(TIMESTAMP)
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass
class LoggedValues:
    """The values the lines held for the baseline's features, what became of each line, and when
    the records used were logged."""

    values: dict[str, list[Any]]
    carried: set[str] = field(default_factory=set)
    records: Counter[str] = field(default_factory=Counter)
    bad: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    wrong_type: Counter[str] = field(default_factory=Counter)
    lines: int = 0
    first: datetime | None = None
    last: datetime | None = None

    def note_time(self, moment: datetime | None) -> None:
        """Widen the period the records used cover to ``moment``."""
        if moment is None:
            return
        self.first = moment if self.first is None else min(self.first, moment)
        self.last = moment if self.last is None else max(self.last, moment)

    def period(self) -> LoggedPeriod | None:
        """The period the records used cover; None when none of them has a timestamp."""
        if self.first is None or self.last is None:
            return None
        seconds = (self.last - self.first).total_seconds()
        return LoggedPeriod(first=self.first, last=self.last, seconds=seconds)

    def counts(self) -> LineCounts:
        return LineCounts(
            lines=self.lines,
            requested=self.records[REQUESTED],
            created=self.records[CREATED],
            bad=dict(self.bad.most_common()),
            skipped=dict(self.skipped.most_common()),
            wrong_type=dict(self.wrong_type.most_common()),
        )


def parse_line(line: str) -> tuple[dict[str, Any] | None, str | None]:
    """The record a line holds, from its first ``{``, or None and why it holds none."""
    start = line.find("{")
    if start < 0:
        return None, BLANK if not line.strip() else NOT_JSON
    try:
        return json.loads(line[start:]), None
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser goes
        return None, NOT_JSON


def skip_reason(record: dict[str, Any], baseline: Baseline) -> str | None:
    """Why a record has nothing for the baseline, or None when it has."""
    if record.get("message") not in (REQUESTED, CREATED, FAILED):
        return OTHER_RECORD
    if record.get("model_qualified_name") != baseline.model_qualified_name:
        return OTHER_MODEL
    if record.get("model_version") != baseline.model_version:
        return OTHER_VERSION
    return FAILED_PREDICTION if record["message"] == FAILED else None


def take_values(record: dict[str, Any], baseline: Baseline, logged: LoggedValues) -> None:
    """Keep the values a prediction record carries for the baseline's features."""
    source = CARRIER[record["message"]]
    fields = record[source]
    for name, reference in baseline.features.items():
        if reference.source != source or name not in fields:
            continue
        logged.carried.add(name)
        if reference.accepts(fields[name]):
            logged.values[name].append(fields[name])
        else:
            logged.wrong_type[name] += 1


def unused_reason(line: str, baseline: Baseline) -> tuple[dict[str, Any] | None, str | None]:
    """The line's record, or None and why it cannot be used."""
    record, reason = parse_line(line)
    if record is None:
        return None, reason
    reason = skip_reason(record, baseline)
    if reason is None and not isinstance(record.get(CARRIER[record["message"]]), dict):
        reason = MISSING[record["message"]]
    return (record, None) if reason is None else (None, reason)


def read_line(line: str, baseline: Baseline, logged: LoggedValues) -> None:
    """Take the line's values, or count why there are none."""
    logged.lines += 1
    record, reason = unused_reason(line, baseline)
    if record is not None:
        logged.records[record["message"]] += 1
        logged.note_time(record_time(record))
        take_values(record, baseline, logged)
    elif reason in BAD_REASONS:
        logged.bad[reason] += 1
    else:
        logged.skipped[reason] += 1


def collect(lines: Iterable[str], baseline: Baseline) -> LoggedValues:
    """The values the lines logged for the baseline's model, feature by feature."""
    logged = LoggedValues(values={name: [] for name in baseline.features})
    for line in lines:
        read_line(line, baseline, logged)
    return logged


def open_logs(path: str | Path) -> TextIO:
    """The log file, or standard input for ``-``; bytes that are not UTF-8 are replaced, so such
    a line counts as not JSON instead of stopping the reading."""
    if str(path) == STDIN:
        if isinstance(sys.stdin, io.TextIOWrapper):
            sys.stdin.reconfigure(errors="replace")
        return sys.stdin
    return open(path, encoding="utf-8", errors="replace")
