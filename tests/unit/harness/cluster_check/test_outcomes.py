"""Outcomes: an error is a failed check with its reason, and polling stops when it should."""

import httpx
import pytest

from cluster_check.outcomes import Outcome, attempt, poll
from kubernetes_deployment.manifests import KubectlError


def test_a_passing_check_is_reported_as_passed(capsys: pytest.CaptureFixture[str]) -> None:
    assert attempt("the check", lambda: Outcome(True, "all good")).passed
    assert capsys.readouterr().out == "PASS  the check: all good\n"


@pytest.mark.parametrize(
    "error", [KubectlError("kubectl said no"), httpx.ConnectError("refused"), ValueError("junk")]
)
def test_an_error_is_a_failed_check_naming_it(
    error: Exception, capsys: pytest.CaptureFixture[str]
) -> None:
    def check() -> Outcome:
        raise error

    outcome = attempt("the check", check)
    assert not outcome.passed
    assert capsys.readouterr().out == f"FAIL  the check: {type(error).__name__}: {error}\n"


def test_poll_stops_as_soon_as_the_condition_holds() -> None:
    looks = iter([1, 2, 3, 4])
    assert poll(lambda: next(looks), lambda seen: seen == 2, timeout_s=60, every_s=0) == 2


def test_poll_gives_the_last_look_when_time_is_up() -> None:
    looks = iter([1, 2, 3])
    assert poll(lambda: next(looks), lambda seen: False, timeout_s=0, every_s=0) == 1
