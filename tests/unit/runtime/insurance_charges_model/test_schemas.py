import math

import pytest
from pydantic import ValidationError

from insurance_charges_model.schemas import (
    EXAMPLE_INPUT,
    InsuranceChargesModelInput,
    InsuranceChargesModelOutput,
)


def validation_error(**changes: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        InsuranceChargesModelInput.model_validate({**EXAMPLE_INPUT, **changes})
    return caught.value


def test_the_example_is_valid() -> None:
    record = InsuranceChargesModelInput.model_validate(EXAMPLE_INPUT)
    assert record.model_dump() == EXAMPLE_INPUT


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("age", 17, "greater than or equal to 18"),
        ("age", 66, "less than or equal to 65"),
        ("bmi", 14.9, "greater than or equal to 15"),
        ("bmi", 55.1, "less than or equal to 55"),
        ("bmi", math.nan, "finite number"),
        ("bmi", math.inf, "finite number"),
        ("children", -1, "greater than or equal to 0"),
        ("children", 6, "less than or equal to 5"),
        ("sex", "other", "'female' or 'male'"),
        ("smoker", "sometimes", "valid boolean"),
        ("smoker", "yes", "valid boolean"),
        ("smoker", 1, "valid boolean"),
        ("region", "midwest", "'northeast', 'northwest', 'southeast' or 'southwest'"),
        ("age", 42.5, "valid integer"),
        ("age", "42", "valid integer"),
        ("age", True, "valid integer"),
        ("bmi", "27.5", "valid number"),
        ("children", None, "valid integer"),
    ],
)
def test_bad_values_are_rejected_naming_the_field(field: str, value: object, message: str) -> None:
    [error] = validation_error(**{field: value}).errors()
    assert error["loc"] == (field,)
    assert message in error["msg"]


@pytest.mark.parametrize("field", list(EXAMPLE_INPUT))
def test_every_field_is_required(field: str) -> None:
    with pytest.raises(ValidationError, match=rf"{field}\s+Field required"):
        InsuranceChargesModelInput.model_validate(
            {k: v for k, v in EXAMPLE_INPUT.items() if k != field}
        )


def test_unknown_fields_are_rejected() -> None:
    [error] = validation_error(smokes="yes").errors()
    assert error["loc"] == ("smokes",)
    assert error["type"] == "extra_forbidden"


def test_json_input_accepts_integral_bmi() -> None:
    record = InsuranceChargesModelInput.model_validate_json(
        '{"age": 30, "sex": "male", "bmi": 30, '
        '"children": 0, "smoker": false, "region": "southeast"}'
    )
    assert record.bmi == 30.0


@pytest.mark.parametrize("field", ["age", "children"])
def test_a_whole_number_float_is_an_integer_as_json_schema_says(field: str) -> None:
    record = InsuranceChargesModelInput.model_validate(
        {**EXAMPLE_INPUT, field: 2.0 if field == "children" else 42.0}
    )
    assert type(getattr(record, field)) is int
    json_record = InsuranceChargesModelInput.model_validate_json(
        '{"age": 42.0, "sex": "male", "bmi": 30, "children": 2.0, '
        '"smoker": false, "region": "southeast"}'
    )
    assert (json_record.age, json_record.children) == (42, 2)


def test_openapi_schema_documents_every_field() -> None:
    schema = InsuranceChargesModelInput.model_json_schema()
    assert set(schema["required"]) == set(EXAMPLE_INPUT)
    for name, field in schema["properties"].items():
        assert field.get("description"), name
        assert field.get("examples"), name
    assert schema["properties"]["region"]["enum"] == [
        "northeast",
        "northwest",
        "southeast",
        "southwest",
    ]
    assert schema["examples"] == [EXAMPLE_INPUT]
    output = InsuranceChargesModelOutput.model_json_schema()
    assert output["properties"]["charges"]["description"]
