"""What every deployment target offers, and what the others answer with ``Skipped``."""

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import httpx

from kubernetes_deployment.pod_resources import PodLoad
from ml_model_logging.decorator import CREATED, REQUESTED
from service_runner.container import ImageProperty, expected_answer
from system_tools import Skipped

Result = TypeVar("Result")
CHECK_REQUEST_ID = "target-check-1"
RECORDS_SETTLE_S = 0.5  # the log records are written by a background thread


class DeploymentTarget(ABC):
    """One place the service runs: deploy it, reach it, read it, measure it, take it down."""

    name: ClassVar[str]  # what a notebook's ``target`` parameter calls it
    where: ClassVar[str]  # what the post calls it, e.g. "pods started by podman, without a cluster"
    one_metrics_view: ClassVar[bool] = True  # False: each scrape of /metrics reaches one replica
    why: str = ""  # why ``choose`` picked it, set by ``choose``
    passed_over: dict[str, str]  # the targets ``auto`` preferred, and why each was not used

    @abstractmethod
    def deploy(self) -> str:
        """Start the service and wait until it is ready; what was done, as text."""

    @abstractmethod
    def url(self) -> str:
        """The URL its clients use."""

    @abstractmethod
    def records(self) -> list[dict[str, Any]]:
        """The JSON log records of every replica, oldest first within each replica."""

    @abstractmethod
    def describe(self) -> str:
        """What runs, as the platform lists it."""

    @abstractmethod
    def under_load(self, run: Callable[[], Result]) -> tuple[Result, list[PodLoad]]:
        """Run ``run`` (a load test) and what each replica served and used meanwhile."""

    @abstractmethod
    def teardown(self) -> str:
        """Stop the service and remove what ``deploy`` created; what was done, as text."""

    def applies_overlay(self, overlay: str) -> bool:
        """Whether it runs the manifests of ``overlay`` as that overlay says (a cluster does)."""
        return False

    def enforced_settings(self) -> dict[str, dict[str, str]] | Skipped:
        """By replica, what the platform enforces of the manifest (user, filesystem, limits)."""
        return Skipped("what the platform enforces", f"{self.where} enforce no manifest")

    def checks(self, config_path: Path) -> list[ImageProperty]:
        """The properties it must have, checked on what runs: ready, right, logged."""
        return served_checks(self, config_path)

    def sizing(self, loads: list[PodLoad]) -> Any:
        """The pods' requests and limits beside what this run's loads give."""
        return Skipped("sizing the pods from this run", f"the run was on {self.where}")

    def against_the_benchmark(
        self, rps: float, p99_ms: float, benchmark: Any, loads: list[PodLoad]
    ) -> Any:
        """This run beside the local service's benchmark, and why they differ."""
        return Skipped("the pods beside the local service", f"the run was on {self.where}")

    def kill_one_under_load(
        self, reports: Path, users: int, run_s: int, kill_after_s: float, chart: Path | None = None
    ) -> Any:
        """SIGKILL one replica in the middle of a load test, and what the clients saw."""
        return Skipped("a pod killed under load", f"the run was on {self.where}, not on pods")


def served_checks(target: DeploymentTarget, config_path: Path) -> list[ImageProperty]:
    """One prediction through ``target``: the answer of the model in process, and its records."""
    example, expected = expected_answer(config_path)
    response = httpx.post(
        target.url() + expected["path"],
        json=example,
        headers={"X-Request-ID": CHECK_REQUEST_ID},
        timeout=10,
    )
    time.sleep(RECORDS_SETTLE_S)
    logged = [
        record.get("message")
        for record in target.records()
        if record.get("prediction_id") == CHECK_REQUEST_ID
    ]
    return [
        ImageProperty(
            "same prediction as in process",
            response.status_code == 200 and response.json() == expected["answer"],
            f"{target.where}: {response.status_code} {response.text}, "
            f"in process {expected['answer']}",
        ),
        ImageProperty(
            "JSON prediction logs",
            logged == [REQUESTED, CREATED],
            f"records for the request: {logged}",
        ),
    ]


def predictions_in(records: list[dict[str, Any]]) -> int:
    """How many predictions the records say were made."""
    return sum(record.get("message") == CREATED for record in records)


def settled_predictions(read: Callable[[], list[dict[str, Any]]], rounds: int = 20) -> int:
    """The predictions in ``read()`` once two readings agree: the service's log thread writes
    its records a moment after the answers go out."""
    count = predictions_in(read())
    for _ in range(rounds):
        time.sleep(RECORDS_SETTLE_S)
        again = predictions_in(read())
        if again == count:
            return count
        count = again
    return count
