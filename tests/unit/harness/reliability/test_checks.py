"""The reliability report: which checks failed, and the lines it prints."""

import argparse

import pytest

from reliability.__main__ import check_names
from reliability.auth import AuthResult
from reliability.checks import ReliabilityReport, report_lines, summary_rows
from reliability.faults import MIN_LOGGED_PREDICTIONS, TerminateResult
from reliability.fuzz import FuzzResult
from reliability.pairing import Pairing


def fuzz_result(server_errors: int = 0) -> FuzzResult:
    return FuzzResult(
        exit_code=0,
        test_cases=1100,
        failures=[],
        requests_by_status={"200": 1000, "500": server_errors},
    )


def test_a_report_of_passing_checks() -> None:
    report = ReliabilityReport(
        fuzz=fuzz_result(), auth=[AuthResult(request="no key", expected_status=401, status=401)]
    )
    lines = report_lines(report)
    assert report.failed_checks == []
    assert lines[-1] == "Reliability: passed"
    assert "  responses >= 500: 0; schema or status violations: 0" in lines


def test_each_failing_check_is_named() -> None:
    report = ReliabilityReport(
        fuzz=fuzz_result(server_errors=1),
        auth=[AuthResult(request="no key", expected_status=401, status=200)],
    )
    assert report.failed_checks == ["fuzz", "auth"]
    lines = report_lines(report)
    assert lines[-1] == "Reliability: FAILED: fuzz, auth"
    assert "  FAIL  no key: 200 (want 401)" in lines


def test_checks_not_run_print_nothing() -> None:
    assert report_lines(ReliabilityReport()) == ["Reliability: passed"]


def test_check_names() -> None:
    assert check_names("fuzz, tamper") == {"fuzz", "tamper"}
    with pytest.raises(argparse.ArgumentTypeError, match=r"unknown checks \['chaos'\]"):
        check_names("fuzz,chaos")
    with pytest.raises(argparse.ArgumentTypeError):
        check_names("")


def terminate_result(succeeded: int, exit_code: int = -15) -> TerminateResult:
    pairing = Pairing(
        sent=succeeded, succeeded=succeeded, requested_records=succeeded,
        created_records=succeeded, failures_by_error={}, succeeded_without_record=0,
        records_without_success=0, requested_not_created=0, duplicate_records=0,
    )  # fmt: skip
    return TerminateResult(
        served_before_signal=succeeded, shutdown_s=1.0, exit_code=exit_code, pairing=pairing
    )


def test_a_complete_log_of_too_few_predictions_fails_the_report() -> None:
    report = ReliabilityReport(terminate_server=terminate_result(MIN_LOGGED_PREDICTIONS - 1))
    lines = report_lines(report)
    assert "Log completeness: FAIL" in lines
    assert report.failed_checks == ["terminate_server"]
    assert lines[-1] == "Reliability: FAILED: terminate_server"


def test_a_complete_log_of_enough_predictions_passes_the_report() -> None:
    report = ReliabilityReport(terminate_server=terminate_result(MIN_LOGGED_PREDICTIONS))
    lines = report_lines(report)
    assert "Log completeness: pass" in lines
    assert lines[-1] == "Reliability: passed"


def test_an_unclean_exit_fails_the_report_though_the_log_is_complete() -> None:
    report = ReliabilityReport(terminate_server=terminate_result(MIN_LOGGED_PREDICTIONS, 1))
    lines = report_lines(report)
    assert "SIGTERM the server under load: FAIL" in lines
    assert "Log completeness: pass" in lines
    assert lines[-1] == "Reliability: FAILED: terminate_server"


def test_summary_rows_give_one_row_a_check_with_its_verdict() -> None:
    report = ReliabilityReport(
        fuzz=fuzz_result(server_errors=2),
        auth=[
            AuthResult(request="no key", expected_status=401, status=401),
            AuthResult(request="the key", expected_status=200, status=401),
        ],
    )
    fuzz_row, auth_row = summary_rows(report)
    assert fuzz_row["check"] == "fuzzing"
    assert fuzz_row["what was sent"] == "1,100 generated test cases, 1,002 requests"
    assert fuzz_row["what the service did"].startswith("2 answers of 500 or more")
    assert fuzz_row["verdict"] == "FAIL"
    assert auth_row["what the service did"] == "1 of 2 got the status they should"
    assert auth_row["verdict"] == "FAIL"


def test_summary_rows_leave_out_checks_not_run() -> None:
    assert summary_rows(ReliabilityReport()) == []
