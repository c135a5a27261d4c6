"""Input and output schemas of the insurance-charges model.

The bounds follow the training data (ages 18-64, BMI 16-53, up to five children), with a
little room: the model has seen nothing outside them, so it refuses to guess there.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Sex = Literal["female", "male"]
Region = Literal["northeast", "northwest", "southeast", "southwest"]

AGE_RANGE = (18, 65)
BMI_RANGE = (15.0, 55.0)
CHILDREN_RANGE = (0, 5)

EXAMPLE_INPUT = {
    "age": 42,
    "sex": "female",
    "bmi": 27.5,
    "children": 2,
    "smoker": False,
    "region": "northwest",
}


INTEGER_FIELDS = frozenset({"age", "children"})


def whole_number(value: Any) -> Any:
    """42.0 as the integer 42, as JSON Schema counts it; 42.5 is left for int to refuse."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


class InsuranceChargesModelInput(BaseModel):
    """One insurance customer: the features the model prices."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        json_schema_extra={"examples": [EXAMPLE_INPUT]},
    )

    @model_validator(mode="before")
    @classmethod
    def whole_numbers_as_integers(cls, data: Any) -> Any:
        """Strict, yet 42.0 is an integer: the JSON Schema the API publishes says so."""
        if not isinstance(data, dict):
            return data
        return {
            name: whole_number(value) if name in INTEGER_FIELDS else value
            for name, value in data.items()
        }

    age: Annotated[
        int,
        Field(
            ge=AGE_RANGE[0],
            le=AGE_RANGE[1],
            description="Age of the primary beneficiary, in years.",
            examples=[42],
        ),
    ]
    sex: Annotated[Sex, Field(description="Sex of the primary beneficiary.", examples=["female"])]
    bmi: Annotated[
        float,
        Field(
            ge=BMI_RANGE[0],
            le=BMI_RANGE[1],
            allow_inf_nan=False,
            description="Body mass index: weight in kg divided by the square of height in m.",
            examples=[27.5],
        ),
    ]
    children: Annotated[
        int,
        Field(
            ge=CHILDREN_RANGE[0],
            le=CHILDREN_RANGE[1],
            description="Number of children covered by the insurance.",
            examples=[2],
        ),
    ]
    smoker: Annotated[bool, Field(description="Whether the beneficiary smokes.", examples=[False])]
    region: Annotated[
        Region,
        Field(description="Residential area in the US.", examples=["northwest"]),
    ]


class InsuranceChargesModelOutput(BaseModel):
    """The model's price for one customer."""

    model_config = ConfigDict(frozen=True, json_schema_extra={"examples": [{"charges": 8640.78}]})

    charges: Annotated[
        float,
        Field(
            description="Predicted yearly medical charges billed by the insurer, in US dollars.",
            examples=[8640.78],
        ),
    ]


class InsuranceChargesRecord(InsuranceChargesModelInput):
    """A row of training data: the input features and the charges actually billed."""

    model_config = ConfigDict(json_schema_extra=None)

    charges: Annotated[
        float,
        Field(gt=0, allow_inf_nan=False, description="Medical charges billed, in US dollars."),
    ]


FEATURE_NAMES: tuple[str, ...] = tuple(InsuranceChargesModelInput.model_fields)
CATEGORIES: dict[str, tuple[str | bool, ...]] = {
    "sex": Sex.__args__,
    "smoker": (False, True),
    "region": Region.__args__,
}
TARGET_NAME = "charges"
