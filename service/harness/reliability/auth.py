"""The optional API key: prediction routes need it, the probes and metrics do not.

During a rotation the service holds two keys, the current one and the next one, and takes either.
"""

from collections.abc import Sequence

import httpx
from pydantic import BaseModel, Field

from insurance_charges_model.schemas import EXAMPLE_INPUT
from model_service.routes import (
    HEALTH_PATH,
    METRICS_PATH,
    PREDICTION_ROUTE,
    READY_PATH,
    STARTUP_PATH,
)

OPEN_ROUTES = (HEALTH_PATH, READY_PATH, STARTUP_PATH, METRICS_PATH)


class AuthResult(BaseModel):
    request: str = Field(description="What was sent.")
    expected_status: int
    status: int

    @property
    def passed(self) -> bool:
        return self.status == self.expected_status


def key_requests(header: str, keys: Sequence[str]) -> list[tuple[str, dict[str, str], int]]:
    """The predictions to send, each with its headers and the status it should get: without a
    key and with a wrong one (401), then with each key the service holds (200)."""
    wrong = "x" * len(keys[0])
    names = ["the key"] if len(keys) == 1 else ["the current key", "the next key"]
    return [
        ("a prediction without a key", {}, 401),
        ("a prediction with a wrong key", {header: wrong}, 401),
        *(
            (f"a prediction with {name}", {header: key}, 200)
            for name, key in zip(names, keys, strict=True)
        ),
    ]


def open_route_urls(url: str, metrics_url: str) -> dict[str, str]:
    """Each open route's URL: /metrics at ``metrics_url`` (its own port, when it has one), the
    probes at ``url``."""
    return {route: (metrics_url if route == METRICS_PATH else url) + route for route in OPEN_ROUTES}


def check_api_key(
    url: str,
    header: str,
    keys: Sequence[str],
    transport: httpx.BaseTransport | None = None,
    metrics_url: str | None = None,
) -> list[AuthResult]:
    """Predictions without a key, with a wrong one and with each of ``keys`` (the current key,
    and the next one when the service holds two); the open routes, /metrics at ``metrics_url``
    (None: ``url``). ``transport``: for tests."""
    predictions = key_requests(header, keys)
    with httpx.Client(base_url=url, timeout=10, transport=transport) as client:
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
                status=client.get(route_url).status_code,
            )
            for route, route_url in open_route_urls(url, metrics_url or url).items()
        ]
    return results
