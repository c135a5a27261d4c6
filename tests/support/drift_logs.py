"""A toy model's baseline and prediction log lines, for the drift monitor's tests."""

import json
from typing import Any

import numpy as np

from drift_monitor.baseline import Baseline, build_baseline
from drift_monitor.thresholds import DriftThresholds

MODEL = "toy_model"
VERSION = "1.0.0"
REGIONS = ("north", "south", "east", "west")
INPUTS = ("age", "smoker", "region")
CATEGORICAL = ("smoker", "region")
PREDICTION = "price"
THRESHOLDS = DriftThresholds(psi=0.2, p_value=0.01, min_records=500)


def customers(rows: int = 2000, smokers: float = 0.2, age_shift: int = 0, seed: int = 0) -> dict:
    """Columns of made-up customers: age, smoker, region, and a price that depends on them."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 65, rows) + age_shift
    smoker = rng.random(rows) < smokers
    region = rng.choice(REGIONS, rows)
    price = 100.0 * age + 20_000.0 * smoker + rng.normal(0, 500, rows)
    return {"age": age, "smoker": smoker, "region": region, PREDICTION: price}


def toy_baseline(columns: dict | None = None) -> Baseline:
    return build_baseline(
        columns or customers(),
        categorical=CATEGORICAL,
        outputs=(PREDICTION,),
        model_qualified_name=MODEL,
        model_version=VERSION,
    )


def record(message: str, model: str = MODEL, version: str = VERSION, **fields: Any) -> str:
    """One log line as the logging decorator writes it."""
    return json.dumps(
        {
            "level": "INFO",
            "logger": "ml_model_logging.predictions",
            "message": message,
            "action": "predict",
            "model_qualified_name": model,
            "model_version": version,
            "prediction_id": "id-1",
            "timestamp": "2025-01-01T00:00:00+00:00",
            **fields,
        }
    )


def requested(inputs: dict[str, Any], **fields: Any) -> str:
    return record("Prediction requested", status="requested", input=inputs, **fields)


def created(outputs: dict[str, Any], **fields: Any) -> str:
    return record("Prediction created", status="success", output=outputs, **fields)


def plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def log_lines(columns: dict, inputs: tuple[str, ...] = INPUTS) -> list[str]:
    """A requested and a created record for each row, with the ``inputs`` fields logged."""
    lines = []
    for row in range(len(columns[PREDICTION])):
        lines.append(requested({name: plain(columns[name][row]) for name in inputs}))
        lines.append(created({PREDICTION: plain(columns[PREDICTION][row])}))
    return lines
