"""No client input reaches a 5xx: the real service, as configured locally, under generated bodies.

Hypothesis throws arbitrary bytes, JSON-like text, customers with arbitrary values, bodies nested
deeply and values too large at the prediction route. Whatever comes, the answer is not a server
error, nothing is logged at ERROR, and the next good request is still answered.
"""

import json
import logging
import math
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from common.paths import CONFIGURATION_DIR
from insurance_charges_model.artifact import ARTIFACT_NAME
from insurance_charges_model.model import MODEL_PATH_ENV_VAR
from insurance_charges_model.schemas import (
    AGE_RANGE,
    BMI_RANGE,
    CHILDREN_RANGE,
    EXAMPLE_INPUT,
    FEATURE_NAMES,
    Region,
    Sex,
)
from model_service.app import create_app
from model_service.configuration import load_configuration
from model_service.guards import JSON_MEDIA_TYPE
from model_service.routes import PREDICTION_ROUTE
from support.services import wait_until_ready

EXAMPLES = 250
GENERATED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Any JSON value, and the same as text: scalars first, then arrays and objects of them.
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5)
    ),
    max_leaves=12,
)
# A customer whose fields hold any JSON value, some left out, some unknown ones added.
customers = st.dictionaries(
    st.sampled_from(FEATURE_NAMES) | st.text(max_size=8), json_values, max_size=8
)
# The example customer with some of its fields given any JSON value.
customer_like = st.dictionaries(st.sampled_from(FEATURE_NAMES), json_values).map(
    lambda changes: {**EXAMPLE_INPUT, **changes}
)
# Customers the schema accepts, from edge to edge of each range.
valid_customers = st.fixed_dictionaries(
    {
        "age": st.integers(*AGE_RANGE),
        "sex": st.sampled_from(get_args(Sex)),
        "bmi": st.floats(*BMI_RANGE),
        "children": st.integers(*CHILDREN_RANGE),
        "smoker": st.booleans(),
        "region": st.sampled_from(get_args(Region)),
    }
)


@st.composite
def nested(draw: st.DrawFn) -> bytes:
    """Arrays or objects nested up to 30,000 deep, alone or as a customer's field."""
    depth = draw(st.integers(min_value=1, max_value=30_000))
    opening, closing = draw(st.sampled_from([(b"[", b"]"), (b'{"a":', b"}")]))
    inner = opening * depth + b"1" + closing * depth
    if draw(st.booleans()):
        return inner
    return json.dumps({**EXAMPLE_INPUT, "age": 0}).encode().replace(b'"age": 0', b'"age": ' + inner)


@st.composite
def huge_values(draw: st.DrawFn) -> bytes:
    """A customer's field holding a number of thousands of digits, an exponent past any float,
    or a long string."""
    field = draw(st.sampled_from(FEATURE_NAMES))
    digits = draw(st.integers(min_value=1, max_value=20_000))
    value = draw(
        st.sampled_from(
            [
                b"9" * digits,
                b"-" + b"9" * digits,
                b"1." + b"5" * digits,
                b"1e" + str(digits).encode(),
                b"1e-" + str(digits).encode(),
                b'"' + b"x" * digits + b'"',
            ]
        )
    )
    body = json.dumps({**EXAMPLE_INPUT, field: 0}).encode()
    return body.replace(f'"{field}": 0'.encode(), f'"{field}": '.encode() + value)


def as_text(value: object) -> bytes:
    return json.dumps(value, allow_nan=True).encode()


bodies = {
    "arbitrary bytes": st.binary(max_size=2_000),
    "arbitrary text": st.text(max_size=500).map(str.encode),
    "any JSON value": json_values.map(as_text),
    "a customer with any values": customers.map(as_text),
    "the example with fields changed": customer_like.map(as_text),
    "JSON with a byte cut or changed": st.tuples(
        customer_like.map(as_text), st.integers(0, 200), st.binary(max_size=3)
    ).map(lambda case: case[0][: case[1]] + case[2] + case[0][case[1] + 1 :]),
    "deeply nested": nested(),
    "huge values": huge_values(),
}


class ErrorRecords(logging.Handler):
    """Keeps every record at ERROR or above that any logger of the service emits."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def loggers_that_handle() -> list[logging.Logger]:
    """The root logger, and every logger that does not pass its records on to it."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    return [logging.root, *(logger for logger in loggers if not logger.propagate)]


@pytest.fixture(scope="module")
def service(model_dir: Path) -> Iterator[tuple[TestClient, ErrorRecords]]:
    """The service as ``make serve`` configures it (real model, logging, micro-batching)."""
    errors = ErrorRecords()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(MODEL_PATH_ENV_VAR, str(model_dir / ARTIFACT_NAME))
        app = create_app(load_configuration(CONFIGURATION_DIR / "local.yaml"))
        with TestClient(app, raise_server_exceptions=False) as client:
            wait_until_ready(client)
            watched = loggers_that_handle()
            for logger in watched:
                logger.addHandler(errors)
            yield client, errors
            for logger in watched:
                logger.removeHandler(errors)


def post(client: TestClient, body: bytes) -> int:
    return answer(client, body)[0]


def answer(client: TestClient, body: bytes) -> tuple[int, dict]:
    response = client.post(
        PREDICTION_ROUTE, content=body, headers={"content-type": JSON_MEDIA_TYPE}
    )
    return response.status_code, response.json()


@pytest.mark.parametrize("kind", bodies.keys())
def test_no_client_input_reaches_a_server_error(
    service: tuple[TestClient, ErrorRecords], kind: str
) -> None:
    client, errors = service

    @GENERATED
    @given(body=bodies[kind])
    def answered_without_error(body: bytes) -> None:
        errors.records.clear()
        status = post(client, body)
        assert status < 500, f"{status} for {body[:200]!r}"
        assert not errors.records, [record.getMessage() for record in errors.records]
        assert post(client, as_text(EXAMPLE_INPUT)) == 200

    answered_without_error()


@GENERATED
@given(customer=valid_customers)
def test_every_customer_the_schema_accepts_is_priced(
    service: tuple[TestClient, ErrorRecords], customer: dict
) -> None:
    client, errors = service
    errors.records.clear()
    status, body = answer(client, as_text(customer))
    assert status == 200, body
    assert math.isfinite(body["charges"])
    assert body["charges"] > 0
    assert not errors.records


def test_the_error_records_are_seen(service: tuple[TestClient, ErrorRecords]) -> None:
    """The check above can fail: an error the app logs reaches the handler."""
    _, errors = service
    errors.records.clear()
    logging.getLogger("model_service.app").error("a test error")
    assert [record.getMessage() for record in errors.records] == ["a test error"]
