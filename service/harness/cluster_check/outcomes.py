"""A check's outcome, one line each on the terminal, and polling until a condition holds."""

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import httpx

from kubernetes_deployment.manifests import KubectlError
from monitoring.prometheus import PrometheusError

POLL_S = 5.0  # seconds between two looks at something that takes time
FAILURES = (KubectlError, PrometheusError, httpx.HTTPError, subprocess.TimeoutExpired, ValueError)
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """Whether a check passed, and what it saw."""

    passed: bool
    detail: str

    def line(self, check: str) -> str:
        return f"{'PASS' if self.passed else 'FAIL'}  {check}: {self.detail}"


def reported(check: str, outcome: Outcome) -> Outcome:
    """``outcome``, printed as the line of ``check``."""
    print(outcome.line(check), flush=True)
    return outcome


def attempt(check: str, run: Callable[[], Outcome]) -> Outcome:
    """``run``'s outcome, printed; an error on the way is the check's failure, with its reason."""
    try:
        outcome = run()
    except FAILURES as error:
        outcome = Outcome(False, f"{type(error).__name__}: {error}")
    return reported(check, outcome)


def poll(look: Callable[[], T], done: Callable[[T], bool], timeout_s: float, every_s: float) -> T:
    """``look()`` every ``every_s`` seconds until ``done`` holds of it or ``timeout_s`` has
    passed; the last look."""
    deadline = time.monotonic() + timeout_s
    seen = look()
    while not done(seen) and time.monotonic() < deadline:
        time.sleep(every_s)
        seen = look()
    return seen
