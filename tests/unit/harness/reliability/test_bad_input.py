"""The catalogue of bad requests, and how their answers are judged."""

import json

import httpx

from reliability.bad_input import (
    BadRequest,
    bad_requests,
    customer,
    error_text,
    judge,
    oversized,
    with_long_age,
)


def test_a_customer_with_a_field_dropped_or_changed() -> None:
    body = json.loads(customer(age=50, smoker=None))
    assert body["age"] == 50
    assert "smoker" not in body


def test_the_oversized_body_is_one_byte_over() -> None:
    assert len(oversized(65_536)) == 65_537
    json.loads(oversized(65_536))


def test_a_long_age_has_the_digits_asked_for_and_the_other_fields() -> None:
    body = with_long_age(5_000)
    assert body.count(b"9") >= 5_000
    assert json.loads(body.replace(b"9" * 5_000, b"42")) == json.loads(customer(age=42))


def test_a_streamed_body_comes_in_chunks() -> None:
    request = BadRequest("big", b"a" * 10_000, 413, "limit", chunked=True)
    assert b"".join(request.body()) == b"a" * 10_000
    assert not isinstance(request.body(), bytes)


def test_the_catalogue_covers_each_kind_of_bad_input() -> None:
    statuses = {request.status for request in bad_requests(65_536)}
    assert statuses == {400, 413, 415, 422}


def test_error_text_of_each_error_shape() -> None:
    problems = httpx.Response(422, json={"detail": [{"field": "age", "msg": "too old"}]})
    assert error_text(problems) == "age: too old"
    assert error_text(httpx.Response(415, json={"detail": "Send JSON"})) == "Send JSON"
    assert error_text(httpx.Response(413, text="Content Too Large")) == "Content Too Large"


def test_judge_names_a_wrong_status_a_vague_error_and_a_logged_prediction() -> None:
    request = BadRequest("age out of range", b"{}", 422, "less than or equal")
    sent = [
        (request, "id-1", httpx.Response(422, json={"detail": "less than or equal to 65"})),
        (request, "id-2", httpx.Response(200, json={"charges": 1.0})),
        (request, "id-3", httpx.Response(422, json={"detail": "bad"})),
    ]
    logged = [{"message": "Prediction requested", "prediction_id": "id-2"}]
    first, second, third = judge(sent, logged)
    assert first.passed
    assert not second.passed
    assert second.prediction_records == 1
    assert not third.passed
    assert not third.says_why
