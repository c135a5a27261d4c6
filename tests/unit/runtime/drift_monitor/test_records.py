import importlib
import io
import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from common.paths import CONFIGURATION_DIR
from drift_monitor import records
from drift_monitor.records import (
    BLANK,
    FAILED_PREDICTION,
    NO_INPUT,
    NO_OUTPUT,
    NOT_JSON,
    OTHER_MODEL,
    OTHER_RECORD,
    OTHER_VERSION,
    TIMESTAMP,
    collect,
    open_logs,
    record_time,
)
from ml_model_logging import decorator
from support.drift_logs import (
    PREDICTION,
    created,
    customers,
    log_lines,
    record,
    requested,
    toy_baseline,
)

BASELINE = toy_baseline()
GOOD = {"age": 30, "smoker": False, "region": "north"}


def test_the_messages_are_those_the_logging_decorator_writes() -> None:
    assert (records.REQUESTED, records.CREATED, records.FAILED) == (
        decorator.REQUESTED,
        decorator.CREATED,
        decorator.FAILED,
    )


def test_inputs_come_from_requested_records_and_predictions_from_created_ones() -> None:
    logged = collect([requested(GOOD), created({PREDICTION: 3000.5})], BASELINE)
    assert logged.values == {
        "age": [30],
        "smoker": [False],
        "region": ["north"],
        PREDICTION: [3000.5],
    }
    counts = logged.counts()
    assert (counts.lines, counts.requested, counts.created) == (2, 1, 1)
    assert (counts.bad, counts.skipped, counts.wrong_type) == ({}, {}, {})


def test_kubectl_prefixes_are_skipped() -> None:
    lines = [
        "[pod/insurance-charges-model-5d9c7/service] " + requested(GOOD),
        "[pod/insurance-charges-model-5d9c7/service] " + created({PREDICTION: 1.0}),
    ]
    assert collect(lines, BASELINE).counts().requested == 1
    assert collect(lines, BASELINE).values[PREDICTION] == [1.0]


def test_lines_that_are_not_records_are_counted_not_fatal() -> None:
    lines = [
        "INFO:     Started server process [1]",
        "[pod/a/b] {not json",
        '{"message": "Prediction requested"} and more',
        "[1, 2]",
        "[" * 100_000,
        '{"a": ' * 100_000 + "1" + "}" * 100_000,  # deeper than the parser goes
        "",
        "   ",
        json.dumps({"message": "Model loaded", "model_qualified_name": "toy_model"}),
        json.dumps({"level": "INFO"}),
    ]
    counts = collect(lines, BASELINE).counts()
    assert counts.bad == {NOT_JSON: 6}
    assert counts.skipped == {OTHER_RECORD: 2, BLANK: 2}
    assert (counts.lines, counts.requested, counts.created) == (10, 0, 0)


def test_records_of_another_model_version_or_a_failed_prediction_are_skipped() -> None:
    lines = [
        requested(GOOD, model="other_model"),
        created({PREDICTION: 1.0}, model="other_model"),
        requested(GOOD, version="2.0.0"),
        json.dumps({"message": "Prediction requested", "input": GOOD}),
        record("Prediction failed", status="error", error_type="ValueError"),
    ]
    counts = collect(lines, BASELINE).counts()
    assert counts.skipped == {OTHER_MODEL: 3, OTHER_VERSION: 1, FAILED_PREDICTION: 1}
    assert counts.requested == counts.created == 0


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (record("Prediction requested"), NO_INPUT),
        (record("Prediction requested", input=[30, "north"]), NO_INPUT),
        (record("Prediction requested", input=None), NO_INPUT),
        (record("Prediction created"), NO_OUTPUT),
        (record("Prediction created", output=12.5), NO_OUTPUT),
    ],
)
def test_prediction_records_without_their_values_are_bad(line: str, reason: str) -> None:
    counts = collect([line], BASELINE).counts()
    assert counts.bad == {reason: 1}
    assert counts.requested == counts.created == 0


def test_values_of_the_wrong_type_are_counted_by_feature_and_left_out() -> None:
    lines = [
        requested({"age": "forty", "smoker": "yes", "region": "north"}),
        requested({"age": True, "smoker": 1, "region": 3}),
        requested({"age": None, "smoker": True, "region": "moon"}),
        requested({"age": float("nan"), "smoker": [True], "region": {"name": "north"}}),
        created({PREDICTION: "cheap"}),
    ]
    logged = collect(lines, BASELINE)
    assert logged.counts().wrong_type == {"age": 4, "smoker": 3, PREDICTION: 1, "region": 2}
    assert logged.values == {
        "age": [],
        "smoker": [True],
        "region": ["north", "moon"],
        PREDICTION: [],
    }
    assert logged.counts().requested == 4


def test_features_no_record_carries_are_not_carried() -> None:
    logged = collect(log_lines(customers(rows=10), inputs=("age", "region")), BASELINE)
    assert logged.carried == {"age", "region", PREDICTION}
    assert logged.values["smoker"] == []


def test_standard_input_is_read_for_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(requested(GOOD) + "\n"))
    assert collect(open_logs("-"), BASELINE).counts().requested == 1


def test_bytes_that_are_not_utf8_make_a_bad_line_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "service.log"
    path.write_bytes(b"\xff\xfe\x00garbage\n" + requested(GOOD).encode() + b"\n")
    with open_logs(path) as stream:
        counts = collect(stream, BASELINE).counts()
    assert (counts.bad, counts.requested) == ({NOT_JSON: 1}, 1)


def test_the_time_is_read_where_the_service_s_formatter_writes_it() -> None:
    """The JSON formatter of configuration/logging.yaml, built as its settings say."""
    settings = yaml.safe_load((CONFIGURATION_DIR / "logging.yaml").read_text())
    options = dict(settings["dict_config"]["formatters"]["json"])
    module, _, name = options.pop("()").rpartition(".")
    formatter = getattr(importlib.import_module(module), name)(**options)
    line = formatter.format(logging.LogRecord("x", logging.INFO, __file__, 1, "hi", None, None))
    moment = record_time(json.loads(line))
    assert moment is not None
    assert abs((datetime.now(UTC) - moment).total_seconds()) < 60


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-01T10:00:00.250000+00:00", datetime(2025, 3, 1, 10, 0, 0, 250000, tzinfo=UTC)),
        ("2025-03-01T12:00:00+02:00", datetime(2025, 3, 1, 10, tzinfo=UTC)),
        ("2025-03-01T10:00:00Z", datetime(2025, 3, 1, 10, tzinfo=UTC)),
        ("2025-03-01T10:00:00", datetime(2025, 3, 1, 10, tzinfo=UTC)),  # no zone: UTC
        ("yesterday", None),
        (1740823200, None),
    ],
)
def test_a_record_s_time_is_read_in_utc(value: object, expected: datetime | None) -> None:
    assert record_time({TIMESTAMP: value}) == expected
    assert record_time({}) is None


def test_the_period_runs_from_the_first_to_the_last_record_used() -> None:
    lines = [
        requested(GOOD, timestamp="2025-03-01T10:30:00+00:00"),
        created({PREDICTION: 1.0}, timestamp="2025-03-01T10:05:00+00:00"),
        requested(GOOD, timestamp="2025-03-01T11:04:30+00:00"),
        requested(GOOD, timestamp="not a time"),
        record("Startup", timestamp="2025-03-01T09:00:00+00:00"),  # not used: not counted
        requested(GOOD, model="other", timestamp="2025-03-01T12:00:00+00:00"),
    ]
    period = collect(lines, BASELINE).period()
    assert period is not None
    assert (period.first, period.last) == (
        datetime(2025, 3, 1, 10, 5, tzinfo=UTC),
        datetime(2025, 3, 1, 11, 4, 30, tzinfo=UTC),
    )
    assert period.seconds == 59 * 60 + 30


def test_without_a_timestamp_there_is_no_period() -> None:
    assert collect([requested(GOOD, timestamp=None)], BASELINE).period() is None
    assert collect([], BASELINE).period() is None
