"""The API key check: with one key, and with two as during a rotation."""

import httpx
import pytest

from model_service.routes import METRICS_PATH, PREDICTION_ROUTE
from reliability.auth import OPEN_ROUTES, check_api_key, key_requests
from reliability.checks import auth_lines

HEADER, CURRENT, NEXT = "X-API-Key", "current-key-0123456789", "next-key-0123456789"


def test_with_one_key_the_requests_are_as_before() -> None:
    assert key_requests(HEADER, [CURRENT]) == [
        ("a prediction without a key", {}, 401),
        ("a prediction with a wrong key", {HEADER: "x" * len(CURRENT)}, 401),
        ("a prediction with the key", {HEADER: CURRENT}, 200),
    ]


def test_with_two_keys_each_must_be_served() -> None:
    requests = key_requests(HEADER, [CURRENT, NEXT])
    assert [(name, status) for name, _, status in requests] == [
        ("a prediction without a key", 401),
        ("a prediction with a wrong key", 401),
        ("a prediction with the current key", 200),
        ("a prediction with the next key", 200),
    ]
    assert [headers.get(HEADER) for _, headers, _ in requests[2:]] == [CURRENT, NEXT]
    assert requests[1][1][HEADER] not in (CURRENT, NEXT)


def service_taking(*keys: str) -> httpx.MockTransport:
    """A stand-in for the service: predictions with one of ``keys`` get 200, others 401."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path != PREDICTION_ROUTE:
            return httpx.Response(200)
        return httpx.Response(200 if request.headers.get(HEADER) in keys else 401)

    return httpx.MockTransport(answer)


def test_a_service_that_takes_both_keys_passes() -> None:
    results = check_api_key(
        "http://service", HEADER, [CURRENT, NEXT], service_taking(CURRENT, NEXT)
    )
    assert all(result.passed for result in results)
    lines = auth_lines(results)
    assert lines[0] == "API key: pass"
    assert "  pass  a prediction with the current key: 200 (want 200)" in lines
    assert "  pass  a prediction with the next key: 200 (want 200)" in lines


@pytest.mark.parametrize(
    ("taken", "failing"),
    [
        ((CURRENT,), "a prediction with the next key"),
        ((NEXT,), "a prediction with the current key"),
        ((CURRENT, NEXT, "x" * len(CURRENT)), "a prediction with a wrong key"),
    ],
)
def test_a_service_that_refuses_a_key_or_takes_a_wrong_one_fails(
    taken: tuple[str, ...], failing: str
) -> None:
    results = check_api_key("http://service", HEADER, [CURRENT, NEXT], service_taking(*taken))
    assert [result.request for result in results if not result.passed] == [failing]
    assert auth_lines(results)[0] == "API key: FAIL"


def test_metrics_on_a_port_of_their_own_are_asked_there() -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200)

    check_api_key(
        "http://service:8000", HEADER, [CURRENT], httpx.MockTransport(answer),
        metrics_url="http://service:9100",
    )  # fmt: skip
    opened = asked[-len(OPEN_ROUTES) :]
    assert [url for url in opened if url.endswith(METRICS_PATH)] == [
        f"http://service:9100{METRICS_PATH}"
    ]
    assert all(url.startswith("http://service:8000/") for url in asked if METRICS_PATH not in url)
