"""The SLIs' PromQL: what it selects, that Prometheus accepts it and finds the service's series,
and the frames built from its answers."""

import math
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from insurance_charges_model.model import InsuranceChargesModel
from model_service.metrics import ServiceMetrics
from model_service.routes import PREDICTION_ROUTE
from monitoring.burn_rates import PREDICTIONS, REQUEST_DURATION, REQUESTS
from monitoring.prometheus import LocalPrometheus
from monitoring.slis import (
    WINDOW,
    Selectors,
    over_time,
    quantile,
    slis_of_run,
    slis_over_time,
    whole_run,
)
from system_tools import missing

MODEL = InsuranceChargesModel.qualified_name
SELECTORS = Selectors(PREDICTION_ROUTE, MODEL)
TOY = Selectors("/r", "m")


# the PromQL


def test_the_selectors_match_the_route_and_the_model() -> None:
    assert TOY.requests == f'{REQUESTS}{{route="/r"}}'
    assert TOY.errors == f'{REQUESTS}{{route="/r",status=~"5.."}}'
    assert TOY.buckets == f'{REQUEST_DURATION}_bucket{{route="/r"}}'
    assert TOY.predictions == f'{PREDICTIONS}{{model="m"}}'


def test_a_quantile_is_in_milliseconds_over_the_buckets_by_le() -> None:
    assert quantile(0.99, "b") == "1000 * histogram_quantile(0.99, sum by (le) (b))"


def test_over_time_each_sli_is_a_rate_over_the_window() -> None:
    expressions = over_time(TOY, "30s")
    assert list(expressions) == [
        "requests per second", "error ratio", "p50 ms", "p90 ms", "p99 ms",
        "predictions per second",
    ]  # fmt: skip
    assert all("[30s]" in expression for expression in expressions.values())
    assert expressions["requests per second"] == 'sum(rate(http_requests_total{route="/r"}[30s]))'
    assert expressions["error ratio"] == (
        '(sum(rate(http_requests_total{route="/r",status=~"5.."}[30s])) or vector(0))'
        ' / sum(rate(http_requests_total{route="/r"}[30s]))'
    )
    assert expressions["p99 ms"] == quantile(
        0.99, 'rate(http_request_duration_seconds_bucket{route="/r"}[30s])'
    )
    assert expressions["p90 ms"] == quantile(
        0.9, 'rate(http_request_duration_seconds_bucket{route="/r"}[30s])'
    )
    assert expressions["predictions per second"] == 'sum(rate(predictions_total{model="m"}[30s]))'
    assert f"[{WINDOW}]" in over_time(TOY)["p50 ms"]


def test_over_a_whole_run_each_sli_reads_the_counters_as_they_stand() -> None:
    expressions = whole_run(TOY)
    assert expressions == {
        "requests": 'sum(http_requests_total{route="/r"})',
        "errors": 'sum(http_requests_total{route="/r",status=~"5.."}) or vector(0)',
        "p50 ms": quantile(0.5, 'http_request_duration_seconds_bucket{route="/r"}'),
        "p99 ms": quantile(0.99, 'http_request_duration_seconds_bucket{route="/r"}'),
        "predictions": 'sum(predictions_total{model="m"})',
    }


# the frames, from a prometheus that answers without running


def test_slis_over_time_are_columns_indexed_by_seconds_from_the_start(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    prometheus = LocalPrometheus([], tmp_path)
    expressions = over_time(SELECTORS)
    value_of = {expression: float(n) for n, expression in enumerate(expressions.values())}
    asked = []

    def query_range(expression: str, start: float, end: float, step: str) -> pd.Series:
        asked.append((expression, start, end, step))
        moments = [start, start + 2, start + 4]
        if expression == expressions["error ratio"]:
            moments = moments[1:]  # Prometheus leaves out the steps without a value
        return pd.Series(value_of[expression], index=moments, name=expression)

    monkeypatch.setattr(prometheus, "query_range", query_range)
    frame = slis_over_time(prometheus, SELECTORS, 1_000.0, 1_004.0)
    assert list(frame.columns) == list(expressions)
    assert list(frame.index) == [0.0, 2.0, 4.0]
    assert frame.index.name == "seconds"
    assert list(frame["p99 ms"]) == [value_of[expressions["p99 ms"]]] * 3
    assert math.isnan(frame["error ratio"].loc[0.0])
    assert list(frame["error ratio"].iloc[1:]) == [1.0, 1.0]
    assert asked == [(expression, 1_000.0, 1_004.0, "2s") for expression in expressions.values()]


def test_slis_of_run_are_read_at_the_run_s_end(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    prometheus = LocalPrometheus([], tmp_path)
    expressions = whole_run(SELECTORS)
    asked = []

    def scalar(expression: str, at: float | None = None) -> float:
        asked.append((expression, at))
        return float(list(expressions.values()).index(expression))

    monkeypatch.setattr(prometheus, "scalar", scalar)
    assert slis_of_run(prometheus, SELECTORS, 2_000.0) == {
        "requests": 0.0, "errors": 1.0, "p50 ms": 2.0, "p99 ms": 3.0, "predictions": 4.0,
    }  # fmt: skip
    assert asked == [(expression, 2_000.0) for expression in expressions.values()]


# the PromQL in a real prometheus, over the series the service exposes


def service_metrics() -> ServiceMetrics:
    """A service's metrics after 100 predictions (5 failed, latencies 4, 20 and 90 ms), with
    another route's and another model's that the SLIs must leave out."""
    metrics = ServiceMetrics()
    metrics.request_counter(PREDICTION_ROUTE, "POST", "200").inc(95)
    metrics.request_counter(PREDICTION_ROUTE, "POST", "500").inc(5)
    metrics.request_counter("/health", "GET", "503").inc(50)
    for seconds, count in [(0.004, 50), (0.02, 40), (0.09, 10)]:
        for _ in range(count):
            metrics.request_histogram(PREDICTION_ROUTE).observe(seconds)
    for _ in range(50):
        metrics.request_histogram("/health").observe(2.0)
    record = metrics.prediction_recorder(MODEL)
    for n in range(100):
        record(0.001, n >= 5)
    metrics.prediction_recorder("other_model")(0.001, True)
    return metrics


def recording_rules(metrics: ServiceMetrics) -> dict:
    """A rule file that records every sample /metrics shows, as it shows it, each evaluation:
    the service's series without the 5 s a first scrape takes."""
    text = generate_latest(metrics.exposed()).decode()
    rules = [
        {"record": sample.name, "expr": f"vector({sample.value!r})", "labels": sample.labels}
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if not sample.name.endswith("_created")
    ]
    return {"groups": [{"name": "service", "rules": rules}]}


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalPrometheus]:
    if missing("prometheus"):
        pytest.skip(missing("prometheus"))
    workdir = tmp_path_factory.mktemp("prometheus")
    rule_file = workdir / "service.yml"
    rule_file.write_text(yaml.safe_dump(recording_rules(service_metrics())))
    with LocalPrometheus([], workdir / "run", rule_files=[rule_file]) as running:
        deadline = time.monotonic() + 15
        while not running.query(f"rate({REQUESTS}[{WINDOW}])"):  # two evaluations
            assert time.monotonic() < deadline, f"no series recorded:\n{running.log_tail()}"
            time.sleep(0.1)
        yield running


def test_prometheus_gives_the_slis_of_a_run(prometheus: LocalPrometheus) -> None:
    slis = slis_of_run(prometheus, SELECTORS, time.time())
    assert slis == {
        "requests": 100.0,
        "errors": 5.0,
        "p50 ms": pytest.approx(5.0),  # the top of the 2.5-5 ms bucket, where the 50th falls
        "p99 ms": pytest.approx(97.5),  # 9/10 of the way through the 75-100 ms bucket
        "predictions": 100.0,
    }


def test_the_slis_of_another_route_and_model_are_not_there(prometheus: LocalPrometheus) -> None:
    slis = slis_of_run(prometheus, Selectors("/elsewhere", "no_model"), time.time())
    assert slis["errors"] == 0  # `or vector(0)`: no errors, not no answer
    assert all(math.isnan(slis[name]) for name in ["requests", "p50 ms", "predictions"])


def test_prometheus_accepts_every_sli_over_time(prometheus: LocalPrometheus) -> None:
    end = time.time()
    frame = slis_over_time(prometheus, SELECTORS, end - 2, end, "1s")
    assert list(frame.columns) == list(over_time(SELECTORS))
    assert not frame.empty
    assert all(-0.001 <= moment <= 2.001 for moment in frame.index)
    # The recorded counters stand still: no request per second, but the series were found.
    assert set(frame["requests per second"].dropna()) == {0.0}
    assert set(frame["predictions per second"].dropna()) == {0.0}
