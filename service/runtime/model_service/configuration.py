"""The service's YAML configuration and its schema.

The ``SERVICE_CONFIG`` environment variable chooses the file; everything else is in the file.
"""

import importlib
import inspect
import os
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    TypeAdapter,
    ValidationError,
    create_model,
    model_validator,
)

from common.yaml_files import ConfigurationError, describe_errors, load_yaml_file

CONFIG_ENV_VAR = "SERVICE_CONFIG"
API_KEY_ENV_VAR = "SERVICE_API_KEY"
NEXT_API_KEY_ENV_VAR = "SERVICE_API_KEY_NEXT"
MIN_API_KEY_LENGTH = 16
MAX_PORT = 65535

ApiKey = Annotated[SecretStr, Field(min_length=MIN_API_KEY_LENGTH)]


def import_object(class_path: str) -> Any:
    """The object at ``package.module.Name``; ValueError naming what cannot be imported."""
    module_name, _, attribute = class_path.rpartition(".")
    if not module_name:
        raise ValueError(f"{class_path!r} is not a class path like 'package.module.ClassName'")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(
            f"cannot import module {module_name!r} of {class_path!r}: {error}"
        ) from error
    try:
        return getattr(module, attribute)
    except AttributeError:
        raise ValueError(f"module {module_name!r} has no attribute {attribute!r}") from None


def importable(class_path: str) -> str:
    import_object(class_path)
    return class_path


ClassPath = Annotated[str, AfterValidator(importable)]
KEYWORD_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


@cache
def arguments_schema(target: type, skip: int) -> type[BaseModel]:
    """The keyword arguments ``target`` takes after its first ``skip``, as a pydantic model.

    Each parameter's annotation is its type (with any ``Field`` constraints in ``Annotated``);
    a parameter without a default is required; unknown names are refused unless it takes
    ``**kwargs``.
    """
    parameters = list(inspect.signature(target, eval_str=True).parameters.values())[skip:]
    fields = {
        parameter.name: (
            Any if parameter.annotation is parameter.empty else parameter.annotation,
            ... if parameter.default is parameter.empty else parameter.default,
        )
        for parameter in parameters
        if parameter.kind in KEYWORD_KINDS
    }
    takes_any = any(parameter.kind is parameter.VAR_KEYWORD for parameter in parameters)
    settings = ConfigDict(extra="allow" if takes_any else "forbid", arbitrary_types_allowed=True)
    return create_model(f"{target.__name__}Arguments", __config__=settings, **fields)


def check_arguments(class_path: str, arguments: dict[str, Any], skip: int) -> None:
    """ValueError saying which of ``arguments`` the class at ``class_path`` does not take."""
    try:
        arguments_schema(import_object(class_path), skip).model_validate(arguments)
    except ValidationError as error:
        raise ValueError(f"{class_path} refuses its kwargs:\n{describe_errors(error)}") from None


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DecoratorConfiguration(StrictModel):
    class_path: ClassPath = Field(
        description="Import path of the decorator class: it takes the ServableModel it wraps "
        "first and is one itself (e.g. ml_model_logging.decorator.LoggingDecorator, "
        "model_contract.batching.MicroBatching)."
    )
    kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description="Keyword arguments of the decorator, checked against its signature.",
    )

    @model_validator(mode="after")
    def takes_its_kwargs(self) -> Self:
        check_arguments(self.class_path, self.kwargs, skip=1)  # the first is the wrapped model
        return self


class ModelConfiguration(StrictModel):
    class_path: ClassPath = Field(
        description="Import path of the model class: an model_contract.servable.Model "
        "(metadata, input_schema, output_schema, blocking, predict and predict_batch)."
    )
    kwargs: dict[str, Any] = Field(
        default_factory=dict,
        description="Keyword arguments of the model, checked against its signature.",
    )
    decorators: list[DecoratorConfiguration] = Field(
        default_factory=list,
        description="The layers around the model, innermost first: the first wraps the model, "
        "the next wraps that. The service calls the outermost.",
    )

    @model_validator(mode="after")
    def takes_its_kwargs(self) -> Self:
        check_arguments(self.class_path, self.kwargs, skip=0)
        return self


class LoggingDictConfig(BaseModel):
    """A ``logging.config.dictConfig`` block; only its top-level keys are checked here."""

    model_config = ConfigDict(extra="forbid")

    version: Literal[1] = Field(description="dictConfig schema version; always 1.")
    disable_existing_loggers: bool = Field(
        default=False, description="Silence loggers made earlier."
    )
    formatters: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Formatters by name."
    )
    filters: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Filters by name.")
    handlers: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Handlers by name."
    )
    loggers: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Loggers by name.")
    root: dict[str, Any] = Field(default_factory=dict, description="The root logger.")

    def as_dict(self) -> dict[str, Any]:
        """What dictConfig gets: the keys the file sets, and always disable_existing_loggers."""
        return self.model_dump(exclude_unset=True) | {
            "version": self.version,
            "disable_existing_loggers": self.disable_existing_loggers,
        }


class LoggingConfiguration(StrictModel):
    """How the service logs: a service file's ``logging``, or the file it names instead
    (configuration/logging.yaml), read from the service file's folder."""

    use_queue: bool = Field(
        default=True,
        description="Run the handlers on a background thread: slow output never stalls a request.",
    )
    lean_records: bool = Field(
        default=True,
        description="Skip the caller's file, function and line, the thread and the process in "
        "each record: they cost more than the JSON line, and the formats here print none of them.",
    )
    dict_config: LoggingDictConfig = Field(description="Passed to logging.config.dictConfig.")


# A service file's `logging` may be the name of a logging configuration file instead.
INCLUDED_FILES = {"logging": (LoggingConfiguration, "logging configuration")}


def rotation_problem(
    current: SecretStr | None, next_key: SecretStr | None, current_name: str, next_name: str
) -> str | None:
    """What is wrong with a current and a next key, each called by its setting's name; None if
    nothing. The message never holds a key."""
    if next_key is None:
        return None
    if current is None:
        return (
            f"{next_name} is set without {current_name}: the next key is accepted beside the "
            f"current one while clients move to it; set {current_name} too, or set the key as "
            f"{current_name} instead"
        )
    if next_key.get_secret_value() == current.get_secret_value():
        return f"{next_name} is the same as {current_name}: the next key must be a new one"
    return None


class AuthenticationConfiguration(StrictModel):
    """Up to two API keys: the current one and, while a key rotates, the next one."""

    model_config = ConfigDict(hide_input_in_errors=True)  # no key in an error, even a short one

    api_key: ApiKey | None = Field(
        default=None,
        description=f"The key clients send on prediction routes; absent: no key needed. "
        f"{API_KEY_ENV_VAR} in the environment overrides it, so no secret need sit in a file.",
    )
    next_api_key: ApiKey | None = Field(
        default=None,
        description="While a key rotates, the key clients move to, accepted beside api_key; "
        f"absent: only api_key. {NEXT_API_KEY_ENV_VAR} in the environment overrides it.",
    )
    header: str = Field(
        default="X-API-Key",
        pattern=r"^[A-Za-z0-9-]+$",
        description="The request header that carries the key.",
    )

    @model_validator(mode="after")
    def keys_rotate(self) -> Self:
        problem = rotation_problem(self.api_key, self.next_api_key, "api_key", "next_api_key")
        if problem:
            raise ValueError(problem)
        return self

    @property
    def keys(self) -> list[SecretStr]:
        """The keys a request may carry, current first; empty when no key is needed."""
        return [key for key in (self.api_key, self.next_api_key) if key is not None]


class ServiceConfiguration(StrictModel):
    # No error's text holds the values given (an API key): a nested model's own setting would not.
    model_config = ConfigDict(hide_input_in_errors=True)

    title: str = Field(description="Title of the service, shown in OpenAPI.")
    description: str = Field(description="Description of the service, shown in OpenAPI.")
    version: str = Field(description="Version of the service, shown in OpenAPI.")
    models: list[ModelConfiguration] = Field(min_length=1, description="The models to serve.")
    logging: LoggingConfiguration = Field(description="How the service logs.")
    metrics: bool = Field(default=True, description="Serve Prometheus metrics on /metrics.")
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=MAX_PORT,
        description="A port of its own for /metrics, on the API's host: that port answers "
        "/metrics and nothing else, and the API's port no longer answers /metrics, so whoever "
        "reaches the API (a Service, a NodePort) does not read the metrics; Prometheus scrapes "
        "this port on each pod. Absent: /metrics is on the API's port.",
    )
    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        le=16 * 1024 * 1024,
        description="Requests with a larger body are refused with 413 before it is read.",
    )
    max_connection_age_s: float | None = Field(
        default=10,
        gt=0,
        description="Close a keep-alive connection after this many seconds (each one gets a "
        "random half to all of it), so clients reconnect and spread over the workers again "
        "after one restarts; absent: connections stay open as long as clients keep them.",
    )
    authentication: AuthenticationConfiguration = Field(
        default_factory=AuthenticationConfiguration,
        description="An optional API key on the prediction routes; the probes stay open.",
    )
    freeze_after_loading: bool = Field(
        default=True,
        description="Once the models are loaded, move every object alive then (the app, the "
        "models, the libraries) out of the garbage collector's reach (gc.freeze): they live as "
        "long as the process, and a full collection that walks them all stalls every request.",
    )
    load_wait_seconds: float = Field(
        default=10,
        ge=0,
        le=300,
        description="How long a prediction that arrives while the models load waits for them "
        "before a 503. With several workers, the readiness probe may be answered by a worker "
        "that has loaded its models while another has not.",
    )

    @model_validator(mode="after")
    def metrics_port_needs_metrics(self) -> Self:
        if self.metrics_port is not None and not self.metrics:
            raise ValueError(
                f"metrics_port is {self.metrics_port} while metrics is false: a port for "
                "metrics that are not served; set metrics: true, or leave metrics_port out"
            )
        return self


def load_configuration(path: str | Path) -> ServiceConfiguration:
    """Read and validate a service configuration file.

    Its ``logging`` is the block itself, or the name of a logging configuration file relative to
    the service file's folder (``logging: logging.yaml``), validated as a LoggingConfiguration.
    """
    return load_yaml_file(path, ServiceConfiguration, "service configuration", INCLUDED_FILES)


def key_from_environment(name: str) -> SecretStr | None:
    """The API key in the environment variable ``name``; None when it is unset or empty."""
    value = os.environ.get(name)
    if not value:
        return None
    try:
        return TypeAdapter(ApiKey).validate_python(value)
    except ValidationError:
        raise ConfigurationError(
            f"{name} is too short: an API key needs at least {MIN_API_KEY_LENGTH} "
            "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        ) from None


def with_api_keys_from_environment(configuration: ServiceConfiguration) -> ServiceConfiguration:
    """The configuration with the keys in ``SERVICE_API_KEY`` and ``SERVICE_API_KEY_NEXT``.

    When either is set, the two replace both keys of the file, so the keys come from one place.
    """
    current = key_from_environment(API_KEY_ENV_VAR)
    next_key = key_from_environment(NEXT_API_KEY_ENV_VAR)
    if current is None and next_key is None:
        return configuration
    problem = rotation_problem(current, next_key, API_KEY_ENV_VAR, NEXT_API_KEY_ENV_VAR)
    if problem:
        raise ConfigurationError(problem)
    authentication = configuration.authentication.model_copy(
        update={"api_key": current, "next_api_key": next_key}
    )
    return configuration.model_copy(update={"authentication": authentication})


def configuration_from_environment() -> ServiceConfiguration:
    """The configuration in the file that ``SERVICE_CONFIG`` names, with the keys that
    ``SERVICE_API_KEY`` and ``SERVICE_API_KEY_NEXT`` hold."""
    path = os.environ.get(CONFIG_ENV_VAR)
    if not path:
        raise ConfigurationError(
            f"set {CONFIG_ENV_VAR} to the service's YAML file, e.g. configuration/local.yaml"
        )
    return with_api_keys_from_environment(load_configuration(path))
