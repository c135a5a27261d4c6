"""Timing of one prediction: the fast path against a 1-row ``pipeline.predict``.

    python -m load_test.predict_timing [--repeat N] [--model PATH]

Prints p50/p99 of each, measured in the same run, and their ratio.
"""

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from insurance_charges_model.artifact import ArtifactError
from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_model.schemas import EXAMPLE_INPUT, InsuranceChargesModelInput

WARMUP_CALLS = 200


def latencies_us(call: Callable[[], object], repeat: int) -> np.ndarray:
    """Microseconds per call, one measurement per call, after a warm-up."""
    for _ in range(WARMUP_CALLS):
        call()
    samples = np.empty(repeat)
    for index in range(repeat):
        start = time.perf_counter_ns()
        call()
        samples[index] = time.perf_counter_ns() - start
    return samples / 1000


def predict_timings(model: InsuranceChargesModel, repeat: int = 5000) -> pd.DataFrame:
    """p50/p99 latency (µs) of ``model.predict`` and of the pipeline on a 1-row DataFrame."""
    record = InsuranceChargesModelInput(**EXAMPLE_INPUT)
    row = pd.DataFrame([EXAMPLE_INPUT])
    paths = {
        "InsuranceChargesModel.predict (fast path)": (lambda: model.predict(record), repeat),
        "pipeline.predict, 1-row DataFrame": (
            lambda: model.pipeline.predict(row),
            max(repeat // 20, 50),
        ),
    }
    rows = []
    for name, (call, count) in paths.items():
        samples = latencies_us(call, count)
        rows.append(
            {
                "path": name,
                "calls": count,
                "p50_us": np.median(samples),
                "p99_us": np.percentile(samples, 99),
            }
        )
    table = pd.DataFrame(rows)
    table["speedup_p50"] = table.p50_us.iloc[1] / table.p50_us
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5000, help="fast-path calls to time")
    parser.add_argument("--model", type=Path, help="the artifact (default: models/ or the env)")
    arguments = parser.parse_args(argv)
    try:
        model = InsuranceChargesModel(arguments.model)
    except ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    table = predict_timings(model, arguments.repeat)
    print(table.to_string(index=False, float_format=lambda value: f"{value:,.1f}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
