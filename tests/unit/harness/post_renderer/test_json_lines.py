import json
import logging

import pytest

from ml_model_logging.configuration import configure_logging
from post_renderer.json_lines import (
    print_records,
    readable_json,
    readable_json_lines,
    readable_line,
)

RECORD = {
    "level": "INFO",
    "message": "Prediction requested",
    "input": {"age": 42, "sex": "female", "bmi": 27.5, "region": "northwest"},
    "output": {"charges": 7574.1},
    "tags": [],
}


def test_what_fits_stays_on_one_line() -> None:
    assert readable_json({"charges": 7574.1}) == '{"charges": 7574.1}'
    assert readable_json("é", width=1) == '"é"'  # a scalar is never cut


def test_what_does_not_fit_has_one_key_a_line_and_each_value_laid_out_alike() -> None:
    assert readable_json(RECORD, width=60) == (
        "{\n"
        '  "level": "INFO",\n'
        '  "message": "Prediction requested",\n'
        '  "input": {\n'
        '    "age": 42,\n'
        '    "sex": "female",\n'
        '    "bmi": 27.5,\n'
        '    "region": "northwest"\n'
        "  },\n"
        '  "output": {"charges": 7574.1},\n'
        '  "tags": []\n'
        "}"
    )


def test_the_width_counts_the_indent_and_the_key() -> None:
    value = {"k": {"abcdef": 1}, "long enough not to fit": 0}
    # {"abcdef": 1} is 13 characters; with '  "k": ' before it, 20
    assert '  "k": {"abcdef": 1}' in readable_json(value, width=20)
    assert '  "k": {\n    "abcdef": 1\n  }' in readable_json(value, width=19)


@pytest.mark.parametrize("width", [1, 20, 60, 200])
def test_it_is_the_same_json_at_any_width(width: int) -> None:
    value = [RECORD, {"nested": [[1, 2], {"a": None}]}, "text", 3]
    for line in readable_json(value, width).splitlines():
        assert len(line) <= max(width, 40) or '"' in line  # only long strings overflow
    assert json.loads(readable_json(value, width)) == value


def test_a_line_that_holds_a_json_object_is_laid_out_and_others_are_kept() -> None:
    line = json.dumps(RECORD)
    assert readable_line(line, width=60) == readable_json(RECORD, width=60)
    assert readable_line("Started server process [12]") == "Started server process [12]"
    assert readable_line("[1, 2, 3]") == "[1, 2, 3]"


def test_records_are_printed_one_after_the_other(capsys: pytest.CaptureFixture[str]) -> None:
    print_records([{"a": 1}, {"b": 2}])
    assert capsys.readouterr().out == '{"a": 1}\n{"b": 2}\n'


def stdout_logging() -> dict:
    """A dictConfig whose handler writes JSON lines to whatever sys.stdout is when applied."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter", "fmt": "%(message)s"}},
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "json",
            }
        },
        "loggers": {"notebook": {"level": "INFO", "handlers": ["stdout"], "propagate": False}},
    }


def test_what_a_handler_set_up_inside_writes_is_printed_readably_at_the_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with readable_json_lines(width=30):
        logs = configure_logging(stdout_logging())
        logging.getLogger("notebook").info("Prediction requested", extra={"input": {"age": 42}})
        print("a plain line")
        logs.stop()  # the queue's thread writes the record now, after the plain line
        assert capsys.readouterr().out == ""  # held back until the end
    assert capsys.readouterr().out == (
        'a plain line\n{\n  "message": "Prediction requested",\n  "input": {"age": 42}\n}\n'
    )


def test_what_was_held_is_printed_when_the_block_fails(capsys: pytest.CaptureFixture[str]) -> None:
    def failing() -> None:
        with readable_json_lines():
            print('{"status": "error"}')
            raise ValueError("model failed")

    with pytest.raises(ValueError, match="model failed"):
        failing()
    assert capsys.readouterr().out == '{"status": "error"}\n'
