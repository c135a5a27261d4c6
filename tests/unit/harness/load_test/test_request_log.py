"""The request log a Locust run writes with --request-log, alone or one share per worker."""

from pathlib import Path

import pytest

from load_test.request_log import (
    RequestLog,
    SentRequest,
    log_files,
    read_request_log,
    remove_request_logs,
    worker_log_path,
)


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


def test_the_workers_shares_are_read_as_one_log(tmp_path: Path) -> None:
    path = tmp_path / "requests.csv"
    for pid, status in ((101, 200), (102, 503)):
        share = RequestLog(worker_log_path(path, pid))
        share.add(f"id-{pid}", status, None)
        share.write()
    assert worker_log_path(path, 101).name == "requests.worker-101.csv"
    assert read_request_log(path) == [
        SentRequest("id-101", 200, ""),
        SentRequest("id-102", 503, ""),
    ]


def test_no_log_at_all_is_an_error_that_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"no request log at .*requests\.csv"):
        read_request_log(tmp_path / "requests.csv")


def test_an_earlier_run_s_logs_are_removed_and_no_other_file(tmp_path: Path) -> None:
    path = tmp_path / "requests.csv"
    for written in (path, worker_log_path(path, 7), tmp_path / "other.csv"):
        written.write_text("request_id,status,error\n")
    remove_request_logs(path)
    assert log_files(path) == []
    assert (tmp_path / "other.csv").exists()
