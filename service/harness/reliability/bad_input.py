"""Bad requests against the running service: each must get a clear error and no prediction record.

Unknown extra fields are refused (422), not ignored: a client that sends ``income`` or
``smokes`` believes the price depends on it. Refusing tells them at once; ignoring would hand
them a price computed without what they sent.
"""

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
from pydantic import BaseModel, Field

from insurance_charges_model.schemas import EXAMPLE_INPUT
from load_test.service_view import PREDICTION_MESSAGES
from model_service.guards import JSON_MEDIA_TYPE
from model_service.routes import PREDICTION_ROUTE


@dataclass(frozen=True)
class BadRequest:
    """A request the service must refuse: with ``status``, and an error that ``says`` why."""

    name: str
    content: bytes
    status: int
    says: str
    content_type: str | None = JSON_MEDIA_TYPE
    chunked: bool = False  # sent without Content-Length, as a stream

    def body(self) -> bytes | Iterator[bytes]:
        if not self.chunked:
            return self.content
        return (self.content[start : start + 4096] for start in range(0, len(self.content), 4096))


def customer(**changes: Any) -> bytes:
    """The example customer as JSON, with ``changes``; a value of None drops the field."""
    fields = {**EXAMPLE_INPUT, **changes}
    return json.dumps({name: value for name, value in fields.items() if value is not None}).encode()


def with_long_age(digits: int) -> bytes:
    """A customer whose age has ``digits`` digits: more than Python turns into an int by default."""
    return customer(age=0).replace(b'"age": 0', b'"age": ' + b"9" * digits)


def oversized(max_body_bytes: int) -> bytes:
    """A customer padded to one byte over the limit."""
    body = customer(note="")
    return body.replace(b'""', b'"' + b"x" * (max_body_bytes + 1 - len(body)) + b'"')


def bad_requests(max_body_bytes: int) -> list[BadRequest]:
    return [
        BadRequest("malformed JSON", b'{"age": 42,', 400, "not valid JSON"),
        BadRequest("a body that is not UTF-8", b'{"region": "\xff"}', 400, "not UTF-8"),
        BadRequest("arrays nested 10,000 deep", b"[" * 10_000 + b"]" * 10_000, 400, "too deeply"),
        BadRequest("an age of 5,000 digits", with_long_age(5_000), 400, "number is too long"),
        BadRequest("a JSON array, not an object", b"[42, 27.5]", 422, "valid dictionary"),
        BadRequest("a string where a number goes", customer(age="42"), 422, "valid integer"),
        BadRequest("a fractional age", customer(age=42.5), 422, "valid integer"),
        BadRequest("an age out of range", customer(age=130), 422, "less than or equal to 65"),
        BadRequest("a BMI that is NaN", customer(bmi=float("nan")), 422, "finite number"),
        BadRequest("an unknown region", customer(region="mars"), 422, "'northeast'"),
        BadRequest("a field missing", customer(smoker=None), 422, "Field required"),
        BadRequest("an unknown extra field", customer(income=1), 422, "Extra inputs"),
        BadRequest("a body over the limit", oversized(max_body_bytes), 413, "over the limit"),
        BadRequest(
            "a streamed body over the limit",
            oversized(max_body_bytes),
            413,
            "over the limit",
            chunked=True,
        ),
        BadRequest("a wrong content type", customer(), 415, "text/plain", "text/plain"),
        BadRequest("no content type", customer(), 415, "no Content-Type", None),
    ]


class BadInputResult(BaseModel):
    name: str = Field(description="What was wrong with the request.")
    expected_status: int
    status: int
    error: str = Field(description="The error the service answered with.")
    says_why: bool = Field(description="Whether the error names the problem.")
    prediction_records: int = Field(description="Prediction log records of this request.")

    @property
    def passed(self) -> bool:
        return self.status == self.expected_status and self.says_why and not self.prediction_records


def error_text(response: httpx.Response) -> str:
    """The error message(s) of a response, one line."""
    try:
        detail = response.json()["detail"]
    except (ValueError, KeyError, TypeError):
        return response.text[:200]
    if isinstance(detail, list):
        return "; ".join(f"{problem['field']}: {problem['msg']}" for problem in detail)
    return str(detail)


def send(client: httpx.Client, request: BadRequest, request_id: str) -> httpx.Response:
    headers = {"X-Request-ID": request_id}
    if request.content_type:
        headers["Content-Type"] = request.content_type
    return client.post(PREDICTION_ROUTE, content=request.body(), headers=headers)


def send_bad_requests(
    url: str, max_body_bytes: int, headers: dict[str, str] | None = None
) -> list[tuple[BadRequest, str, httpx.Response]]:
    """Send each bad request with its own id; return the request, id and response."""
    with httpx.Client(base_url=url, headers=headers or {}, timeout=10) as client:
        return [
            (request, f"bad-input-{number}", send(client, request, f"bad-input-{number}"))
            for number, request in enumerate(bad_requests(max_body_bytes))
        ]


def judge(
    sent: list[tuple[BadRequest, str, httpx.Response]], records: list[dict[str, Any]]
) -> list[BadInputResult]:
    """Each bad request's answer, and the prediction records the log holds for it."""
    logged = Counter(
        r.get("prediction_id") for r in records if r.get("message") in PREDICTION_MESSAGES
    )
    return [judged(request, response, logged[request_id]) for request, request_id, response in sent]


def judged(request: BadRequest, response: httpx.Response, records: int) -> BadInputResult:
    error = error_text(response)
    return BadInputResult(
        name=request.name,
        expected_status=request.status,
        status=response.status_code,
        error=error,
        says_why=request.says in error,
        prediction_records=records,
    )
