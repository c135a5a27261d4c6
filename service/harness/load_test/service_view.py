"""The service's own view of a load test: its Prometheus counters and its prediction log records.

Locust counts what the clients saw. The service counts what it served. The two must agree.
"""

from collections import Counter
from collections.abc import Iterable
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from ml_model_logging.decorator import CREATED, FAILED, REQUESTED
from model_service.routes import METRICS_PATH

PREDICTION_MESSAGES = (REQUESTED, CREATED, FAILED)
REQUEST_COUNTERS = ("http_requests_total{", "predictions_total{")


def scrape(url: str) -> str | None:
    """The text of the service's metrics page; None when the service serves no metrics."""
    response = httpx.get(url + METRICS_PATH, timeout=10)
    if response.status_code == 404:
        return None
    response.raise_for_status()
    return response.text


def sample_key(name: str, labels: dict[str, str]) -> str:
    """``name{label="value",...}``, labels sorted."""
    return name + "{" + ",".join(f'{key}="{value}"' for key, value in sorted(labels.items())) + "}"


def request_counter_lines(text: str) -> list[str]:
    """The lines of a /metrics page that count requests and predictions."""
    return [line for line in text.splitlines() if line.startswith(REQUEST_COUNTERS)]


def counters(text: str) -> dict[str, float]:
    """Every counter sample of a Prometheus text page, keyed by ``sample_key``."""
    values = {}
    for family in text_string_to_metric_families(text):
        if family.type != "counter":
            continue
        for sample in family.samples:
            if sample.name.endswith("_total"):
                values[sample_key(sample.name, sample.labels)] = sample.value
    return values


def requests_by(label: str, text: str) -> Counter:
    """The service's ``http_requests_total`` samples, summed by one label's value."""
    totals: Counter = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "http_requests_total":
                totals[sample.labels.get(label, "")] += int(sample.value)
    return totals


def counter_changes(before: str, after: str) -> dict[str, float]:
    """How much each counter grew between two scrapes; unchanged ones are left out."""
    start, end = counters(before), counters(after)
    changes = {name: value - start.get(name, 0.0) for name, value in end.items()}
    return {name: change for name, change in sorted(changes.items()) if change}


def prediction_record_counts(records: Iterable[dict[str, Any]]) -> dict[str, int]:
    """How many records of each prediction message the log holds."""
    counts = Counter(record.get("message") for record in records)
    return {message: counts[message] for message in PREDICTION_MESSAGES}
