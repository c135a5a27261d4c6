import importlib
import re
from pathlib import Path

import pytest

from common.paths import CONFIGURATION_DIR
from common.yaml_files import ConfigurationError
from drift_monitor.thresholds import DriftThresholds, Thresholds, load_thresholds

DRIFT_FILE = CONFIGURATION_DIR / "drift.yaml"


def test_the_project_file_holds_the_documented_thresholds() -> None:
    thresholds = load_thresholds(DRIFT_FILE)
    assert (thresholds.psi, thresholds.p_value, thresholds.min_records) == (0.2, 0.01, 500)


def test_the_file_names_its_schema_in_its_header() -> None:
    [named] = re.findall(r"^# Schema: ([\w.]+)\.$", DRIFT_FILE.read_text(), re.MULTILINE)
    module, _, name = named.rpartition(".")
    assert getattr(importlib.import_module(module), name) is DriftThresholds


def test_every_field_has_a_description() -> None:
    for schema in (DriftThresholds, Thresholds):
        for name, field in schema.model_fields.items():
            assert field.description, f"{schema.__name__}.{name}"


def test_a_feature_override_replaces_only_what_it_names() -> None:
    thresholds = DriftThresholds.model_validate(
        {"psi": 0.2, "p_value": 0.01, "min_records": 500, "features": {"age": {"psi": 0.3}}}
    )
    assert thresholds.for_feature("age") == Thresholds(psi=0.3, p_value=0.01, min_records=500)
    assert thresholds.for_feature("bmi") == Thresholds(psi=0.2, p_value=0.01, min_records=500)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("psi: 0.2\np_value: 0.01\n", r"min_records: Field required"),
        ("psi: -1\np_value: 0.01\nmin_records: 5\n", r"psi: Input should be greater than 0"),
        ("psi: 0.2\np_value: 1.5\nmin_records: 5\n", r"p_value: Input should be less than 1"),
        ("psi: 0.2\np_value: 0.01\nmin_records: 0\n", r"min_records: Input should be greater"),
        ("psi: 0.2\np_value: 0.01\nmin_records: 5\npsl: 1\n", r"psl: Extra inputs"),
        (
            "psi: 0.2\np_value: 0.01\nmin_records: 5\nfeatures: {age: {p: 1}}\n",
            r"features\.age\.p: Extra inputs",
        ),
        ("- psi\n", "must hold a mapping"),
        ("psi: [\n", "is not valid YAML"),
    ],
)
def test_a_wrong_file_names_the_file_and_the_field(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "drift.yaml"
    path.write_text(content)
    with pytest.raises(ConfigurationError, match=rf"drift.yaml(.|\n)*{message}"):
        load_thresholds(path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"cannot read the drift thresholds file .*absent"):
        load_thresholds(tmp_path / "absent.yaml")
