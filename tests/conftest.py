"""Shared fixtures: the real dataset and a model trained on it once per session."""

from pathlib import Path

import pandas as pd
import pytest

from insurance_charges_model.artifact import ARTIFACT_NAME
from insurance_charges_model.hashing import sha256_of
from insurance_charges_model.model import InsuranceChargesModel
from insurance_charges_training.data import DataError, locate_data, read_insurance_csv
from insurance_charges_training.training import (
    TrainingResult,
    save_training,
    train_model,
)


@pytest.fixture(scope="session")
def insurance_csv() -> Path:
    """The verified dataset; fails (not skips) with the loader's advice when it is unavailable."""
    try:
        return locate_data()
    except DataError as error:
        pytest.fail(str(error))


@pytest.fixture(scope="session")
def insurance_frame(insurance_csv: Path) -> pd.DataFrame:
    return read_insurance_csv(insurance_csv)


@pytest.fixture(scope="session")
def training_result(insurance_frame: pd.DataFrame) -> TrainingResult:
    return train_model(insurance_frame)


@pytest.fixture(scope="session")
def model_dir(
    tmp_path_factory: pytest.TempPathFactory,
    training_result: TrainingResult,
    insurance_csv: Path,
    insurance_frame: pd.DataFrame,
) -> Path:
    """A directory holding the trained artifact and its metrics.json."""
    directory = tmp_path_factory.mktemp("models")
    save_training(training_result, directory, sha256_of(insurance_csv), len(insurance_frame))
    return directory


@pytest.fixture(scope="session")
def model(model_dir: Path) -> InsuranceChargesModel:
    return InsuranceChargesModel(model_dir / ARTIFACT_NAME)
