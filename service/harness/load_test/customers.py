"""Request bodies for the load test: real customers, not uniform noise, or a shifted population."""

import json
from pathlib import Path

from insurance_charges_model.schemas import FEATURE_NAMES, InsuranceChargesModelInput
from insurance_charges_training.data import load_insurance_data
from load_test.populations import POPULATIONS_FILE, TRAINING, shifted, shifts_of


def customer_bodies(
    data_path: Path | None = None,
    population: str = TRAINING,
    populations_file: Path = POPULATIONS_FILE,
) -> list[bytes]:
    """One JSON body per customer of the training data, shifted as ``population`` says, each
    validated against the API's schema.

    A load test that picks from these at random sends the data's own mix of ages, smokers and
    regions (or the shifted mix), so the service is measured on the requests it will really get.
    """
    frame = load_insurance_data(data_path)
    rows = shifted(
        frame[list(FEATURE_NAMES)].to_dict(orient="records"),
        shifts_of(population, populations_file),
    )
    return [
        json.dumps(InsuranceChargesModelInput.model_validate(row).model_dump()).encode()
        for row in rows
    ]
