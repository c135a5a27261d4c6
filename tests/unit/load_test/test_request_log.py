"""The request log a Locust run writes with --request-log."""

from pathlib import Path

import pytest

from load_test.request_log import RequestLog, SentRequest, read_request_log


def test_what_is_written_is_read_back(tmp_path: Path) -> None:
    log = RequestLog(tmp_path / "deep" / "requests.csv")
    first, second = log.new_id(), log.new_id()
    log.add(first, 200, None)
    log.add(second, 0, ConnectionRefusedError("refused"))
    log.write()
    assert read_request_log(log.path) == [
        SentRequest(first, 200, ""),
        SentRequest(second, 0, "ConnectionRefusedError"),
    ]
    assert first != second


def test_only_a_200_succeeded() -> None:
    assert SentRequest("a", 200, "").succeeded
    assert not SentRequest("a", 500, "").succeeded


def test_another_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Name,Count\nx,1\n")
    with pytest.raises(ValueError, match="is not a request log"):
        read_request_log(path)
