"""The predictions through the Service, against a mock transport: the example passes, an error
or a wrong answer fails, and the load names its failures."""

import json
from collections.abc import Callable

import httpx
import pytest

from cluster_check.predictions import batches, customers, load, prediction
from insurance_charges_model.schemas import EXAMPLE_INPUT, InsuranceChargesModelInput
from model_service.routes import PREDICTION_ROUTE

Handler = Callable[[httpx.Request], httpx.Response]


def service(handler: Handler) -> httpx.Client:
    return httpx.Client(base_url="http://service", transport=httpx.MockTransport(handler))


def priced(request: httpx.Request) -> httpx.Response:
    assert request.url.path == PREDICTION_ROUTE
    InsuranceChargesModelInput.model_validate(json.loads(request.content))
    return httpx.Response(200, json={"charges": 8640.78})


def test_the_example_customer_is_priced() -> None:
    outcome = prediction(service(priced))
    assert outcome.passed
    assert outcome.detail.startswith("charges 8,640.78 for")


def test_an_error_answer_fails_with_its_status() -> None:
    outcome = prediction(service(lambda request: httpx.Response(503, text="not ready")))
    assert not outcome.passed
    assert outcome.detail == "HTTP 503: not ready"


def test_an_answer_without_charges_is_an_error() -> None:
    with pytest.raises(ValueError, match="charges"):
        prediction(service(lambda request: httpx.Response(200, json={"price": 1})))


def test_the_load_is_every_training_customer_each_a_valid_request() -> None:
    bodies = customers()
    assert len(bodies) > 1_000
    assert EXAMPLE_INPUT.keys() == bodies[0].keys()
    for body in bodies[:50]:
        InsuranceChargesModelInput.model_validate(body)


def test_a_load_answered_in_full_passes() -> None:
    assert load(service(priced), customers()[:5]).detail == "5 predictions"


def test_a_load_with_failures_counts_them_and_names_the_first() -> None:
    answers = iter([200, 500, 200, 429])

    def flaky(request: httpx.Request) -> httpx.Response:
        code = next(answers)
        return httpx.Response(code, json={"charges": 1.0} if code == 200 else {"detail": code})

    outcome = load(service(flaky), customers()[:4])
    assert not outcome.passed
    assert outcome.detail == '2 of 4 predictions failed: HTTP 500: {"detail":500}'


def test_batches_go_round_the_bodies() -> None:
    trickle = batches([{"n": 1}, {"n": 2}, {"n": 3}], 2)
    assert [next(trickle) for _ in range(2)] == [[{"n": 1}, {"n": 2}], [{"n": 3}, {"n": 1}]]
