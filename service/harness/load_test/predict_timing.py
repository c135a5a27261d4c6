"""Timing of one prediction: the serving artifact against a 1-row ``pipeline.predict``.

    python -m load_test.predict_timing [--repeat N] [--model PATH]

Prints p50/p99 of each, measured in the same run, and their ratio. The serving artifact is
timed twice: called again and again, its arrays stay in the CPU's caches; in a service, the
rest of each request pushes them out, so it is also timed with the caches flushed before each
call (a buffer larger than any cache read first), which is closer to what a request pays.
"""

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from insurance_charges_model.artifact import ArtifactError
from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_model.schemas import EXAMPLE_INPUT, InsuranceChargesModelInput
from insurance_charges_training.pipeline_artifact import load_trained_pipeline

WARMUP_CALLS = 200
CACHE_FLUSH_BYTES = 64 * 2**20  # more than the last-level cache of any machine this runs on
CACHE_LINE_FLOATS = 8  # 64 bytes


def cache_flusher(size_bytes: int = CACHE_FLUSH_BYTES) -> Callable[[], object]:
    """A call that reads one float of every cache line of a buffer larger than the caches."""
    buffer = np.ones(size_bytes // 8)
    return lambda: buffer[::CACHE_LINE_FLOATS].sum()


def latencies_us(
    call: Callable[[], object], repeat: int, before: Callable[[], object] | None = None
) -> np.ndarray:
    """Microseconds per call, one measurement per call, after a warm-up; ``before`` runs, not
    timed, before each timed call."""
    for _ in range(WARMUP_CALLS):
        call()
    samples = np.empty(repeat)
    for index in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter_ns()
        call()
        samples[index] = time.perf_counter_ns() - start
    return samples / 1000


def predict_timings(
    model: InsuranceChargesModel, pipeline: Pipeline, repeat: int = 5000
) -> pd.DataFrame:
    """p50/p99 latency (µs) of ``model.predict``, with warm and with flushed caches, and of the
    pipeline on a 1-row DataFrame; each one's speed-up on the pipeline."""
    record = InsuranceChargesModelInput(**EXAMPLE_INPUT)
    row = pd.DataFrame([EXAMPLE_INPUT])
    predict = lambda: model.predict(record)  # noqa: E731
    fewer = max(repeat // 20, 50)
    paths = [
        ("InsuranceChargesModel.predict, caches warm", predict, repeat, None),
        ("InsuranceChargesModel.predict, caches flushed", predict, fewer, cache_flusher()),
        ("pipeline.predict, 1-row DataFrame", lambda: pipeline.predict(row), fewer, None),
    ]
    rows = []
    for name, call, count, before in paths:
        samples = latencies_us(call, count, before)
        rows.append(
            {
                "path": name,
                "calls": count,
                "p50_us": np.median(samples),
                "p99_us": np.percentile(samples, 99),
            }
        )
    table = pd.DataFrame(rows)
    table["speedup_p50"] = table.p50_us.iloc[-1] / table.p50_us
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5000, help="serving-artifact calls to time")
    parser.add_argument(
        "--model",
        type=Path,
        help="the serving artifact (default: models/ or the env); the "
        "pipeline is read from the same folder",
    )
    arguments = parser.parse_args(argv)
    try:
        model = InsuranceChargesModel(arguments.model)
        pipeline = load_trained_pipeline(model.path.parent)
    except ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    table = predict_timings(model, pipeline, arguments.repeat)
    print(table.to_string(index=False, float_format=lambda value: f"{value:,.1f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
