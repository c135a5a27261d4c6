"""The checks a request passes before its body is validated."""

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from model_service.guards import BodySizeLimitMiddleware, declared_length, is_json, keys_match


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        ("application/json", True),
        ("Application/JSON; charset=utf-8", True),
        ("application/problem+json", True),
        ("text/json", False),
        ("application/x-www-form-urlencoded", False),
        ("", False),
    ],
)
def test_json_media_types(content_type: str, expected: bool) -> None:
    assert is_json(content_type) is expected


def test_keys_match_only_when_equal() -> None:
    assert keys_match("secret-key", b"secret-key")
    assert not keys_match("secret-kez", b"secret-key")
    assert not keys_match("secret", b"secret-key")
    assert not keys_match("\u00e9", b"secret-key")  # a non-ASCII header value is no crash


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([(b"content-length", b"42")], 42),
        ([(b"host", b"x")], None),
        ([(b"content-length", b"-1")], None),
    ],
)
def test_declared_length(headers: list, expected: int | None) -> None:
    assert declared_length(headers) == expected


@pytest.fixture
def echo_client() -> TestClient:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict:
        return {"bytes": len(await request.body())}

    app.add_middleware(BodySizeLimitMiddleware, max_bytes=1024)
    return TestClient(app)


def test_a_body_at_the_limit_passes(echo_client: TestClient) -> None:
    assert echo_client.post("/echo", content=b"a" * 1024).json() == {"bytes": 1024}


def test_a_declared_oversize_body_is_413_unread(echo_client: TestClient) -> None:
    response = echo_client.post("/echo", content=b"a" * 1025)
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is over the limit of 1024 bytes."}


def test_a_streamed_oversize_body_is_413(echo_client: TestClient) -> None:
    chunks = (b"a" * 300 for _ in range(4))  # no Content-Length: sent chunked
    response = echo_client.post("/echo", content=chunks)
    assert response.status_code == 413
    assert "1024 bytes" in response.json()["detail"]
