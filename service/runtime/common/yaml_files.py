"""YAML files validated by a pydantic schema, with errors that say what is wrong where.

A key of a file may hold, instead of its content, the name of another YAML file that holds it
(an *included* file), read from the folder of the file that names it: ``logging: logging.yaml``.
"""

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

Schema = TypeVar("Schema", bound=BaseModel)
# By key, the schema of the file that key may name, and what to call that file in errors.
Includes = Mapping[str, tuple[type[BaseModel], str]]


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


def included_file(content: Mapping[str, Any], key: str, path: str | Path) -> Path | None:
    """The file ``content[key]`` names, relative to the folder of ``path`` (the file holding
    ``content``); an absolute name stays as it is. None when the key holds no name."""
    name = content.get(key)
    return Path(path).parent / name if isinstance(name, str) else None


def with_included(
    content: dict,
    path: str | Path,
    includes: Includes,
    read: Callable[[Path, type[BaseModel], str], Any],
) -> dict:
    """``content`` with what ``read`` makes of each included file in place of its name.

    A ConfigurationError from ``read`` is raised again with the key and file that name it.
    """
    replaced = dict(content)
    for key, (schema, what) in includes.items():
        included = included_file(content, key, path)
        if included is None:
            continue
        try:
            replaced[key] = read(included, schema, what)
        except ConfigurationError as error:
            raise ConfigurationError(f"{error}\n  (the file that {key} names in {path})") from error
    return replaced


def read_self_contained(path: str | Path, what: str, includes: Includes) -> dict:
    """The mapping a YAML file holds, with the mappings its included files hold in place of
    their names: a changed copy of it can be written to any folder."""
    return with_included(
        read_yaml_mapping(path, what),
        path,
        includes,
        lambda included, _, included_what: read_yaml_mapping(included, included_what),
    )


def load_yaml_file(
    path: str | Path, schema: type[Schema], what: str, includes: Includes | None = None
) -> Schema:
    """Read a YAML file and validate it against ``schema``; the keys of ``includes`` may name
    files of their own instead (see the module's docstring).

    ConfigurationError names the file, calls it ``what``, and says what is wrong where.
    """
    content = with_included(read_yaml_mapping(path, what), path, includes or {}, load_yaml_file)
    return validated(content, schema, path, what)
