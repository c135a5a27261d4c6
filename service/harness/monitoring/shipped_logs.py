"""The prediction logs as the pods write them: only the input fields ``kubernetes.yaml`` logs.

The pods leave sex, BMI and smoking out of their records (personal data, the last two about
health). Rewriting a local run's records the same way shows what the drift monitor can see there.
"""

import json
from collections.abc import Iterable
from pathlib import Path

from model_service.configuration import load_configuration

LOGGING_DECORATOR = "LoggingDecorator"


def logged_input_fields(config_path: Path) -> list[str]:
    """The input fields the logging decorator of the configuration's first model logs."""
    decorators = load_configuration(config_path).models[0].decorators
    return next(
        decorator.kwargs["input_fields"]
        for decorator in decorators
        if decorator.class_path.endswith(LOGGING_DECORATOR)
    )


def as_logged_with(lines: Iterable[str], fields: list[str]) -> list[str]:
    """The log lines, each record's input cut down to ``fields``; other lines as they are."""
    return [with_input_fields(line, fields) for line in lines]


def with_input_fields(line: str, fields: list[str]) -> str:
    record = json.loads(line) if line.startswith("{") else None
    if not isinstance(record, dict) or "input" not in record:
        return line
    record["input"] = {field: record["input"][field] for field in fields}
    return json.dumps(record)
