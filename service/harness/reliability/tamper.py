"""A tampered serving artifact, one that needs pickle, and one whose trees point outside their
arrays: the service must refuse all three.

The service then stays up with failing probes, naming the reason, so Kubernetes' startup probe
keeps failing and no prediction is ever served from the file.
"""

import os
import shutil
import time
from pathlib import Path

import httpx
import numpy as np
from pydantic import BaseModel, Field

from insurance_charges_model.artifact import ARTIFACT_NAME, METRICS_NAME, read_metrics
from insurance_charges_model.hashing import sha256_of
from insurance_charges_model.model import MODEL_PATH_ENV_VAR
from insurance_charges_model.schemas import EXAMPLE_INPUT
from model_service.routes import PREDICTION_ROUTE, STARTUP_PATH
from service_runner.process import ServiceProcess


def copy_model(model_dir: Path, target: Path) -> Path:
    """The artifact and its metrics.json, copied into ``target``; the artifact's new path."""
    target.mkdir(parents=True, exist_ok=True)
    for name in (ARTIFACT_NAME, METRICS_NAME):
        shutil.copyfile(model_dir / name, target / name)
    return target / ARTIFACT_NAME


def tampered_artifact(model_dir: Path, target: Path) -> Path:
    """A copy with one byte of the artifact changed, as a corrupted or altered file would be."""
    artifact = copy_model(model_dir, target)
    content = bytearray(artifact.read_bytes())
    content[len(content) // 2] ^= 0xFF
    artifact.write_bytes(bytes(content))
    return artifact


def rehashed(artifact: Path, arrays: dict[str, np.ndarray]) -> Path:
    """``arrays`` written as the artifact, with metrics.json updated to its new sha256, as an
    attacker who can write both files would do: only the loader's own checks are left."""
    with open(artifact, "wb") as stream:
        np.savez(stream, **arrays)
    metrics = read_metrics(artifact).model_copy(update={"artifact_sha256": sha256_of(artifact)})
    (artifact.parent / METRICS_NAME).write_text(metrics.model_dump_json(indent=2))
    return artifact


def original_arrays(artifact: Path) -> dict[str, np.ndarray]:
    with np.load(artifact, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def pickling_artifact(model_dir: Path, target: Path) -> Path:
    """An artifact with an array that only pickle can build, naming ``os.system``."""
    artifact = copy_model(model_dir, target)
    arrays = original_arrays(artifact)
    arrays["value"] = np.array([os.system], dtype=object)
    return rehashed(artifact, arrays)


def dangling_artifact(model_dir: Path, target: Path) -> Path:
    """An artifact whose first tree's root points far outside the nodes."""
    artifact = copy_model(model_dir, target)
    arrays = original_arrays(artifact)
    arrays["left"] = arrays["left"].copy()
    arrays["left"][0] = 10**9
    return rehashed(artifact, arrays)


class RefusalResult(BaseModel):
    """How the service answered while it held a bad artifact."""

    artifact: str = Field(description="What was wrong with the artifact.")
    probe_answers: int = Field(
        description="Startup probe answers over the watch, from the first after loading."
    )
    probe_failures: int = Field(description="Of those, 503s that say 'failed'.")
    detail: str = Field(description="The reason the probe gave.")
    prediction_status: int = Field(description="The status of a prediction request.")
    names_the_reason: bool = Field(description="Whether the probe's reason names the problem.")

    @property
    def passed(self) -> bool:
        return (
            self.probe_answers > 0
            and self.probe_failures == self.probe_answers
            and self.prediction_status == 503
            and self.names_the_reason
        )


def is_loading(answer: httpx.Response) -> bool:
    """Whether the probe says the model is still loading (a verdict is yet to come)."""
    return answer.status_code == 503 and answer.json().get("status") == "loading"


def watch_startup_probe(
    url: str, seconds: float, settle_timeout: float = 60
) -> list[httpx.Response]:
    """The startup probe's answers for ``seconds`` once loading is over: the first answers may
    say "loading" (a busy machine loads slowly), and are not a verdict either way."""
    answers: list[httpx.Response] = []
    started, deadline = time.monotonic(), None
    while deadline is None or time.monotonic() < deadline:
        if deadline is None and time.monotonic() - started > settle_timeout:
            break
        try:
            answer = httpx.get(url + STARTUP_PATH, timeout=2)
        except httpx.TransportError:
            answer = None
        if answer is not None and (answers or not is_loading(answer)):
            answers.append(answer)
            deadline = deadline or time.monotonic() + seconds
        time.sleep(0.2)
    return answers


def serve_refused(
    config: Path, artifact: Path, what: str, reason: str, log: Path, seconds: float = 3
) -> RefusalResult:
    """Start the service on ``artifact``; watch its startup probe and try a prediction."""
    service = ServiceProcess(config, log, environment={MODEL_PATH_ENV_VAR: str(artifact)})
    service.start()
    try:
        answers = watch_startup_probe(service.url, seconds)
        prediction = httpx.post(service.url + PREDICTION_ROUTE, json=EXAMPLE_INPUT, timeout=30)
    finally:
        service.stop()
    failed = [a for a in answers if a.status_code == 503 and a.json().get("status") == "failed"]
    detail = failed[-1].json().get("detail", "") if failed else ""
    detail = detail.replace(f"{artifact.parent}{os.sep}", "")  # the file's name, not its path
    return RefusalResult(
        artifact=what,
        probe_answers=len(answers),
        probe_failures=len(failed),
        detail=detail,
        prediction_status=prediction.status_code,
        names_the_reason=reason in detail,
    )


def check_refusals(config: Path, model_dir: Path, reports: Path) -> list[RefusalResult]:
    """The service on a tampered artifact, then on one that needs pickle, then on one whose
    trees point outside their arrays (both with a matching sha256)."""
    tampered = tampered_artifact(model_dir, reports / "tampered")
    pickling = pickling_artifact(model_dir, reports / "pickling")
    dangling = dangling_artifact(model_dir, reports / "dangling")
    return [
        serve_refused(config, tampered, "has one byte changed", "sha256", reports / "tampered.log"),
        serve_refused(
            config,
            pickling,
            "needs pickle to call os.system",
            "needs pickle",
            reports / "pickling.log",
        ),
        serve_refused(
            config,
            dangling,
            "points a node outside its tree",
            "points outside",
            reports / "dangling.log",
        ),
    ]
