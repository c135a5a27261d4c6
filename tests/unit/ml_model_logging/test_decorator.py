import logging
from collections.abc import Sequence

import pytest

from ml_model_logging.context import prediction_id_context
from ml_model_logging.decorator import PREDICTION_LOGGER, LoggingDecorator, MLModelDecorator
from support.stub_models import StubInput, StubModel

IDENTITY = {"action": "predict", "model_qualified_name": "stub_model", "model_version": "1.2.3"}


class CapturedRecords(Sequence):
    """The records the test has logged so far (caplog keeps one list per test phase)."""

    def __init__(self, caplog: pytest.LogCaptureFixture) -> None:
        self.caplog = caplog

    def __getitem__(self, index: int) -> logging.LogRecord:
        return self.caplog.records[index]

    def __len__(self) -> int:
        return len(self.caplog.records)


@pytest.fixture
def records(caplog: pytest.LogCaptureFixture) -> CapturedRecords:
    caplog.set_level(logging.INFO, logger=PREDICTION_LOGGER)
    return CapturedRecords(caplog)


def fields(record: logging.LogRecord, *names: str) -> dict:
    return {name: getattr(record, name) for name in names}


def decorated(**options: object) -> LoggingDecorator:
    return LoggingDecorator(
        StubModel(), **({"input_fields": ["x"], "output_fields": ["y"]} | options)
    )


def test_same_interface_and_metadata() -> None:
    model = decorated()
    assert (model.qualified_name, model.version, model.display_name) == (
        "stub_model",
        "1.2.3",
        "Stub Model",
    )
    assert model.input_schema is StubInput
    assert model.predict(StubInput(x=2.0)).y == 4.0
    assert [output.y for output in model.predict_batch([StubInput(x=1.0), StubInput(x=3.0)])] == [
        2.0,
        6.0,
    ]


def test_a_prediction_logs_requested_then_created(records: CapturedRecords) -> None:
    with prediction_id_context("request-1"):
        decorated().predict(StubInput(x=2.0, note="secret"))
    requested, created = records
    assert requested.getMessage() == "Prediction requested"
    assert fields(requested, *IDENTITY, "status", "prediction_id", "input") == {
        **IDENTITY,
        "status": "requested",
        "prediction_id": "request-1",
        "input": {"x": 2.0},
    }
    assert created.getMessage() == "Prediction created"
    assert fields(created, *IDENTITY, "status", "prediction_id", "output") == {
        **IDENTITY,
        "status": "success",
        "prediction_id": "request-1",
        "output": {"y": 4.0},
    }
    assert created.latency_ms >= 0


def test_only_allowed_input_fields_are_logged(records: CapturedRecords) -> None:
    decorated(input_fields=[]).predict(StubInput(x=2.0, note="secret"))
    assert records[0].input == {}
    assert all("secret" not in str(record.__dict__) for record in records)


def test_failure_is_logged_then_raised(records: CapturedRecords) -> None:
    with prediction_id_context("request-2"), pytest.raises(RuntimeError, match="stub failure"):
        decorated().predict(StubInput(x=7.0))
    _requested, failed = records
    assert failed.getMessage() == "Prediction failed"
    assert failed.levelno == logging.ERROR
    assert fields(failed, "status", "prediction_id", "error_type", "error_message") == {
        "status": "error",
        "prediction_id": "request-2",
        "error_type": "RuntimeError",
        "error_message": "stub failure for x=7.0",
    }


def test_without_a_request_each_prediction_gets_its_own_id(records: CapturedRecords) -> None:
    model = decorated()
    model.predict(StubInput(x=1.0))
    model.predict(StubInput(x=2.0))
    ids = [record.prediction_id for record in records]
    assert ids[0] == ids[1] != ids[2] == ids[3]


def test_a_batch_logs_one_pair_per_item_with_its_id(records: CapturedRecords) -> None:
    decorated().predict_batch([StubInput(x=1.0), StubInput(x=3.0)], prediction_ids=["a", "b"])
    assert [(record.getMessage(), record.prediction_id) for record in records] == [
        ("Prediction requested", "a"),
        ("Prediction requested", "b"),
        ("Prediction created", "a"),
        ("Prediction created", "b"),
    ]
    assert [record.output for record in records[2:]] == [{"y": 2.0}, {"y": 6.0}]


def test_an_input_without_the_fields_still_reaches_the_model(records: CapturedRecords) -> None:
    """Logging never turns into the error: the model's own error is raised and logged."""
    with pytest.raises(AttributeError, match="'dict' object has no attribute 'x'"):
        decorated().predict({"x": 1.0})
    assert records[0].input == {"x": None}
    assert records[1].error_type == "AttributeError"


def test_a_failed_batch_logs_a_failure_per_item(records: CapturedRecords) -> None:
    with pytest.raises(RuntimeError):
        decorated().predict_batch([StubInput(x=1.0), StubInput(x=7.0)], prediction_ids=["a", "b"])
    assert [(record.getMessage(), record.prediction_id) for record in records[2:]] == [
        ("Prediction failed", "a"),
        ("Prediction failed", "b"),
    ]


def test_batch_ids_must_match_the_inputs() -> None:
    with pytest.raises(ValueError, match="got 1 prediction ids for 2 inputs"):
        decorated().predict_batch([StubInput(x=1.0), StubInput(x=3.0)], prediction_ids=["a"])


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("input_fields", r"input_fields \['age'\] are not fields of StubInput: \['x', 'note'\]"),
        ("output_fields", r"output_fields \['age'\] are not fields of StubOutput: \['y'\]"),
    ],
)
def test_unknown_fields_are_a_configuration_error(option: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decorated(**{option: ["age"]})


def test_the_base_decorator_passes_everything_through() -> None:
    model = MLModelDecorator(StubModel(factor=3.0))
    assert model.predict(StubInput(x=2.0)).y == 6.0
    assert model.factor == 3.0


def test_with_return_exceptions_a_bad_item_fails_alone(records: CapturedRecords) -> None:
    data = [StubInput(x=1.0), StubInput(x=StubModel.FAILING_X), StubInput(x=3.0)]
    outcomes = decorated().predict_batch(data, ["a", "b", "c"], return_exceptions=True)
    assert [outcome.y for outcome in (outcomes[0], outcomes[2])] == [2.0, 6.0]
    assert isinstance(outcomes[1], RuntimeError)
    outcome_records = [(record.prediction_id, record.getMessage()) for record in records[3:]]
    assert outcome_records == [
        ("a", "Prediction created"),
        ("b", "Prediction failed"),
        ("c", "Prediction created"),
    ]
    assert [record.getMessage() for record in records[:3]] == ["Prediction requested"] * 3


def test_without_return_exceptions_a_failing_batch_raises_and_logs_each_failure(
    records: CapturedRecords,
) -> None:
    data = [StubInput(x=1.0), StubInput(x=StubModel.FAILING_X)]
    with pytest.raises(RuntimeError, match="stub failure in batch"):
        decorated().predict_batch(data, ["a", "b"])
    assert [record.getMessage() for record in records[2:]] == ["Prediction failed"] * 2


def test_a_plain_decorator_isolates_failures_of_an_undecorated_model() -> None:
    data = [StubInput(x=StubModel.FAILING_X), StubInput(x=2.0)]
    outcomes = MLModelDecorator(StubModel()).predict_batch(data, return_exceptions=True)
    assert isinstance(outcomes[0], RuntimeError)
    assert outcomes[1].y == 4.0
