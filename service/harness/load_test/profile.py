"""Where a request's time goes: py-spy samples the server while Locust loads it.

    python -m load_test.profile --duration 20s --workers 1

py-spy (``record --format raw``) writes one line per distinct stack with its sample count. Each
sample goes to the work it was doing (the model, logging, validation, serialization, batching),
else to the innermost layer it was in (metrics, request id, HTTP, framework); the table gives each
hop's share of the server's samples. Idle time (waiting for work) is not sampled.
"""

import argparse
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

from load_test.defaults import DEFAULTS
from load_test.run import LoadTest, local_service

# Work done inside a request: a sample goes to the first of these with a frame in its stack,
# wherever in the stack that frame is (serialization calls pydantic's validation, for instance).
WORK = (
    ("model: predict", ("ServingModel.", "InsuranceChargesModel.", "TreeEnsemble.")),
    ("logging: writer thread", ("BatchQueueListener", "QueueListener")),
    ("logging: records in the request", ("Logger.", "LogRecord", "QueueHandler", "_log_")),
    ("serialization: output to JSON", ("serialize_response", "JSONResponse", "jsonable_encoder")),
    ("validation: body to input schema", ("request_body_to_args", "validate_python", "Request.")),
    ("micro-batching", ("MicroBatching.",)),
)
# Layers every request passes through: a sample goes to the innermost one in its stack.
LAYERS = (
    ("metrics", ("MetricsMiddleware", "prometheus_client")),
    ("request id", ("RequestIdMiddleware", "uuid")),
    ("HTTP: uvicorn and httptools", ("uvicorn/protocols", "httptools")),
    ("framework: Starlette and FastAPI", ("starlette/", "fastapi/")),
)
OTHER = "other: event loop, start-up"


def first_match(hops: tuple, frames: list[str]) -> str | None:
    """The first hop one of whose marks is in one of ``frames``, in that order."""
    for frame in frames:
        for hop, marks in hops:
            if any(mark in frame for mark in marks):
                return hop
    return None


def hop_of(stack: list[str]) -> str:
    """The request's work this sample was doing, else the innermost layer it was in."""
    for hop, marks in WORK:
        if any(mark in frame for frame in stack for mark in marks):
            return hop
    return first_match(LAYERS, list(reversed(stack))) or OTHER


def hop_shares(raw: str) -> pd.Series:
    """Each hop's share of the samples in py-spy's raw output."""
    samples: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            samples[hop_of(stack.split(";"))] += int(count)
    if not samples:
        raise ValueError("py-spy recorded no samples")
    total = sum(samples.values())
    shares = pd.Series({hop: count / total for hop, count in samples.items()}, name="share")
    return shares.sort_values(ascending=False)


def py_spy_command(pid: int, seconds: int, raw_path: Path) -> list[str]:
    """Sample process ``pid`` and its children (the workers) for ``seconds``."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    return [
        py_spy, "record", "--pid", str(pid), "--subprocesses", "--duration", str(seconds),
        "--rate", "200", "--format", "raw", "--output", str(raw_path),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", default="20s")
    parser.add_argument("--users", type=int, default=DEFAULTS.users)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--config", type=Path, default=DEFAULTS.service_config)
    parser.add_argument("--reports", type=Path, default=Path("reports/profile"))
    parser.add_argument("--seconds", type=int, default=15, help="how long py-spy samples")
    arguments = parser.parse_args(argv)
    test = LoadTest(
        reports=arguments.reports, users=arguments.users, spawn_rate=arguments.users,
        duration=arguments.duration, service_config=arguments.config, workers=arguments.workers,
    )  # fmt: skip
    arguments.reports.mkdir(parents=True, exist_ok=True)
    raw_path = arguments.reports / "py-spy.txt"
    with local_service(test) as service, open(arguments.reports / "locust.log", "wb") as log:
        load = subprocess.Popen(test.locust_command(service.url), stdout=log, stderr=log)
        time.sleep(2)  # users started and the service warm
        command = py_spy_command(service.process.pid, arguments.seconds, raw_path)
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        load.wait()
    print(f"where the server's samples went ({raw_path}):")
    print(hop_shares(raw_path.read_text()).map("{:.1%}".format).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
