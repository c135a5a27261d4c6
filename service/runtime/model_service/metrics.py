"""Prometheus metrics: requests by route and status, latency, predictions.

The middleware is plain ASGI (no BaseHTTPMiddleware), and label children are looked up once per
route and model, so the hot path pays only for an increment and an observation.

With several uvicorn workers, each is a process of its own: ``python -m model_service`` then
sets ``PROMETHEUS_MULTIPROC_DIR``, every worker writes its values there, and ``/metrics`` adds
up all the workers' values, whichever worker answers the scrape.
"""

import os
import time
from collections.abc import Callable
from functools import cache
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROCESS_DIR_ENV_VAR = "PROMETHEUS_MULTIPROC_DIR"

# Every latency threshold of configuration/slo.yaml must be a boundary here: the SLO rules count
# the requests slower than it from its bucket (monitoring.rules refuses a threshold that is not).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5)
UNMATCHED_ROUTE = "unmatched"


class ServiceMetrics:
    """The service's metrics, in a registry of their own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.requests = Counter(
            "http_requests",
            "HTTP requests by route, method and status.",
            ("route", "method", "status"),
            registry=self.registry,
        )
        self.request_latency = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency by route.",
            ("route",),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.predictions = Counter(
            "predictions",
            "Predictions by model and status.",
            ("model", "status"),
            registry=self.registry,
        )
        self.prediction_latency = Histogram(
            "prediction_duration_seconds",
            "Time spent in the model's predict, decorators included.",
            ("model",),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.request_counter = cache(self.requests.labels)
        self.request_histogram = cache(self.request_latency.labels)

    def exposed(self) -> CollectorRegistry:
        """What /metrics shows: this process's registry, or every worker's values added up."""
        if not os.environ.get(MULTIPROCESS_DIR_ENV_VAR):
            return self.registry
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        return registry

    def prediction_recorder(self, model: str) -> Callable[[float, bool], None]:
        """A function that records one prediction of ``model``: its duration and success."""
        succeeded, failed = (
            self.predictions.labels(model, "success"),
            self.predictions.labels(model, "error"),
        )
        latency = self.prediction_latency.labels(model)

        def record(seconds: float, success: bool) -> None:
            (succeeded if success else failed).inc()
            latency.observe(seconds)

        return record


class MetricsMiddleware:
    """Counts and times every HTTP request, labelled by its route template, not its raw path."""

    def __init__(self, app: Any, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_and_note_status(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", UNMATCHED_ROUTE)
            self.metrics.request_counter(path, scope["method"], str(status)).inc()
            self.metrics.request_histogram(path).observe(time.perf_counter() - start)
