from load_test.service_view import (
    counter_changes,
    counters,
    prediction_record_counts,
    request_counter_lines,
    requests_by,
    sample_key,
)

BEFORE = """\
# HELP http_requests_total HTTP requests by route, method and status.
# TYPE http_requests_total counter
http_requests_total{method="POST",route="/predict",status="200"} 10.0
# HELP predictions_total Predictions by model and status.
# TYPE predictions_total counter
predictions_total{model="m",status="success"} 10.0
predictions_total{model="m",status="error"} 0.0
# HELP latency_seconds Latency.
# TYPE latency_seconds histogram
latency_seconds_bucket{le="+Inf"} 10.0
latency_seconds_count 10.0
latency_seconds_sum 0.5
"""
AFTER = (
    BEFORE.replace(
        'status="200"} 10.0',
        'status="200"} 110.0\nhttp_requests_total{method="POST",route="/predict",status="500"} 3.0',
    )
    .replace('status="success"} 10.0', 'status="success"} 110.0')
    .replace("latency_seconds_count 10.0", "latency_seconds_count 110.0")
)


def test_counters_are_keyed_by_name_and_labels() -> None:
    assert counters(BEFORE) == {
        'http_requests_total{method="POST",route="/predict",status="200"}': 10.0,
        'predictions_total{model="m",status="success"}': 10.0,
        'predictions_total{model="m",status="error"}': 0.0,
    }  # histograms are left out


def test_a_sample_key_is_the_name_and_the_labels_sorted() -> None:
    key = sample_key("http_requests_total", {"status": "200", "method": "POST", "route": "/p"})
    assert key == 'http_requests_total{method="POST",route="/p",status="200"}'


def test_counters_are_keyed_as_sample_key_builds_them() -> None:
    labels = {"route": "/predict", "status": "200", "method": "POST"}
    assert counters(BEFORE)[sample_key("http_requests_total", labels)] == 10.0


def test_changes_include_new_counters_and_leave_out_unchanged_ones() -> None:
    assert counter_changes(BEFORE, AFTER) == {
        'http_requests_total{method="POST",route="/predict",status="200"}': 100.0,
        'http_requests_total{method="POST",route="/predict",status="500"}': 3.0,
        'predictions_total{model="m",status="success"}': 100.0,
    }


def test_prediction_records_are_counted_by_message() -> None:
    records = [
        {"message": "Prediction requested"},
        {"message": "Prediction created"},
        {"message": "Prediction requested"},
        {"message": "Prediction failed"},
        {"message": "Application startup complete."},
        {"level": "INFO"},
    ]
    assert prediction_record_counts(records) == {
        "Prediction requested": 2,
        "Prediction created": 1,
        "Prediction failed": 1,
    }


def test_the_request_counter_lines_are_picked_from_the_page() -> None:
    assert request_counter_lines(AFTER) == [
        'http_requests_total{method="POST",route="/predict",status="200"} 110.0',
        'http_requests_total{method="POST",route="/predict",status="500"} 3.0',
        'predictions_total{model="m",status="success"} 110.0',
        'predictions_total{model="m",status="error"} 0.0',
    ]


def test_requests_are_summed_by_a_label() -> None:
    text = """\
# TYPE http_requests_total counter
http_requests_total{method="POST",route="/a/prediction",status="200"} 10.0
http_requests_total{method="POST",route="/a/prediction",status="422"} 2.0
http_requests_total{method="GET",route="/api/health",status="200"} 5.0
# TYPE predictions_total counter
predictions_total{model="a",status="success"} 10.0
"""
    assert requests_by("status", text) == {"200": 15, "422": 2}
    assert requests_by("route", text) == {"/a/prediction": 12, "/api/health": 5}
