import logging
from collections.abc import Sequence

import pytest

from ml_model_logging.decorator import PREDICTION_LOGGER, LoggingDecorator
from model_contract.context import batch_prediction_ids_context, prediction_id_context
from model_contract.servable import ServableModel, served
from support.stub_models import StubInput, StubModel

pytestmark = pytest.mark.anyio
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
        served(StubModel()), **({"input_fields": ["x"], "output_fields": ["y"]} | options)
    )


def messages(records: Sequence[logging.LogRecord]) -> list[tuple[str, str]]:
    return [(record.getMessage(), record.prediction_id) for record in records]


async def test_same_protocol_and_metadata() -> None:
    model = decorated()
    assert isinstance(model, ServableModel)
    assert (model.qualified_name, model.version, model.display_name) == (
        "stub_model",
        "1.2.3",
        "Stub Model",
    )
    assert model.input_schema is StubInput
    assert (await model.predict(StubInput(x=2.0))).y == 4.0
    batch = await model.predict_batch([StubInput(x=1.0), StubInput(x=3.0)])
    assert [output.y for output in batch] == [2.0, 6.0]


async def test_a_prediction_logs_requested_then_created(records: CapturedRecords) -> None:
    with prediction_id_context("request-1"):
        await decorated().predict(StubInput(x=2.0, note="secret"))
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


async def test_only_allowed_input_fields_are_logged(records: CapturedRecords) -> None:
    await decorated(input_fields=[]).predict(StubInput(x=2.0, note="secret"))
    assert records[0].input == {}
    assert all("secret" not in str(record.__dict__) for record in records)


async def test_failure_is_logged_then_raised(records: CapturedRecords) -> None:
    with prediction_id_context("request-2"), pytest.raises(RuntimeError, match="stub failure"):
        await decorated().predict(StubInput(x=7.0))
    _requested, failed = records
    assert failed.getMessage() == "Prediction failed"
    assert failed.levelno == logging.ERROR
    assert fields(failed, "status", "prediction_id", "error_type", "error_message") == {
        "status": "error",
        "prediction_id": "request-2",
        "error_type": "RuntimeError",
        "error_message": "stub failure for x=7.0",
    }


async def test_without_a_request_each_prediction_gets_its_own_id(
    records: CapturedRecords,
) -> None:
    model = decorated()
    await model.predict(StubInput(x=1.0))
    await model.predict(StubInput(x=2.0))
    ids = [record.prediction_id for record in records]
    assert ids[0] == ids[1] != ids[2] == ids[3]


async def test_a_batch_logs_one_pair_per_item_with_the_batch_ids(
    records: CapturedRecords,
) -> None:
    with batch_prediction_ids_context(["a", "b"]):
        await decorated().predict_batch([StubInput(x=1.0), StubInput(x=3.0)])
    assert messages(records) == [
        ("Prediction requested", "a"),
        ("Prediction requested", "b"),
        ("Prediction created", "a"),
        ("Prediction created", "b"),
    ]
    assert [record.output for record in records[2:]] == [{"y": 2.0}, {"y": 6.0}]


async def test_a_batch_without_ids_gets_one_new_id_per_item(records: CapturedRecords) -> None:
    await decorated().predict_batch([StubInput(x=1.0), StubInput(x=3.0)])
    requested = [record.prediction_id for record in records[:2]]
    assert len(set(requested)) == 2
    assert [record.prediction_id for record in records[2:]] == requested


async def test_an_input_without_the_fields_still_reaches_the_model(
    records: CapturedRecords,
) -> None:
    """Logging never turns into the error: the model's own error is raised and logged."""
    with pytest.raises(AttributeError, match="'list' object has no attribute 'x'"):
        await decorated().predict([1.0])
    assert records[0].input == {"x": None}
    assert records[1].error_type == "AttributeError"


async def test_a_raw_dict_that_fails_keeps_its_allowed_inputs_in_the_records(
    records: CapturedRecords,
) -> None:
    """A caller that skipped validation: the audit trail keeps what it sent, allowlisted."""
    with prediction_id_context("raw-1"), pytest.raises(AttributeError, match="no attribute 'x'"):
        await decorated().predict({"x": "not a number", "note": "secret"})
    requested, failed = records
    assert requested.input == {"x": "not a number"}
    assert failed.getMessage() == "Prediction failed"
    assert failed.prediction_id == "raw-1"
    assert all("secret" not in str(record.__dict__) for record in records)


async def test_a_raw_dict_without_a_field_logs_it_as_missing(records: CapturedRecords) -> None:
    with pytest.raises(AttributeError):
        await decorated().predict({"z": 1.0})
    assert records[0].input == {"x": None}


async def test_a_failed_batch_logs_a_failure_per_item_then_raises(
    records: CapturedRecords,
) -> None:
    with (
        batch_prediction_ids_context(["a", "b"]),
        pytest.raises(RuntimeError, match="stub failure in batch"),
    ):
        await decorated().predict_batch([StubInput(x=1.0), StubInput(x=7.0)])
    assert messages(records[2:]) == [("Prediction failed", "a"), ("Prediction failed", "b")]


async def test_batch_ids_must_match_the_inputs(records: CapturedRecords) -> None:
    with (
        batch_prediction_ids_context(["a"]),
        pytest.raises(ValueError, match="a batch of 2 inputs has 1 prediction ids"),
    ):
        await decorated().predict_batch([StubInput(x=1.0), StubInput(x=3.0)])
    assert len(records) == 0


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("input_fields", r"input_fields \['age'\] are not fields of StubInput: \['x', 'note'\]"),
        ("output_fields", r"output_fields \['age'\] are not fields of StubOutput: \['y'\]"),
    ],
)
async def test_unknown_fields_are_a_configuration_error(option: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decorated(**{option: ["age"]})


async def test_a_plain_model_is_refused_it_must_be_served_first() -> None:
    with pytest.raises(TypeError, match="StubModel is not a ServableModel: it has no close"):
        LoggingDecorator(StubModel())


STANDARD_ATTRIBUTES = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__)
FORMATTED = {"message", "asctime"}  # set by a formatter (caplog's), not by the decorator


async def test_the_fields_never_clash_with_a_record_s_attributes(records: CapturedRecords) -> None:
    """The decorator sets its fields without ``extra``'s check: this is that check."""
    await decorated().predict(StubInput(x=2.0))
    with pytest.raises(RuntimeError):
        await decorated().predict(StubInput(x=7.0))
    for record in records:
        names = record.__dict__.keys() - STANDARD_ATTRIBUTES - FORMATTED
        assert names >= {"action", "status", "prediction_id", "latency_ms"} or "input" in names
        fields = {name: record.__dict__[name] for name in names}
        logging.getLogger(PREDICTION_LOGGER).makeRecord(
            PREDICTION_LOGGER, logging.INFO, "", 0, "", (), None, extra=fields
        )  # KeyError("Attempt to overwrite ...") on a clash


@pytest.mark.parametrize(
    ("srcfile", "functions"),
    [
        (logging._srcfile, ["_log_requested", "_log_created", "_log_requested", "_log_failed"]),
        (None, ["(unknown function)"] * 4),  # lean records
    ],
)
async def test_records_name_their_caller_as_logger_info_would(
    records: CapturedRecords, monkeypatch: pytest.MonkeyPatch, srcfile: str, functions: list
) -> None:
    monkeypatch.setattr(logging, "_srcfile", srcfile)
    await decorated().predict(StubInput(x=2.0))
    with pytest.raises(RuntimeError):
        await decorated().predict(StubInput(x=7.0))
    assert [record.funcName for record in records] == functions
    assert all(record.pathname.endswith("decorator.py") for record in records) is bool(srcfile)


async def test_below_the_logger_s_level_nothing_is_logged_and_predictions_go_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.CRITICAL, logger=PREDICTION_LOGGER)
    assert (await decorated().predict(StubInput(x=2.0))).y == 4.0
    assert caplog.records == []


async def test_the_logger_s_filters_still_apply(
    records: CapturedRecords, monkeypatch: pytest.MonkeyPatch
) -> None:
    logger = logging.getLogger(PREDICTION_LOGGER)
    monkeypatch.setattr(logger, "filters", [lambda record: record.status != "requested"])
    await decorated().predict(StubInput(x=2.0))
    assert [record.status for record in records] == ["success"]
