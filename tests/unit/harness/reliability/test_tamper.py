"""Unsafe artifacts: the loader must refuse each for its own reason."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from insurance_charges_model.artifact import ArtifactError
from insurance_charges_model.model import InsuranceChargesModel
from reliability import tamper
from reliability.tamper import (
    RefusalResult,
    dangling_artifact,
    pickling_artifact,
    tampered_artifact,
)


def test_a_tampered_artifact_is_refused_for_its_sha256(model_dir: Path, tmp_path: Path) -> None:
    artifact = tampered_artifact(model_dir, tmp_path)
    with pytest.raises(ArtifactError, match="sha256"):
        InsuranceChargesModel(artifact)


def test_an_artifact_that_needs_pickle_is_refused(model_dir: Path, tmp_path: Path) -> None:
    artifact = pickling_artifact(model_dir, tmp_path)
    with pytest.raises(ArtifactError, match="needs pickle"):
        InsuranceChargesModel(artifact)


def test_an_artifact_with_a_dangling_node_is_refused(model_dir: Path, tmp_path: Path) -> None:
    artifact = dangling_artifact(model_dir, tmp_path)
    with pytest.raises(ArtifactError, match="node 0 points outside"):
        InsuranceChargesModel(artifact)


def refusal(**changes: object) -> RefusalResult:
    fields = {
        "artifact": "x",
        "probe_answers": 10,
        "probe_failures": 10,
        "detail": "sha256",
        "prediction_status": 503,
        "names_the_reason": True,
    }
    return RefusalResult.model_validate(fields | changes)


@pytest.mark.parametrize(
    ("changes", "passed"),
    [
        ({}, True),
        ({"probe_failures": 9}, False),
        ({"probe_answers": 0, "probe_failures": 0}, False),
        ({"prediction_status": 200}, False),
        ({"names_the_reason": False}, False),
    ],
)
def test_a_refusal_passes_only_when_complete(changes: dict, passed: bool) -> None:
    assert refusal(**changes).passed is passed


def probe_answers(*statuses: str) -> Iterator[httpx.Response]:
    for status in statuses:
        yield httpx.Response(503, json={"status": status, "detail": "why"})
    while True:
        yield httpx.Response(503, json={"status": "failed", "detail": "why"})


def test_the_watch_starts_once_loading_is_over(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = probe_answers("loading", "loading", "loading")
    monkeypatch.setattr(tamper.httpx, "get", lambda *_, **__: next(answers))
    monkeypatch.setattr(tamper.time, "sleep", lambda _: None)
    watched = tamper.watch_startup_probe("http://x", seconds=0.01)
    assert watched
    assert all(answer.json()["status"] == "failed" for answer in watched)


def test_loading_after_a_verdict_is_counted_against_the_service(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = probe_answers("failed", "loading")
    monkeypatch.setattr(tamper.httpx, "get", lambda *_, **__: next(answers))
    watched = tamper.watch_startup_probe("http://x", seconds=0.5)
    assert [answer.json()["status"] for answer in watched[:2]] == ["failed", "loading"]


def test_a_service_that_never_settles_gives_no_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tamper.httpx, "get", lambda *_, **__: next(probe_answers("loading")))
    monkeypatch.setattr(tamper.time, "sleep", lambda _: None)
    assert tamper.watch_startup_probe("http://x", seconds=1, settle_timeout=0.01) == []
