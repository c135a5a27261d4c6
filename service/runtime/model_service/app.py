"""The FastAPI app factory: ``create_app(configuration)``.

How a request flows: HTTP -> ConnectionAgeMiddleware (old keep-alive connections close) ->
RequestIdMiddleware (the prediction id) -> MetricsMiddleware -> with a metrics port, the ports'
split (``/metrics`` there alone) -> the body size limit -> the model's route: JSON parsing, the
API key (when one is set), the content type, then the body's validation with the model's input
schema -> the decorator stack from the YAML, outermost first (e.g. logging, then micro-batching,
which groups the request with concurrent ones) -> the model's ``predict`` (or
``predict_batch``), inline or in a worker thread when the model blocks -> the output schema ->
JSON.
"""

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.exceptions import HTTPException

from ml_model_logging.configuration import configure_logging
from model_contract.context import current_prediction_id
from model_contract.servable import Model, check_implements
from model_service.bodies import (
    is_parse_failure,
    json_answer,
    validated_body,
    why_unparsable,
)
from model_service.configuration import (
    AuthenticationConfiguration,
    ServiceConfiguration,
    import_object,
)
from model_service.connections import ConnectionAgeMiddleware
from model_service.guards import JSON_MEDIA_TYPE, BodySizeLimitMiddleware, api_key_check
from model_service.loading import ModelRegistry
from model_service.metrics import MetricsMiddleware, ServiceMetrics
from model_service.ports import MetricsPortMiddleware
from model_service.request_id import RequestIdMiddleware
from model_service.routes import HEALTH_PATH, METRICS_PATH, MODELS_PATH, prediction_route
from model_service.schemas import (
    ErrorMessage,
    HealthStatus,
    ModelCollection,
    ModelDetails,
    RequestProblems,
)

logger = logging.getLogger(__name__)
SCHEMAS_REF = "#/components/schemas/"


def create_app(configuration: ServiceConfiguration) -> FastAPI:
    """Build the app; the models load in the background once it starts."""
    registry = ModelRegistry()
    metrics = ServiceMetrics() if configuration.metrics else None
    app = FastAPI(
        title=configuration.title,
        description=configuration.description,
        version=configuration.version,
        lifespan=lifespan(configuration, registry),
    )
    app.state.models = registry
    add_health_routes(app, registry)
    add_model_routes(app, configuration, registry, metrics)
    add_error_handlers(app)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=configuration.max_body_bytes)
    if metrics:
        add_metrics_route(app, metrics, documented=configuration.metrics_port is None)
        if configuration.metrics_port is not None:  # inside MetricsMiddleware: scrapes counted
            app.add_middleware(MetricsPortMiddleware, metrics_port=configuration.metrics_port)
        app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(RequestIdMiddleware)
    if configuration.max_connection_age_s is not None:
        app.add_middleware(ConnectionAgeMiddleware, max_age_s=configuration.max_connection_age_s)
    return app


def lifespan(configuration: ServiceConfiguration, registry: ModelRegistry) -> Callable:
    @asynccontextmanager
    async def run(app: FastAPI) -> AsyncIterator[None]:
        logs = configure_logging(
            configuration.logging.dict_config.as_dict(),
            configuration.logging.use_queue,
            configuration.logging.lean_records,
        )
        loading = asyncio.create_task(
            asyncio.to_thread(
                registry.load, configuration.models, configuration.freeze_after_loading
            )
        )
        try:
            yield
        finally:
            await loading
            await registry.close()
            logs.stop()

    return run


def add_health_routes(app: FastAPI, registry: ModelRegistry) -> None:
    async def readiness() -> JSONResponse:
        if registry.ready:
            return JSONResponse(HealthStatus(status="ready").model_dump(exclude_none=True))
        status = "failed" if registry.error else "loading"
        state = HealthStatus(status=status, detail=registry.error)
        return JSONResponse(state.model_dump(exclude_none=True), status_code=503)

    @app.get(
        HEALTH_PATH,
        response_model=HealthStatus,
        tags=["health"],
        summary="Liveness: the process answers",
    )
    async def health() -> HealthStatus:
        return HealthStatus(status="ok")

    for probe in ("startup", "ready"):
        app.add_api_route(
            f"{HEALTH_PATH}/{probe}",
            readiness,
            name=probe,
            response_model=HealthStatus,
            responses={503: {"model": HealthStatus, "description": "The models are not loaded."}},
            tags=["health"],
            summary="503 until the models are loaded",
        )


def prediction_guards(authentication: AuthenticationConfiguration) -> list:
    """The API key check, when a key is set (any of the current and next keys); the content
    type is checked with the body (``model_service.bodies``)."""
    keys = [key.get_secret_value() for key in authentication.keys]
    return [Depends(api_key_check(authentication.header, keys))] if keys else []


def prediction_responses(authentication: AuthenticationConfiguration) -> dict[int, dict]:
    """Every answer of a prediction route besides 200, for the OpenAPI schema."""
    responses = {
        400: {"model": RequestProblems, "description": "The body is not valid JSON."},
        401: {"model": ErrorMessage, "description": "The API key is missing or wrong."},
        413: {"model": ErrorMessage, "description": "The body is over the size limit."},
        415: {"model": ErrorMessage, "description": "The body is not declared as JSON."},
        422: {"model": RequestProblems, "description": "The body does not fit the schema."},
        500: {"model": ErrorMessage, "description": "The model failed; the id is in the logs."},
        503: {"model": ErrorMessage, "description": "The model is not loaded yet."},
    }
    if not authentication.keys:
        del responses[401]
    return responses


def add_model_routes(
    app: FastAPI,
    service: ServiceConfiguration,
    registry: ModelRegistry,
    metrics: ServiceMetrics | None,
) -> None:
    classes = [model_class_at(configuration.class_path) for configuration in service.models]
    details = [ModelDetails.of(model_class) for model_class in classes]

    @app.get(
        MODELS_PATH, response_model=ModelCollection, tags=["models"], summary="The models served"
    )
    async def models() -> ModelCollection:
        return ModelCollection(models=details)

    for model_class in classes:
        name = model_class.qualified_name
        record = metrics.prediction_recorder(name) if metrics else None
        app.post(
            prediction_route(name),
            response_model=model_class.output_schema,
            tags=["models"],
            summary=f"Predict with {model_class.display_name}",
            description=model_class.description,
            dependencies=prediction_guards(service.authentication),
            responses=prediction_responses(service.authentication),
            openapi_extra=request_body(model_class),
        )(prediction_endpoint(model_class, registry, service.load_wait_seconds, record))
    document_input_schemas(app, classes)


def model_class_at(class_path: str) -> type[Model]:
    """The model class at ``class_path``; TypeError naming what it lacks to be a Model."""
    found = import_object(class_path)
    check_implements(found, Model)
    return found


def prediction_endpoint(
    model_class: type[Model],
    registry: ModelRegistry,
    load_wait_seconds: float,
    record: Callable[[float, bool], None] | None,
) -> Callable:
    """The route function for one model: it reads its body itself (``model_service.bodies``),
    validated once against the model's input schema, and answers with the model's output."""
    name, schema = model_class.qualified_name, model_class.input_schema

    async def predict(request: Request) -> Response:
        data = await validated_body(request, schema)
        model = registry.models.get(name) or await registry.wait_for(name, load_wait_seconds)
        if model is None:
            return error_response(503, f"Model {name} is not loaded yet.")
        start = time.perf_counter()
        try:
            result = json_answer(await model.predict(data))
        except Exception:
            logger.exception("Prediction route failed", extra={"model_qualified_name": name})
            result = error_response(
                500, "Internal error while predicting.", current_prediction_id()
            )
        if record:
            record(time.perf_counter() - start, result.status_code == 200)
        return result

    return predict


def request_body(model_class: type[Model]) -> dict[str, Any]:
    """The route's body for the OpenAPI schema: the model's input schema, required, as JSON."""
    reference = {"$ref": f"{SCHEMAS_REF}{model_class.input_schema.__name__}"}
    return {"requestBody": {"required": True, "content": {JSON_MEDIA_TYPE: {"schema": reference}}}}


def document_input_schemas(app: FastAPI, classes: list[type[Model]]) -> None:
    """Add the models' input schemas to the OpenAPI components that their routes refer to."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = generate()
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for model_class in classes:
                schema = model_class.input_schema
                document = schema.model_json_schema(ref_template=SCHEMAS_REF + "{model}")
                schemas |= document.pop("$defs", {})  # the schemas it refers to
                schemas[schema.__name__] = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def error_response(status: int, detail: str, prediction_id: str | None = None) -> JSONResponse:
    """An ``ErrorMessage`` body; the prediction id, when given, finds the request in the logs."""
    body = ErrorMessage(detail=detail, prediction_id=prediction_id)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status)


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = [field_error(detail) for detail in error.errors()]
        malformed = any(problem["type"] == "json_invalid" for problem in problems)
        return JSONResponse({"detail": problems}, status_code=400 if malformed else 422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if is_parse_failure(error):
            reason = why_unparsable(error.__cause__)
            problem = body_problem(f"The body is not valid JSON: {reason}.")
            return JSONResponse({"detail": [problem]}, status_code=400)
        return await http_exception_handler(request, error)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        logger.error("Unhandled error", exc_info=error, extra={"path": request.url.path})
        return error_response(500, "Internal server error.", current_prediction_id())


def field_error(detail: dict[str, Any]) -> dict[str, Any]:
    """One validation problem: where (``body.age``), what is wrong, and the error type."""
    if detail["type"] == "json_invalid":
        return malformed_json_error(detail)
    location = [str(part) for part in detail["loc"]]
    return {
        "loc": location,
        "field": ".".join(location[1:]) or location[0],
        "msg": detail["msg"],
        "type": detail["type"],
    }


def malformed_json_error(detail: dict[str, Any]) -> dict[str, Any]:
    """The body is not JSON: what the parser expected, and at which character."""
    position = detail["loc"][-1]
    reason = detail.get("ctx", {}).get("error", "not JSON")
    return body_problem(f"The body is not valid JSON: {reason} at character {position}.")


def body_problem(message: str) -> dict[str, Any]:
    """A problem with the body as a whole, in the shape of a field's problem."""
    return {"loc": ["body"], "field": "body", "msg": message, "type": "json_invalid"}


def add_metrics_route(app: FastAPI, metrics: ServiceMetrics, documented: bool = True) -> None:
    """``/metrics``; ``documented``: in the OpenAPI schema, which describes the API's port (left
    out when the metrics have a port of their own)."""

    @app.get(
        METRICS_PATH,
        tags=["metrics"],
        summary="Prometheus metrics",
        response_class=Response,
        include_in_schema=documented,
    )
    async def prometheus_metrics() -> Response:
        return Response(generate_latest(metrics.exposed()), media_type=CONTENT_TYPE_LATEST)
