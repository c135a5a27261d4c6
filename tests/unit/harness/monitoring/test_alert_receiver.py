"""The webhook recorder keeps what Alertmanager sends, and refuses what is not a notification."""

import time

import httpx

from monitoring.alert_receiver import AlertRecorder, notification_of

NOTIFICATION = {
    "receiver": "page",
    "status": "firing",
    "alerts": [
        {"status": "firing", "labels": {"alertname": "PredictionServiceDown"}},
        {"status": "resolved", "labels": {"alertname": "PredictionTargetDown"}},
    ],
}


def test_it_keeps_each_notification_with_its_path_and_arrival() -> None:
    with AlertRecorder() as recorder:
        before = time.time()
        response = httpx.post(f"{recorder.url}/page", json=NOTIFICATION, timeout=5)
        assert response.status_code == 200
        [kept] = recorder.received()
    assert kept.path == "/page"
    assert kept.status == "firing"
    assert before <= kept.received_at <= time.time()
    assert kept.names() == {"PredictionServiceDown"}
    assert kept.names("resolved") == {"PredictionTargetDown"}
    assert recorder.first("PredictionServiceDown") == kept
    assert recorder.first("PredictionTargetDown") is None  # resolved, never firing


def test_a_post_that_is_no_notification_is_refused_and_said_why() -> None:
    with AlertRecorder() as recorder:
        httpx.post(f"{recorder.url}/page", content=b'{"alerts": 3}', timeout=5)
        httpx.post(f"{recorder.url}/page", content=b"[1, 2]", timeout=5)
    assert recorder.received() == []
    assert recorder.refused == [
        "/page: not an Alertmanager notification: no list of alerts",
        "/page: not an Alertmanager notification: no list of alerts",
    ]


def test_waiting_for_an_alert_that_never_comes_gives_none() -> None:
    with AlertRecorder() as recorder:
        started = time.monotonic()
        assert recorder.wait_for("PredictionServiceDown", timeout=0.3) is None
        assert time.monotonic() - started >= 0.3


def test_notification_of_reads_alertmanager_s_json() -> None:
    import json

    note = notification_of("/ticket", json.dumps(NOTIFICATION).encode())
    assert (note.path, note.status, len(note.alerts)) == ("/ticket", "firing", 2)
