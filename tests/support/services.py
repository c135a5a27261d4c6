"""Configurations and helpers for service tests."""

import time
from typing import Any

from fastapi.testclient import TestClient

from model_service.configuration import ServiceConfiguration

LOGGING_DECORATOR = "ml_model_logging.decorator.LoggingDecorator"


def stub_configuration(
    model: str = "StubModel",
    metrics: bool = True,
    batching: dict[str, Any] | None = None,
    load_wait_seconds: float = 0,
    **model_options: Any,
) -> ServiceConfiguration:
    """A service of one stub model behind the logging decorator; logs go to pytest's caplog."""
    return ServiceConfiguration.model_validate(
        {
            "title": "Stub service",
            "description": "Serves a stub model.",
            "version": "9.9.9",
            "models": [
                {
                    "class_path": f"support.stub_models.{model}",
                    "kwargs": model_options,
                    "decorators": [
                        {
                            "class_path": LOGGING_DECORATOR,
                            "kwargs": {"input_fields": ["x"], "output_fields": ["y"]},
                        }
                    ],
                    "batching": batching,
                }
            ],
            "metrics": metrics,
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
    while client.get("/api/health/ready").status_code != 200:
        if time.monotonic() > deadline:
            raise TimeoutError(client.get("/api/health/ready").json())
        time.sleep(0.01)
