"""The service's logs: one JSON object a line, among whatever else a process prints."""

import json
from typing import Any


def json_records(text: str) -> list[dict[str, Any]]:
    """The JSON objects among the lines of ``text``; other lines are skipped."""
    records = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records
