"""The checks a request passes before its body is validated."""

import pytest
from fastapi import Depends, FastAPI, Request
from fastapi.testclient import TestClient

from model_service import guards
from model_service.guards import (
    BodySizeLimitMiddleware,
    api_key_check,
    declared_length,
    is_json,
    key_digest,
    matches_any,
)


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


CURRENT, NEXT = "current-key-0123456789", "next-key-0123456789"
DIGESTS = [key_digest(CURRENT.encode()), key_digest(NEXT.encode())]


def test_a_key_matches_only_when_equal() -> None:
    assert matches_any("secret-key", [key_digest(b"secret-key")])
    assert not matches_any("secret-kez", [key_digest(b"secret-key")])
    assert not matches_any("secret", [key_digest(b"secret-key")])
    assert not matches_any("\u00e9", [key_digest(b"secret-key")])  # non-ASCII: no crash


@pytest.mark.parametrize(("given", "expected"), [(CURRENT, True), (NEXT, True), ("x" * 22, False)])
def test_either_of_two_keys_matches(given: str, expected: bool) -> None:
    assert matches_any(given, DIGESTS) is expected


@pytest.mark.parametrize("given", [CURRENT, NEXT, "wrong"])
def test_every_key_is_compared_whichever_matches(
    monkeypatch: pytest.MonkeyPatch, given: str
) -> None:
    compared = []

    def counting_compare(a: bytes, b: bytes) -> bool:
        compared.append(len(a) + len(b))
        return a == b

    monkeypatch.setattr(guards.hmac, "compare_digest", counting_compare)
    matches_any(given, DIGESTS)
    assert compared == [64, 64]  # both keys, each as a 32-byte digest, whatever their lengths


def test_a_check_without_keys_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one key"):
        api_key_check("X-API-Key", [])


@pytest.fixture
def keyed_client() -> TestClient:
    app = FastAPI()

    @app.post("/keyed", dependencies=[Depends(api_key_check("X-Key", [CURRENT, NEXT]))])
    async def keyed() -> dict:
        return {"ok": True}

    return TestClient(app)


@pytest.mark.parametrize("key", [CURRENT, NEXT])
def test_the_current_and_the_next_key_are_both_accepted(keyed_client: TestClient, key: str) -> None:
    assert keyed_client.post("/keyed", headers={"X-Key": key}).json() == {"ok": True}


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing API key: send it in the X-Key header."),
        ({"X-Key": CURRENT[:-1] + "x"}, "Invalid API key in the X-Key header."),
        ({"X-Key": CURRENT + NEXT}, "Invalid API key in the X-Key header."),
    ],
)
def test_with_two_keys_any_other_is_401(
    keyed_client: TestClient, headers: dict, message: str
) -> None:
    response = keyed_client.post("/keyed", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": message}


def test_two_keys_are_one_security_scheme(keyed_client: TestClient) -> None:
    schemes = keyed_client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert schemes == {
        "APIKeyHeader": {
            "type": "apiKey",
            "in": "header",
            "name": "X-Key",
            "description": "The service's API key.",
        }
    }


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
