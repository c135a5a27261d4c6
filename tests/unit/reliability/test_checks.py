"""The reliability report: which checks failed, and the lines it prints."""

import argparse

import pytest

from reliability.__main__ import check_names
from reliability.auth import AuthResult
from reliability.checks import ReliabilityReport, report_lines
from reliability.fuzz import FuzzResult


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
