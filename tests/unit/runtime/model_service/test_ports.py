"""/metrics on a port of its own: each port answers only its own paths."""

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from model_service.app import create_app
from model_service.ports import belongs_on
from model_service.routes import HEALTH_PATH, METRICS_PATH, MODELS_PATH, prediction_route
from support.services import stub_configuration, wait_until_ready
from support.stub_models import StubModel

PREDICT = prediction_route(StubModel.qualified_name)
API_PORT, METRICS_PORT = 8000, 9100
API, METRICS = f"http://testserver:{API_PORT}", f"http://testserver:{METRICS_PORT}"
UNKNOWN = "/nowhere"


@pytest.fixture
def split() -> Iterator[TestClient]:
    """A service with its metrics on METRICS_PORT; a URL's port is the port a request reaches."""
    app = create_app(stub_configuration(metrics_port=METRICS_PORT))
    with TestClient(app, base_url=API) as client:
        wait_until_ready(client)
        yield client


@pytest.fixture
def not_found(split: TestClient) -> dict:
    """What the service answers for a route it does not have, on the API's port."""
    response = split.get(UNKNOWN)
    assert response.status_code == 404
    return response.json()


def test_metrics_answer_on_their_port(split: TestClient) -> None:
    response = split.get(METRICS + METRICS_PATH)
    assert response.status_code == 200
    assert "http_requests_total" in response.text


def test_metrics_are_not_on_the_api_s_port(split: TestClient, not_found: dict) -> None:
    response = split.get(API + METRICS_PATH)
    assert (response.status_code, response.json()) == (404, not_found)


@pytest.mark.parametrize(
    "path", [HEALTH_PATH, f"{HEALTH_PATH}/ready", MODELS_PATH, "/docs", "/openapi.json", UNKNOWN]
)
def test_the_metrics_port_answers_nothing_else(
    split: TestClient, not_found: dict, path: str
) -> None:
    response = split.get(METRICS + path)
    assert (response.status_code, response.json()) == (404, not_found)


def test_no_prediction_on_the_metrics_port(split: TestClient, not_found: dict) -> None:
    response = split.post(METRICS + PREDICT, json={"x": 1.0})
    assert (response.status_code, response.json()) == (404, not_found)


def test_the_api_s_port_serves_the_api(split: TestClient) -> None:
    assert split.post(API + PREDICT, json={"x": 1.0}).json() == {"y": 2.0}
    assert split.get(API + HEALTH_PATH).status_code == 200
    assert split.get(API + "/openapi.json").status_code == 200


def test_the_api_s_documentation_leaves_the_metrics_port_s_route_out(split: TestClient) -> None:
    paths = split.get(API + "/openapi.json").json()["paths"]
    assert METRICS_PATH not in paths
    assert PREDICT in paths


def test_scrapes_are_counted_as_before_and_refusals_as_unknown_routes(split: TestClient) -> None:
    split.get(METRICS + METRICS_PATH)
    split.get(API + METRICS_PATH)
    split.get(METRICS + MODELS_PATH)
    text = split.get(METRICS + METRICS_PATH).text
    assert 'http_requests_total{method="GET",route="/metrics",status="200"} 1.0' in text
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 2.0' in text


@pytest.mark.parametrize("port", [API_PORT, METRICS_PORT, 80])
def test_without_a_metrics_port_every_port_answers_everything(port: int) -> None:
    with TestClient(create_app(stub_configuration()), base_url=f"http://testserver:{port}") as c:
        wait_until_ready(c)
        assert c.get(METRICS_PATH).status_code == 200
        assert c.post(PREDICT, json={"x": 1.0}).json() == {"y": 2.0}
        assert METRICS_PATH in c.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    ("server", "path", "belongs"),
    [
        (None, METRICS_PATH, False),  # a server that does not say: the API's port
        (None, MODELS_PATH, True),
        (("127.0.0.1", METRICS_PORT), f"{METRICS_PATH}/", False),
        (("::1", METRICS_PORT, 0, 0), METRICS_PATH, True),
    ],
)
def test_a_request_belongs_on_the_port_it_arrived_on(
    server: tuple | None, path: str, belongs: bool
) -> None:
    assert belongs_on({"server": server, "path": path}, METRICS_PORT) is belongs


PATH_SEGMENT = st.text(
    alphabet=st.characters(codec="ascii", exclude_characters="/?#%"), min_size=1, max_size=12
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    segments=st.lists(PATH_SEGMENT, min_size=1, max_size=4),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
)
def test_any_request_the_metrics_port_does_not_serve_gets_a_4xx(
    split: TestClient, segments: list[str], method: str
) -> None:
    """Whatever a client sends to the metrics port, /metrics aside, it is a client's error."""
    path = "/" + "/".join(quote(segment) for segment in segments)
    if path == METRICS_PATH:
        return
    response = split.request(method, METRICS + path)
    assert 400 <= response.status_code < 500, (method, path, response.status_code)
