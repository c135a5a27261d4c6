import json
from pathlib import Path

import pandas as pd
import pytest

from insurance_charges_model.schemas import InsuranceChargesModelInput
from insurance_charges_training.data import DataError
from load_test.customers import customer_bodies


@pytest.fixture(scope="module")
def bodies(insurance_csv: Path) -> list[dict]:
    return [json.loads(body) for body in customer_bodies(insurance_csv)]


def test_every_customer_of_the_data_is_a_valid_request(
    bodies: list[dict], insurance_frame: pd.DataFrame
) -> None:
    assert len(bodies) == len(insurance_frame)
    for body in bodies:
        InsuranceChargesModelInput.model_validate_json(json.dumps(body))  # strict, as the API


def test_the_mix_is_the_datas_not_uniform_noise(
    bodies: list[dict], insurance_frame: pd.DataFrame
) -> None:
    sent = pd.DataFrame(bodies)
    assert sent.smoker.mean() == pytest.approx(insurance_frame.smoker.mean())  # ~20 %, not 50 %
    assert sent.bmi.median() == pytest.approx(insurance_frame.bmi.median())
    assert sent.region.value_counts().to_dict() == insurance_frame.region.value_counts().to_dict()


def test_bad_data_is_refused_before_the_test_starts(tmp_path: Path) -> None:
    path = tmp_path / "insurance.csv"
    path.write_text("age,sex,bmi,children,smoker,region,charges\n12,male,20,0,no,north,100\n")
    with pytest.raises(DataError, match="line 2"):
        customer_bodies(path)
