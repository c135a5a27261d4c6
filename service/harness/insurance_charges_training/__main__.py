"""Command line: train the model and write the pipeline, the serving artifact, the drift baseline
and their metrics.

python -m insurance_charges_training --data PATH --output DIR [--seed N]

The training itself is the library ``insurance_charges_training.training``; this only reads the
arguments, runs it and reports.
"""

import argparse
import sys
from pathlib import Path

from common.paths import PROJECT_ROOT
from insurance_charges_model.artifact import ArtifactError, TrainingMetrics
from insurance_charges_model.hashing import sha256_of
from insurance_charges_training.data import DATA_SHA256, DataError, load_insurance_data, locate_data
from insurance_charges_training.serving_artifact import (
    ServingMismatchError,
    UnsupportedPipelineError,
)
from insurance_charges_training.training import DEFAULT_SEED, save_training, train_model

DEFAULT_OUTPUT = PROJECT_ROOT / "models"
PROG = "python -m insurance_charges_training"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        help="the insurance CSV (default: INSURANCE_DATA, data/insurance.csv, or the download)",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="directory for the artifact and metrics"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="seed of the split, folds and estimators"
    )
    return parser.parse_args(argv)


def run(data: Path | None, output: Path, seed: int) -> TrainingMetrics:
    """Train on ``data`` (or the located dataset) and save into ``output``."""
    if data is not None and not data.is_file():
        raise DataError(f"--data {data} is not a file.")
    path = data or locate_data()
    data_sha256 = sha256_of(path)
    if data_sha256 != DATA_SHA256:
        print(
            f"note: {path} is not the pinned dataset (sha256 {data_sha256}); training on it anyway."
        )
    frame = load_insurance_data(path)
    result = train_model(frame, seed)
    print(result.comparison.to_string(index=False, float_format=lambda value: f"{value:,.4f}"))
    return save_training(result, output, data_sha256, len(frame))


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        metrics = run(arguments.data, arguments.output, arguments.seed)
    except (
        DataError,
        ArtifactError,
        ServingMismatchError,
        UnsupportedPipelineError,
        OSError,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"chosen: {metrics.estimator} (CV R² {metrics.cv_r2_mean:.4f} ± {metrics.cv_r2_std:.4f}); "
        f"holdout R² {metrics.r2:.4f}, MAE {metrics.mae:,.0f}, RMSE {metrics.rmse:,.0f}"
    )
    largest = max(metrics.serving_checks.values())
    print(
        f"wrote the pipeline {arguments.output / metrics.pipeline_file}, the serving artifact "
        f"{arguments.output / metrics.artifact_file} (within ${largest:.2g} of the pipeline on "
        f"{', '.join(metrics.serving_checks)}), the drift baseline "
        f"{arguments.output / metrics.baseline_file} and their metrics.json"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
