"""YAML files validated by a pydantic schema, with errors that say what is wrong where."""

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Schema = TypeVar("Schema", bound=BaseModel)


class ConfigurationError(Exception):
    """A YAML file is missing, is not YAML, or does not fit its schema."""


def describe_errors(error: ValidationError) -> str:
    """One indented line per problem: the dotted place, then what is wrong there."""
    return "\n".join(
        f"  {'.'.join(str(part) for part in detail['loc']) or '(top level)'}: {detail['msg']}"
        for detail in error.errors()
    )


def read_yaml_mapping(path: str | Path, what: str) -> dict:
    """The mapping a YAML file holds; ConfigurationError names the file, calling it ``what``."""
    path = Path(path)
    try:
        with open(path) as stream:
            content = yaml.safe_load(stream)
    except OSError as error:
        raise ConfigurationError(f"cannot read the {what} {path}: {error}") from error
    except yaml.YAMLError as error:
        raise ConfigurationError(f"{path} is not valid YAML: {error}") from error
    if not isinstance(content, dict):
        raise ConfigurationError(f"{path} must hold a mapping, not {type(content).__name__}")
    return content


def validated(content: dict, schema: type[Schema], path: str | Path, what: str) -> Schema:
    """``content`` as ``schema``; ConfigurationError says which fields of ``path`` are wrong."""
    try:
        return schema.model_validate(content)
    except ValidationError as error:
        raise ConfigurationError(
            f"{path} is not a valid {what}:\n{describe_errors(error)}"
        ) from error


def load_yaml_file(path: str | Path, schema: type[Schema], what: str) -> Schema:
    """Read a YAML file and validate it against ``schema``.

    ConfigurationError names the file, calls it ``what``, and says what is wrong where.
    """
    return validated(read_yaml_mapping(path, what), schema, path, what)
