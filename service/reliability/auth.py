"""The optional API key: prediction routes need it, the probes and metrics do not."""

import httpx
from pydantic import BaseModel, Field

from insurance_charges_model.schemas import EXAMPLE_INPUT
from load_test import PREDICTION_ROUTE
from model_service.routes import HEALTH_PATH, METRICS_PATH, READY_PATH, STARTUP_PATH

OPEN_ROUTES = (HEALTH_PATH, READY_PATH, STARTUP_PATH, METRICS_PATH)


class AuthResult(BaseModel):
    request: str = Field(description="What was sent.")
    expected_status: int
    status: int

    @property
    def passed(self) -> bool:
        return self.status == self.expected_status


def check_api_key(url: str, header: str, key: str) -> list[AuthResult]:
    """Predictions without a key, with a wrong one and with the right one; the open routes."""
    wrong = "x" * len(key)
    predictions = [
        ("a prediction without a key", {}, 401),
        ("a prediction with a wrong key", {header: wrong}, 401),
        ("a prediction with the key", {header: key}, 200),
    ]
    with httpx.Client(base_url=url, timeout=10) as client:
        results = [
            AuthResult(
                request=name,
                expected_status=status,
                status=client.post(
                    PREDICTION_ROUTE, json=EXAMPLE_INPUT, headers=headers
                ).status_code,
            )
            for name, headers, status in predictions
        ]
        results += [
            AuthResult(
                request=f"GET {route} without a key",
                expected_status=200,
                status=client.get(route).status_code,
            )
            for route in OPEN_ROUTES
        ]
    return results
