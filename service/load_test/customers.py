"""Request bodies for the load test: real customers, not uniform noise."""

import json
from pathlib import Path

from insurance_charges_model.data import load_insurance_data
from insurance_charges_model.schemas import FEATURE_NAMES, InsuranceChargesModelInput


def customer_bodies(data_path: Path | None = None) -> list[bytes]:
    """One JSON body per customer of the training data, validated against the API's schema.

    A load test that picks from these at random sends the data's own mix of ages, smokers and
    regions, so the service is measured on the requests it will really get.
    """
    frame = load_insurance_data(data_path)
    return [
        json.dumps(InsuranceChargesModelInput.model_validate(record).model_dump()).encode()
        for record in frame[list(FEATURE_NAMES)].to_dict(orient="records")
    ]
