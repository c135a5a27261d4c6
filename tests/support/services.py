"""Configurations and helpers for service tests."""

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from common.paths import CONFIGURATION_DIR
from common.yaml_files import read_self_contained
from model_service.configuration import INCLUDED_FILES, ServiceConfiguration
from model_service.routes import READY_PATH

LOGGING_DECORATOR = "ml_model_logging.decorator.LoggingDecorator"
MICRO_BATCHING = "model_contract.batching.MicroBatching"
TESTS = Path(__file__).resolve().parents[1]


def stub_configuration(
    model: str = "StubModel",
    metrics: bool = True,
    batching: dict[str, Any] | None = None,
    load_wait_seconds: float = 0,
    metrics_port: int | None = None,
    **model_options: Any,
) -> ServiceConfiguration:
    """A service of one stub model behind the logging decorator; logs go to pytest's caplog.

    With ``batching`` (the micro-batcher's settings), the logging decorator wraps the batcher;
    with ``metrics_port``, /metrics is served on that port alone.
    """
    batcher = [] if batching is None else [{"class_path": MICRO_BATCHING, "kwargs": batching}]
    logging_decorator = {
        "class_path": LOGGING_DECORATOR,
        "kwargs": {"input_fields": ["x"], "output_fields": ["y"]},
    }
    return ServiceConfiguration.model_validate(
        {
            "title": "Stub service",
            "description": "Serves a stub model.",
            "version": "9.9.9",
            "models": [
                {
                    "class_path": f"support.stub_models.{model}",
                    "kwargs": model_options,
                    "decorators": [*batcher, logging_decorator],
                }
            ],
            "metrics": metrics,
            "metrics_port": metrics_port,
            "load_wait_seconds": load_wait_seconds,
            "logging": {
                "use_queue": False,
                "dict_config": {
                    "version": 1,
                    "loggers": {"ml_model_logging": {"level": "INFO", "propagate": True}},
                },
            },
        }
    )


def wait_until_ready(client: TestClient, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while client.get(READY_PATH).status_code != 200:
        if time.monotonic() > deadline:
            raise TimeoutError(client.get(READY_PATH).json())
        time.sleep(0.01)


def stub_service_file(
    directory: Path, fail_smokers: bool = False, metrics_port: int | None = None
) -> Path:
    """The local service's configuration file, serving the insurance stub instead of the model;
    with ``metrics_port``, /metrics on that port alone."""
    configuration = read_self_contained(
        CONFIGURATION_DIR / "local.yaml", "service configuration", INCLUDED_FILES
    )
    configuration["models"][0]["class_path"] = "support.stub_models.InsuranceStubModel"
    configuration["models"][0]["kwargs"] = {"fail_smokers": fail_smokers}
    if metrics_port is not None:
        configuration["metrics_port"] = metrics_port
    path = directory / "stub_service.yaml"
    path.write_text(yaml.safe_dump(configuration))
    return path


@contextmanager
def stub_models_on_pythonpath() -> Iterator[None]:
    """A service in a child process finds ``support.stub_models`` on PYTHONPATH."""
    with pytest.MonkeyPatch.context() as patch:
        paths = [str(TESTS), os.environ.get("PYTHONPATH")]
        patch.setenv("PYTHONPATH", os.pathsep.join(filter(None, paths)))
        yield
