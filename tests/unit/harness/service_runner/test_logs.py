from service_runner.logs import json_records


def test_json_records_skip_other_lines() -> None:
    assert json_records('{"a": 1}\nplain text\n[1, 2]\n{"b": 2}\n') == [{"a": 1}, {"b": 2}]


def test_no_text_has_no_records() -> None:
    assert json_records("") == []
