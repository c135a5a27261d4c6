"""Keep-alive connections that age out."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from model_service import connections
from model_service.connections import ConnectionAgeMiddleware


def client_with(max_age_s: float) -> TestClient:
    app = FastAPI()

    @app.get("/")
    async def root() -> dict:
        return {}

    app.add_middleware(ConnectionAgeMiddleware, max_age_s=max_age_s)
    return TestClient(app)


def test_a_young_connection_stays_open() -> None:
    client = client_with(60)
    assert "connection" not in client.get("/").headers
    assert "connection" not in client.get("/").headers


def test_a_connection_past_its_age_is_closed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(connections.time, "monotonic", lambda: now[0])
    client = client_with(10)
    assert "connection" not in client.get("/").headers
    now[0] += 10.01  # past even the longest age: ages are 5 to 10 s
    assert client.get("/").headers["connection"] == "close"
    assert "connection" not in client.get("/").headers  # a new connection starts a new age


def test_connections_an_age_past_their_deadline_are_forgotten() -> None:
    middleware = ConnectionAgeMiddleware(app=None, max_age_s=10)
    middleware.deadlines = {("a", 1): 5.0, ("b", 2): 15.0, ("c", 3): 50.0}
    middleware.prune(now=20.0)
    assert middleware.deadlines == {("b", 2): 15.0, ("c", 3): 50.0}
    assert middleware.next_prune == 30.0


def test_ages_spread_over_half_to_all_of_the_maximum() -> None:
    middleware = ConnectionAgeMiddleware(app=None, max_age_s=10)
    deadlines = [middleware.deadline(now=0) for _ in range(200)]
    assert all(5 <= deadline <= 10 for deadline in deadlines)
    assert max(deadlines) - min(deadlines) > 2
