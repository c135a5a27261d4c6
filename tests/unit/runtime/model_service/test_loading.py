import gc
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from ml_model_logging.decorator import LoggingDecorator
from model_contract.batching import MicroBatching
from model_contract.servable import InlineModel
from model_service import loading
from model_service.configuration import ModelConfiguration
from model_service.loading import (
    WORKER_READY,
    ModelRegistry,
    build_model,
    seconds_since_process_start,
)
from support.stub_models import StubInput

STUB = "support.stub_models.StubModel"
BROKEN = "support.stub_models.BrokenStubModel"


@pytest.mark.anyio
async def test_decorators_wrap_in_order_the_first_innermost() -> None:
    configuration = ModelConfiguration(
        class_path="support.stub_models.StubModel",
        kwargs={"factor": 3.0},
        decorators=[
            {"class_path": "model_contract.batching.MicroBatching"},
            {
                "class_path": "ml_model_logging.decorator.LoggingDecorator",
                "kwargs": {"input_fields": ["x"]},
            },
        ],
    )
    model = build_model(configuration)
    assert isinstance(model, LoggingDecorator)
    assert isinstance(model.model, MicroBatching)
    assert isinstance(model.model.model, InlineModel)
    assert (await model.predict(StubInput(x=2.0))).y == 6.0
    await model.close()


def test_a_decorator_that_is_not_servable_is_refused() -> None:
    configuration = ModelConfiguration(
        class_path="support.stub_models.StubModel",
        decorators=[{"class_path": "support.stub_models.StubModel"}],
    )
    with pytest.raises(TypeError):
        build_model(configuration)


def test_registry_keeps_the_loading_error() -> None:
    registry = ModelRegistry()
    registry.load([ModelConfiguration(class_path="support.stub_models.BrokenStubModel")])
    assert not registry.ready
    assert registry.error == "RuntimeError: artifact refused"
    assert registry.models == {}


def test_registry_is_ready_once_every_model_loaded() -> None:
    registry = ModelRegistry()
    assert not registry.ready
    registry.load([ModelConfiguration(class_path="support.stub_models.StubModel")])
    assert registry.ready
    assert list(registry.models) == ["stub_model"]


@pytest.mark.anyio
async def test_waiting_for_a_model_ends_when_loading_does() -> None:
    registry = ModelRegistry()
    registry.load([ModelConfiguration(class_path="support.stub_models.BrokenStubModel")])
    assert await registry.wait_for("broken_stub_model", seconds=30) is None


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Whatever a test freezes is given back to the collector afterwards."""
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
@pytest.mark.parametrize("freeze", [True, False])
def test_the_long_lived_objects_are_frozen_only_when_asked(
    freeze: bool, caplog: pytest.LogCaptureFixture
) -> None:
    registry = ModelRegistry()
    with caplog.at_level(logging.INFO, logger="model_service.loading"):
        registry.load([ModelConfiguration(class_path=STUB)], freeze=freeze)
    assert registry.ready
    assert (gc.get_freeze_count() > 0) is freeze
    frozen = [record for record in caplog.records if record.message == "Long-lived objects frozen"]
    assert len(frozen) == int(freeze)


@pytest.mark.usefixtures("unfrozen")
def test_a_model_that_fails_to_load_freezes_nothing() -> None:
    registry = ModelRegistry()
    registry.load([ModelConfiguration(class_path=BROKEN)], freeze=True)
    assert registry.error
    assert gc.get_freeze_count() == 0


def test_a_ready_worker_says_how_long_since_its_process_started(
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry = ModelRegistry()
    with caplog.at_level(logging.INFO, logger="model_service.loading"):
        registry.load([ModelConfiguration(class_path=STUB)])
    [ready] = [record for record in caplog.records if record.message == WORKER_READY]
    assert ready.seconds_since_start is None or ready.seconds_since_start > 0


def test_a_worker_that_fails_to_load_is_not_ready(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="model_service.loading"):
        ModelRegistry().load([ModelConfiguration(class_path=BROKEN)])
    assert WORKER_READY not in [record.message for record in caplog.records]


def test_the_process_age_comes_from_proc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Field 22 of stat(5), in clock ticks since boot, against the uptime; a name with spaces
    and a parenthesis does not shift the fields."""
    ticks = os.sysconf("SC_CLK_TCK")
    fields = ["S", *["0"] * 18, str(50 * ticks), "0"]
    (tmp_path / "stat").write_text(f"42 (a (b) c) {' '.join(fields)}\n")
    (tmp_path / "uptime").write_text("52.50 100.00\n")
    monkeypatch.setattr(loading, "PROC_SELF_STAT", tmp_path / "stat")
    monkeypatch.setattr(loading, "PROC_UPTIME", tmp_path / "uptime")
    assert seconds_since_process_start() == 2.5


@pytest.mark.parametrize("stat", ["", "42 (x) S 1 2", "42 (x) " + " ".join(["z"] * 22)])
def test_without_a_readable_proc_the_age_is_unknown(
    stat: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "stat").write_text(stat)
    monkeypatch.setattr(loading, "PROC_SELF_STAT", tmp_path / "stat")
    monkeypatch.setattr(loading, "PROC_UPTIME", tmp_path / "absent")
    assert seconds_since_process_start() is None
