"""Pairing the clients' requests with the service's prediction records."""

from load_test.request_log import SentRequest
from reliability.pairing import pair


def records(*pairs: tuple[str, str]) -> list[dict]:
    return [
        {"message": message, "prediction_id": prediction_id} for message, prediction_id in pairs
    ]


def both(*ids: str) -> list[tuple[str, str]]:
    return [(m, i) for i in ids for m in ("Prediction requested", "Prediction created")]


def test_every_200_with_its_two_records_is_complete() -> None:
    sent = [SentRequest("a", 200, ""), SentRequest("b", 200, ""), SentRequest("c", 0, "Refused")]
    pairing = pair(sent, records(*both("a", "b"), ("Model loaded", "")))
    assert pairing.complete
    assert (pairing.sent, pairing.succeeded, pairing.created_records) == (3, 2, 2)
    assert pairing.failures_by_error == {"Refused": 1}


def test_a_200_without_its_record_is_a_lost_record() -> None:
    pairing = pair([SentRequest("a", 200, ""), SentRequest("b", 200, "")], records(*both("a")))
    assert pairing.succeeded_without_record == 1
    assert not pairing.complete


def test_a_record_without_a_200_is_named() -> None:
    pairing = pair([SentRequest("a", 0, "HTTPConnectionClosed")], records(*both("a")))
    assert pairing.records_without_success == 1
    assert not pairing.complete


def test_a_prediction_requested_and_never_created_was_dropped_in_flight() -> None:
    sent = [SentRequest("a", 500, "")]
    pairing = pair(sent, records(("Prediction requested", "a")))
    assert pairing.requested_not_created == 1
    assert pairing.failures_by_error == {"HTTP 500": 1}


def test_an_id_logged_twice_is_a_duplicate() -> None:
    pairing = pair([SentRequest("a", 200, "")], records(*both("a", "a")))
    assert pairing.duplicate_records == 2
    assert not pairing.complete
