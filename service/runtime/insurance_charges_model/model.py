"""The insurance-charges model as a service hosts it: an ``model_contract.servable.Model``."""

import os
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path

from common.paths import PROJECT_ROOT
from insurance_charges_model.artifact import (
    ARTIFACT_NAME,
    ArtifactError,
    load_artifact,
    read_metrics,
)
from insurance_charges_model.schemas import (
    CATEGORIES,
    InsuranceChargesModelInput,
    InsuranceChargesModelOutput,
)
from insurance_charges_model.serving import ServingModel

MODEL_PATH_ENV_VAR = "INSURANCE_CHARGES_MODEL_PATH"
DEFAULT_ARTIFACT_PATH = PROJECT_ROOT / "models" / ARTIFACT_NAME


def default_artifact_path() -> Path:
    """``INSURANCE_CHARGES_MODEL_PATH`` when set, else ``models/`` in the project."""
    return Path(os.environ.get(MODEL_PATH_ENV_VAR) or DEFAULT_ARTIFACT_PATH)


def check_inputs(data: Sequence[InsuranceChargesModelInput]) -> None:
    """Reject anything that has not been through the input schema."""
    for item in data:
        if not isinstance(item, InsuranceChargesModelInput):
            raise TypeError(
                f"expected InsuranceChargesModelInput, got {type(item).__name__}: "
                "validate the input first, e.g. InsuranceChargesModelInput.model_validate(...)"
            )


def check_categories(serving: ServingModel, path: Path) -> None:
    """Refuse an artifact whose encoder does not know every value the input schema allows."""
    unknown = serving.encoder.unknown_categories(CATEGORIES)
    if unknown:
        raise ArtifactError(
            f"{path} was trained for other inputs: its encoder does not know {unknown}, which the "
            "input schema allows. Train the model again with `make train`."
        )


class InsuranceChargesModel:
    """Yearly insurance charges from age, sex, BMI, children, smoking and region."""

    qualified_name = "insurance_charges_model"
    display_name = "Insurance Charges Model"
    description = "Predicts the yearly medical charges an insurer bills a customer, in US dollars."
    version = version("insurance-charges-service")
    input_schema = InsuranceChargesModelInput
    output_schema = InsuranceChargesModelOutput
    # Tens of microseconds a prediction from the serving artifact (`make benchmark-model`): the
    # service calls it inline, on the event loop, as a hop to a thread would cost more.
    blocking = False

    def __init__(self, artifact_path: str | Path | None = None) -> None:
        self.path = path = Path(artifact_path) if artifact_path else default_artifact_path()
        self.metrics = read_metrics(path)
        self.serving = load_artifact(path, self.metrics.artifact_sha256)
        check_categories(self.serving, path)

    def predict(self, data: InsuranceChargesModelInput) -> InsuranceChargesModelOutput:
        """Price one customer."""
        return self.predict_batch([data])[0]

    def predict_batch(
        self, data: Sequence[InsuranceChargesModelInput]
    ) -> list[InsuranceChargesModelOutput]:
        """Price many customers in one pass over the trees."""
        check_inputs(data)
        charges = self.serving.predict(data)
        return [InsuranceChargesModelOutput(charges=round(float(value), 2)) for value in charges]
