"""The service's plumbing, with a stub model."""

import asyncio
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from fastapi.testclient import TestClient

from model_service.app import create_app
from model_service.configuration import AuthenticationConfiguration, import_object
from model_service.routes import prediction_route
from support.services import stub_configuration, wait_until_ready
from support.stub_models import (
    BrokenStubModel,
    GatedStubModel,
    NestedStubModel,
    SlowStubModel,
    StubInput,
    StubModel,
)

PREDICT = prediction_route(StubModel.qualified_name)


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(stub_configuration()), raise_server_exceptions=False) as client:
        wait_until_ready(client)
        yield client


def test_models_are_listed(client: TestClient) -> None:
    assert client.get("/api/models").json() == {
        "models": [
            {
                "qualified_name": "stub_model",
                "display_name": "Stub Model",
                "description": "Doubles x.",
                "version": "1.2.3",
            }
        ]
    }


def test_openapi_shows_the_model_schemas(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"] == {
        "title": "Stub service",
        "description": "Serves a stub model.",
        "version": "9.9.9",
    }
    body = spec["paths"][PREDICT]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/StubInput")
    stub_input = spec["components"]["schemas"]["StubInput"]
    assert stub_input["properties"]["x"]["description"] == "The number to double."
    assert stub_input["examples"] == [{"x": 2.0, "note": "a"}]
    response = spec["paths"][PREDICT]["post"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert response["$ref"].endswith("/StubOutput")
    assert client.get("/docs").status_code == 200


def test_a_prediction(client: TestClient) -> None:
    response = client.post(PREDICT, json={"x": 2.5})
    assert response.status_code == 200
    assert response.json() == {"y": 5.0}


def test_the_request_id_is_used_and_returned(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ml_model_logging")
    response = client.post(PREDICT, json={"x": 1.0}, headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert [record.prediction_id for record in caplog.records] == ["abc-123", "abc-123"]


def test_a_request_id_is_made_when_absent(client: TestClient) -> None:
    first, second = (
        client.post(PREDICT, json={"x": 1.0}).headers["x-request-id"] for _ in range(2)
    )
    assert first != second


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"x": 11}, "x", "less than or equal to 10"),
        ({"x": "2"}, "x", "valid number"),
        ({}, "x", "Field required"),
        ({"x": 1, "extra": 1}, "extra", "Extra inputs are not permitted"),
    ],
)
def test_validation_errors_are_422_naming_the_field(
    client: TestClient, body: dict, field: str, message: str
) -> None:
    response = client.post(PREDICT, json=body)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["field"] == field
    assert message in error["msg"]
    assert error["loc"] == ["body", field]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"x": 1', "The body is not valid JSON: Expecting ',' delimiter at character 7."),
        (b'{"note": "\xff"}', "The body is not valid JSON: it is not UTF-8"),
    ],
)
def test_a_body_that_is_not_json_is_400(client: TestClient, body: bytes, message: str) -> None:
    response = client.post(PREDICT, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    [problem] = response.json()["detail"]
    assert problem["type"] == "json_invalid"
    assert problem["field"] == "body"
    assert problem["msg"].startswith(message)


@pytest.mark.parametrize(
    ("content_type", "named"),
    [("text/plain", "Content-Type 'text/plain'"), (None, "no Content-Type")],
)
def test_a_body_not_declared_as_json_is_415(
    client: TestClient, content_type: str | None, named: str
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(PREDICT, content=b'{"x": 1}', headers=headers)
    assert response.status_code == 415
    assert named in response.json()["detail"]


def test_a_json_media_type_with_a_charset_is_accepted(client: TestClient) -> None:
    headers = {"content-type": "application/json; charset=utf-8"}
    assert client.post(PREDICT, content=b'{"x": 1}', headers=headers).json() == {"y": 2.0}


def test_a_body_over_the_limit_is_413_and_counted(client: TestClient) -> None:
    body = b'{"x": 1, "note": "' + b"a" * 70_000 + b'"}'
    response = client.post(PREDICT, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is over the limit of 65536 bytes."}
    assert "x-request-id" in response.headers
    assert 'status="413"' in client.get("/metrics").text


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (b'{"x": 1', {"content-type": "application/json"}),
        (b'{"x": 1}', {"content-type": "text/plain"}),
        (b'{"x": 11}', {"content-type": "application/json"}),
        (b'{"x": 1, "extra": 1}', {"content-type": "application/json"}),
        (b'{"x": 1, "note": "' + b"a" * 70_000 + b'"}', {"content-type": "application/json"}),
    ],
)
def test_bad_input_is_never_logged_as_a_prediction(
    client: TestClient, caplog: pytest.LogCaptureFixture, body: bytes, headers: dict
) -> None:
    caplog.set_level(logging.INFO)
    assert client.post(PREDICT, content=body, headers=headers).status_code >= 400
    assert not [record for record in caplog.records if "Prediction" in record.getMessage()]


def test_openapi_documents_every_error_of_a_prediction(client: TestClient) -> None:
    responses = client.get("/openapi.json").json()["paths"][PREDICT]["post"]["responses"]
    assert set(responses) == {"200", "400", "413", "415", "422", "500", "503"}
    problems = responses["422"]["content"]["application/json"]["schema"]["$ref"]
    assert problems.endswith("/RequestProblems")


KEY = "k" * 24


@pytest.fixture
def keyed_client() -> Iterator[TestClient]:
    configuration = stub_configuration().model_copy(
        update={"authentication": AuthenticationConfiguration(api_key=KEY)}
    )
    with TestClient(create_app(configuration)) as client:
        wait_until_ready(client)
        yield client


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Missing API key: send it in the X-API-Key header."),
        ({"X-API-Key": "k" * 23 + "j"}, "Invalid API key in the X-API-Key header."),
        ({"X-API-Key": "é".encode("latin-1")}, "Invalid API key in the X-API-Key header."),
    ],
)
def test_with_a_key_set_predictions_without_it_are_401(
    keyed_client: TestClient, headers: dict, message: str
) -> None:
    response = keyed_client.post(PREDICT, json={"x": 1}, headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": message}
    assert response.headers["www-authenticate"] == "X-API-Key"


def test_the_key_is_checked_before_the_body(keyed_client: TestClient) -> None:
    response = keyed_client.post(PREDICT, content=b"{}", headers={"content-type": "text/plain"})
    assert response.status_code == 401


def test_with_the_key_a_prediction_is_served(keyed_client: TestClient) -> None:
    response = keyed_client.post(PREDICT, json={"x": 1}, headers={"X-API-Key": KEY})
    assert response.json() == {"y": 2.0}


@pytest.mark.parametrize(
    "route", ["/api/health", "/api/health/ready", "/api/health/startup", "/metrics", "/api/models"]
)
def test_with_a_key_set_the_probes_stay_open(keyed_client: TestClient, route: str) -> None:
    assert keyed_client.get(route).status_code == 200


def test_openapi_documents_the_key(keyed_client: TestClient) -> None:
    spec = keyed_client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["APIKeyHeader"]["name"] == "X-API-Key"
    assert "401" in spec["paths"][PREDICT]["post"]["responses"]


NEXT_KEY = "n" * 24


@pytest.fixture
def rotating_client() -> Iterator[TestClient]:
    """A service in the middle of a key rotation: it holds the current and the next key."""
    authentication = AuthenticationConfiguration(api_key=KEY, next_api_key=NEXT_KEY)
    configuration = stub_configuration().model_copy(update={"authentication": authentication})
    with TestClient(create_app(configuration)) as client:
        wait_until_ready(client)
        yield client


@pytest.mark.parametrize("key", [KEY, NEXT_KEY])
def test_during_a_rotation_both_keys_are_served(rotating_client: TestClient, key: str) -> None:
    response = rotating_client.post(PREDICT, json={"x": 1}, headers={"X-API-Key": key})
    assert response.json() == {"y": 2.0}


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "w" * 24}])
def test_during_a_rotation_other_requests_are_401(
    rotating_client: TestClient, headers: dict
) -> None:
    assert rotating_client.post(PREDICT, json={"x": 1}, headers=headers).status_code == 401


def test_during_a_rotation_openapi_has_one_key_header(rotating_client: TestClient) -> None:
    schemes = rotating_client.get("/openapi.json").json()["components"]["securitySchemes"]
    assert [scheme["name"] for scheme in schemes.values()] == ["X-API-Key"]


def test_a_model_error_is_a_500_without_a_trace_and_is_logged(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = client.post(PREDICT, json={"x": 7.0}, headers={"X-Request-ID": "failing-1"})
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Internal error while predicting.",
        "prediction_id": "failing-1",
    }
    assert "Traceback" not in response.text
    assert "stub failure" not in response.text
    messages = {record.getMessage(): record for record in caplog.records}
    assert messages["Prediction failed"].error_message == "stub failure for x=7.0"
    assert messages["Prediction route failed"].exc_info[0] is RuntimeError


def test_an_unmatched_route_is_404(client: TestClient) -> None:
    assert client.post(prediction_route("other"), json={}).status_code == 404


def test_metrics_count_requests_and_predictions(client: TestClient) -> None:
    client.post(PREDICT, json={"x": 1.0})
    client.post(PREDICT, json={"x": 2.0})
    client.post(PREDICT, json={"x": 7.0})
    client.post(PREDICT, json={"x": 20})
    client.get("/nowhere")
    text = client.get("/metrics").text
    route = f'route="{PREDICT}"'
    assert f'http_requests_total{{method="POST",{route},status="200"}} 2.0' in text
    assert f'http_requests_total{{method="POST",{route},status="500"}} 1.0' in text
    assert f'http_requests_total{{method="POST",{route},status="422"}} 1.0' in text
    assert 'http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in text
    assert 'predictions_total{model="stub_model",status="success"} 2.0' in text
    assert 'predictions_total{model="stub_model",status="error"} 1.0' in text
    assert 'prediction_duration_seconds_count{model="stub_model"} 3.0' in text


def test_metrics_can_be_turned_off() -> None:
    with TestClient(create_app(stub_configuration(metrics=False))) as client:
        wait_until_ready(client)
        assert client.get("/metrics").status_code == 404
        assert client.post(PREDICT, json={"x": 1.0}).status_code == 200


def test_probes_answer_503_until_the_model_is_loaded() -> None:
    GatedStubModel.gate.clear()
    try:
        with TestClient(create_app(stub_configuration("GatedStubModel"))) as client:
            assert client.get("/api/health").status_code == 200
            for probe in ("/api/health/startup", "/api/health/ready"):
                response = client.get(probe)
                assert (response.status_code, response.json()) == (503, {"status": "loading"})
            unready = client.post(prediction_route(GatedStubModel.qualified_name), json={"x": 1.0})
            assert unready.status_code == 503
            GatedStubModel.gate.set()
            wait_until_ready(client)
            assert client.get("/api/health/startup").json() == {"status": "ready"}
            assert client.post(
                prediction_route(GatedStubModel.qualified_name), json={"x": 1.0}
            ).json() == {"y": 2.0}
    finally:
        GatedStubModel.gate.set()


def test_a_prediction_during_loading_waits_for_the_model() -> None:
    GatedStubModel.gate.clear()
    opener = threading.Timer(0.3, GatedStubModel.gate.set)
    try:
        app = create_app(stub_configuration("GatedStubModel", load_wait_seconds=10))
        with TestClient(app) as client:
            assert client.get("/api/health/ready").status_code == 503
            opener.start()
            answer = client.post(prediction_route(GatedStubModel.qualified_name), json={"x": 1.0})
            assert (answer.status_code, answer.json()) == (200, {"y": 2.0})
    finally:
        opener.cancel()
        GatedStubModel.gate.set()


def test_a_model_that_fails_to_load_keeps_the_probes_failing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with TestClient(create_app(stub_configuration("BrokenStubModel"))) as client:
        for _ in range(100):
            response = client.get("/api/health/startup")
            if response.json()["status"] != "loading":
                break
        assert response.status_code == 503
        assert response.json() == {"status": "failed", "detail": "RuntimeError: artifact refused"}
        assert client.get("/api/health/ready").status_code == 503
        assert (
            client.post(
                prediction_route(BrokenStubModel.qualified_name), json={"x": 1.0}
            ).status_code
            == 503
        )
    assert "Model loading failed" in caplog.messages


def test_with_batching_concurrent_requests_keep_their_own_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="ml_model_logging")
    app = create_app(stub_configuration(batching={"max_batch_size": 8, "max_wait_ms": 20}))
    with TestClient(app) as client:
        wait_until_ready(client)
        answers = asyncio.run(post_concurrently(app, [1.0, 2.0, 7.0, 4.0]))
    assert [answer.status_code for answer in answers] == [200, 200, 500, 200]
    assert [answers[index].json()["y"] for index in (0, 1, 3)] == [2.0, 4.0, 8.0]
    assert answers[2].json()["prediction_id"] == "batch-7"
    outcomes = {
        record.prediction_id: record.getMessage()
        for record in caplog.records
        if record.getMessage() in ("Prediction created", "Prediction failed")
    }
    assert outcomes == {
        "batch-1": "Prediction created",
        "batch-2": "Prediction created",
        "batch-7": "Prediction failed",
        "batch-4": "Prediction created",
    }
    batcher = app.state.models.models["stub_model"].model  # logging wraps the batcher
    assert max(batcher.batch_sizes) > 1


@contextmanager
def held_prediction(model: str) -> Iterator[TestClient]:
    """A service of ``model`` whose one prediction, sent from a thread, is held in the model."""
    SlowStubModel.entered.clear()
    SlowStubModel.release.clear()
    with TestClient(create_app(stub_configuration(model))) as client:
        wait_until_ready(client)
        path = prediction_route(import_object(f"support.stub_models.{model}").qualified_name)
        sender = threading.Thread(target=client.post, args=(path,), kwargs={"json": {"x": 2.0}})
        sender.start()
        assert SlowStubModel.entered.wait(timeout=10)
        try:
            yield client
        finally:
            SlowStubModel.release.set()
            sender.join(timeout=30)


def test_a_blocking_model_leaves_the_event_loop_free_for_the_probes() -> None:
    with held_prediction("SlowStubModel") as client:
        health = client.get("/api/health")  # answered while the prediction is still held
        assert health.status_code == 200
        assert not SlowStubModel.release.is_set()


def test_a_model_declared_fast_runs_on_the_event_loop_and_holds_it() -> None:
    answers: list[int] = []
    with held_prediction("InlineSlowStubModel") as client:
        probe = threading.Thread(
            target=lambda: answers.append(client.get("/api/health").status_code)
        )
        probe.start()
        probe.join(timeout=0.5)
        assert probe.is_alive()  # the loop is inside the model: nothing else is answered
        SlowStubModel.release.set()
        probe.join(timeout=30)
    assert answers == [200]


async def post_concurrently(app: object, xs: list[float]) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        return await asyncio.gather(
            *(
                client.post(
                    PREDICT,
                    json={"x": x},
                    headers={"X-Request-ID": f"batch-{x:g}"},
                )
                for x in xs
            )
        )


def values_at(node: object, key: str) -> Iterator[object]:
    """The value of every ``key`` in a JSON document, at any depth."""
    if isinstance(node, dict):
        if key in node:
            yield node[key]
        for value in node.values():
            yield from values_at(value, key)
    elif isinstance(node, list):
        for value in node:
            yield from values_at(value, key)


def references(spec: dict) -> list[str]:
    """Every ``$ref`` of an OpenAPI document (a property named ``$ref`` is a schema, not one)."""
    return [value for value in values_at(spec, "$ref") if isinstance(value, str)]


def resolved(spec: dict, reference: str) -> object:
    """What a local ``$ref`` such as ``#/components/schemas/X`` points at; KeyError if nothing."""
    assert reference.startswith("#/"), reference
    target: object = spec
    for part in reference[2:].split("/"):
        target = target[part]  # type: ignore[index]
    return target


def request_schema(spec: dict, path: str) -> dict:
    body = spec["paths"][path]["post"]["requestBody"]
    assert body["required"] is True
    return body["content"]["application/json"]["schema"]


def test_the_prediction_body_refers_to_the_input_schema_with_its_examples() -> None:
    spec = create_app(stub_configuration()).openapi()
    assert request_schema(spec, PREDICT) == {"$ref": "#/components/schemas/StubInput"}
    stub_input = spec["components"]["schemas"]["StubInput"]
    assert stub_input["examples"] == StubInput.model_config["json_schema_extra"]["examples"]
    assert stub_input["properties"]["x"]["examples"] == [2.0]
    assert set(stub_input["properties"]) == {"x", "note"}


def test_nested_input_schemas_move_into_the_components_and_every_reference_resolves() -> None:
    spec = create_app(stub_configuration("NestedStubModel")).openapi()
    schemas = spec["components"]["schemas"]
    path = prediction_route(NestedStubModel.qualified_name)
    assert request_schema(spec, path) == {"$ref": "#/components/schemas/NestedStubInput"}
    nested_input = schemas["NestedStubInput"]
    assert "$defs" not in nested_input
    assert nested_input["examples"] == [{"x": 1.0, "length": {"value": 2.0, "unit": "m"}}]
    assert nested_input["properties"]["length"]["$ref"] == "#/components/schemas/StubLength"
    assert schemas["StubLength"]["properties"]["unit"]["$ref"] == "#/components/schemas/StubUnit"
    assert schemas["StubUnit"]["enum"] == ["m", "ft"]
    assert {"StubOutput", "RequestProblems", "ErrorMessage"} <= set(schemas)
    found = references(spec)
    assert "#/components/schemas/StubLength" in found
    for reference in found:
        assert resolved(spec, reference), reference
    assert not list(values_at(spec, "$defs"))


def test_the_served_spec_is_the_one_with_the_nested_schemas() -> None:
    with TestClient(create_app(stub_configuration("NestedStubModel"))) as client:
        spec = client.get("/openapi.json").json()
    for reference in references(spec):
        assert resolved(spec, reference), reference
    assert "StubLength" in spec["components"]["schemas"]
