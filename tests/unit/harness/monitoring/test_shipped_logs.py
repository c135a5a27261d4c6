import json

from common.paths import CONFIGURATION_DIR
from monitoring.shipped_logs import as_logged_with, logged_input_fields


def test_the_pods_log_only_age_children_and_region() -> None:
    assert logged_input_fields(CONFIGURATION_DIR / "kubernetes.yaml") == [
        "age",
        "children",
        "region",
    ]


def test_a_record_keeps_only_the_fields_and_other_lines_stay() -> None:
    record = {"message": "Prediction requested", "input": {"age": 40, "bmi": 31.0, "region": "x"}}
    lines = [json.dumps(record), "INFO: Started server process", '{"message": "no input"}']
    cut = as_logged_with(lines, ["age", "region"])
    assert json.loads(cut[0])["input"] == {"age": 40, "region": "x"}
    assert cut[1:] == lines[1:]
