"""A prediction's body, read and validated by hand: FastAPI's errors, without its machinery."""

import asyncio
import json
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from model_service.app import add_error_handlers, create_app
from model_service.bodies import (
    PARSE_FAILURE,
    is_parse_failure,
    json_answer,
    validated_body,
    why_unparsable,
)
from model_service.guards import JSON_MEDIA_TYPE
from model_service.routes import prediction_route
from support.services import stub_configuration, wait_until_ready
from support.stub_models import StubInput, StubModel, StubOutput

PREDICT = prediction_route(StubModel.qualified_name)


def request_with(body: bytes, content_type: str | None = JSON_MEDIA_TYPE) -> Request:
    """A POST whose body arrives in one message, as uvicorn sends a small one."""
    headers = [(b"content-type", content_type.encode())] if content_type is not None else []

    async def receive() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {"type": "http", "method": "POST", "path": PREDICT, "headers": headers}
    return Request(scope, receive)


def validate(body: bytes, content_type: str | None = JSON_MEDIA_TYPE) -> BaseModel:
    return asyncio.run(validated_body(request_with(body, content_type), StubInput))


def test_a_valid_body_is_the_schema_instance() -> None:
    data = validate(b'{"x": 2.5, "note": "hi"}')
    assert type(data) is StubInput
    assert data == StubInput(x=2.5, note="hi")


def test_a_json_media_type_with_parameters_is_accepted() -> None:
    assert validate(b'{"x": 1}', "application/json; charset=utf-8") == StubInput(x=1.0)


@pytest.mark.parametrize(
    ("content_type", "named"),
    [("text/plain", "Content-Type 'text/plain'"), (None, "no Content-Type")],
)
def test_a_body_not_declared_as_json_is_415(content_type: str | None, named: str) -> None:
    with pytest.raises(HTTPException) as raised:
        validate(b'{"x": 1}', content_type)
    assert raised.value.status_code == 415
    assert raised.value.detail == (
        f"Send the body as JSON with Content-Type: {JSON_MEDIA_TYPE}; this request has {named}."
    )


def test_an_empty_body_is_one_missing_body() -> None:
    with pytest.raises(RequestValidationError) as raised:
        validate(b"")
    [problem] = raised.value.errors()
    assert (problem["type"], problem["loc"], problem["msg"]) == (
        "missing",
        ("body",),
        "Field required",
    )


def test_malformed_json_is_located_where_the_parser_stopped() -> None:
    with pytest.raises(RequestValidationError) as raised:
        validate(b'{"x": 1')
    [problem] = raised.value.errors()
    assert problem["type"] == "json_invalid"
    assert problem["loc"] == ("body", 7)
    assert problem["ctx"] == {"error": "Expecting ',' delimiter"}
    assert raised.value.body == '{"x": 1'


NESTED_TOO_DEEPLY = b"[" * 10_000 + b"]" * 10_000
NUMBER_TOO_LONG = b'{"x": ' + b"9" * 5_000 + b"}"


@pytest.mark.parametrize(
    ("body", "cause", "reason"),
    [
        (b'{"note": "\xff"}', UnicodeDecodeError, "it is not UTF-8 ("),
        (NESTED_TOO_DEEPLY, RecursionError, "its arrays or objects are nested too deeply"),
        (NUMBER_TOO_LONG, ValueError, "a number is too long (more than 4,300 digits)"),
    ],
    ids=["not UTF-8", "nested too deeply", "a number too long"],
)
def test_a_body_the_decoder_refuses_is_fastapis_400_naming_the_cause(
    body: bytes, cause: type[Exception], reason: str
) -> None:
    with pytest.raises(HTTPException) as raised:
        validate(body)
    assert is_parse_failure(raised.value)
    assert type(raised.value.__cause__) is cause
    assert why_unparsable(raised.value.__cause__).startswith(reason)


def test_an_unforeseen_decoder_error_is_named_by_its_type() -> None:
    assert why_unparsable(OverflowError("big")) == "it could not be decoded (OverflowError)"


def test_only_the_400_of_a_body_that_would_not_decode_is_a_parse_failure() -> None:
    caused = HTTPException(400, PARSE_FAILURE)
    caused.__cause__ = ValueError("bad")
    assert is_parse_failure(caused)
    assert not is_parse_failure(HTTPException(400, PARSE_FAILURE))
    other = HTTPException(400, "Something else")
    other.__cause__ = ValueError("bad")
    assert not is_parse_failure(other)


@pytest.mark.parametrize(
    ("body", "locations"),
    [
        (b"[1, 2]", [("body",)]),
        (b'{"x": "2"}', [("body", "x")]),
        (b'{"x": 11, "extra": 1}', [("body", "x"), ("body", "extra")]),
    ],
)
def test_a_body_that_does_not_fit_has_its_problems_under_body_without_urls(
    body: bytes, locations: list[tuple]
) -> None:
    with pytest.raises(RequestValidationError) as raised:
        validate(body)
    problems = raised.value.errors()
    assert [problem["loc"] for problem in problems] == locations
    assert not [problem for problem in problems if "url" in problem]
    assert raised.value.body == json.loads(body)


def test_the_answer_is_json_written_by_its_schema() -> None:
    result = StubOutput(y=4.0)
    response = json_answer(result)
    assert response.media_type == JSON_MEDIA_TYPE
    assert response.headers["content-type"] == JSON_MEDIA_TYPE
    assert response.body == result.model_dump_json().encode()


# The same bad bodies, sent to our route and to a FastAPI route taking the schema as a body
# parameter, both answered by the service's error handlers: the client sees no difference.
BAD_BODIES = {
    "malformed JSON": b'{"x": 1',
    "an array": b"[1, 2]",
    "a missing field": b'{"note": "a"}',
    "a wrong type": b'{"x": "2"}',
    "an extra field": b'{"x": 1, "extra": 1}',
    "an empty body": b"",
    "not UTF-8": b'{"x": 1, "note": "\xff"}',
    "nested too deeply": NESTED_TOO_DEEPLY,
    "a number too long": NUMBER_TOO_LONG,
}


def fastapi_app() -> FastAPI:
    """FastAPI's own body parameter, with the service's error handlers."""
    app = FastAPI()
    add_error_handlers(app)

    @app.post(PREDICT)
    async def predict(data: StubInput) -> StubOutput:
        return StubOutput(y=data.x)

    return app


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[TestClient, TestClient]]:
    with (
        TestClient(create_app(stub_configuration())) as ours,
        TestClient(fastapi_app()) as fastapis,
    ):
        wait_until_ready(ours)
        yield ours, fastapis


def answer(client: TestClient, body: bytes) -> tuple[int, list[tuple]]:
    response = client.post(PREDICT, content=body, headers={"content-type": JSON_MEDIA_TYPE})
    problems = [
        (problem["loc"], problem["msg"], problem["type"]) for problem in response.json()["detail"]
    ]
    return response.status_code, problems


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_are_answered_as_fastapi_answers_them(
    clients: tuple[TestClient, TestClient], body: bytes
) -> None:
    ours, fastapis = clients
    status, problems = answer(ours, body)
    assert status in (400, 422)
    assert (status, problems) == answer(fastapis, body)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"x": 1', "The body is not valid JSON: Expecting ',' delimiter at character 7."),
        (
            NESTED_TOO_DEEPLY,
            "The body is not valid JSON: its arrays or objects are nested too deeply.",
        ),
        (
            NUMBER_TOO_LONG,
            "The body is not valid JSON: a number is too long (more than 4,300 digits).",
        ),
    ],
    ids=["malformed", "nested too deeply", "a number too long"],
)
def test_a_body_that_is_not_json_is_400_saying_what_is_wrong(
    clients: tuple[TestClient, TestClient], body: bytes, message: str
) -> None:
    ours, _ = clients
    status, problems = answer(ours, body)
    assert (status, problems) == (400, [(["body"], message, "json_invalid")])
