"""Log filters."""

import logging
import os
from collections.abc import Iterable


class EnvironmentInfoFilter(logging.Filter):
    """Adds environment variables to every record, lower-cased (``POD_NAME`` -> ``pod_name``).

    A variable that is not set adds no field, so one configuration serves a pod, whose
    Deployment sets them, and a developer's machine, which records no empty placeholders. They
    are read once: the environment of a running process does not change.
    """

    def __init__(self, env_variables: Iterable[str] = (), name: str = "") -> None:
        super().__init__(name)
        self.fields = {
            variable.lower(): os.environ[variable]
            for variable in env_variables
            if variable in os.environ
        }

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.update(self.fields)
        return True


class RemoveFieldsFilter(logging.Filter):
    """Drops fields from records, e.g. uvicorn's ``color_message`` with its terminal escapes."""

    def __init__(self, fields: Iterable[str] = (), name: str = "") -> None:
        super().__init__(name)
        self.fields = tuple(fields)

    def filter(self, record: logging.LogRecord) -> bool:
        for field in self.fields:
            record.__dict__.pop(field, None)
        return True
