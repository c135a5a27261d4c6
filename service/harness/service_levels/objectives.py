"""Service level objectives: the schema of ``configuration/slo.yaml``, reading it, and overrides.

An SLI (service level indicator) is something measured, such as the 90th percentile of latency.
An SLO (objective) is the target it must meet, such as "90% of requests in under 500 ms".
"""

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from common.paths import CONFIGURATION_DIR
from common.yaml_files import ConfigurationError, describe_errors, load_yaml_file

SLO_FILE = CONFIGURATION_DIR / "slo.yaml"
ERROR_BUDGET_BASE = 10_000  # the error budget counts errors per this many requests


class ServiceLevelObjectives(BaseModel):
    """The schema of ``configuration/slo.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    p99_ms: float = Field(gt=0, description="99% of requests answer within this many ms.")
    p90_ms: float = Field(gt=0, description="90% of requests answer within this many ms.")
    errors_per_10k: float = Field(
        ge=0, description="Error budget: at most this many failed requests per 10,000."
    )
    min_rps: float = Field(
        ge=0, description="Throughput: at least this many requests per second, over the run."
    )


LABELS = {
    "p99_ms": ("p99 latency", "ms"),
    "p90_ms": ("p90 latency", "ms"),
    "errors_per_10k": ("errors per 10,000 requests", "errors"),
    "min_rps": ("throughput", "req/s"),
}
"""Each SLO's description and unit, as verdicts and tables name it."""


def latency_targets(objectives: ServiceLevelObjectives) -> dict[str, float]:
    """The latency SLOs by percentile, in ms, as the latency chart draws them."""
    return {"p90": objectives.p90_ms, "p99": objectives.p99_ms}


def load_objectives(path: str | Path = SLO_FILE) -> ServiceLevelObjectives:
    """Read and validate ``slo.yaml``; ConfigurationError says what is wrong where."""
    return load_yaml_file(path, ServiceLevelObjectives, "SLO file")


def parse_override(text: str) -> tuple[str, float]:
    """``'p99_ms=50'`` → ``('p99_ms', 50.0)``; ValueError naming the SLOs there are."""
    name, separator, value = text.partition("=")
    name = name.strip()
    if not separator or name not in ServiceLevelObjectives.model_fields:
        known = ", ".join(ServiceLevelObjectives.model_fields)
        raise ValueError(f"{text!r} is not NAME=VALUE with NAME one of {known}")
    try:
        return name, float(value)
    except ValueError:
        raise ValueError(f"{text!r}: {value!r} is not a number") from None


def with_overrides(
    objectives: ServiceLevelObjectives, overrides: list[str]
) -> ServiceLevelObjectives:
    """The objectives with ``NAME=VALUE`` overrides applied and validated again."""
    changes = dict(parse_override(text) for text in overrides)
    try:
        return ServiceLevelObjectives.model_validate(objectives.model_dump() | changes)
    except ValidationError as error:
        raise ConfigurationError(f"invalid SLO override:\n{describe_errors(error)}") from error


def is_floor(name: str) -> bool:
    """Whether the SLO ``name`` is a minimum (``min_...``) rather than a maximum."""
    return name.startswith("min_")


def meets(name: str, measured: float, target: float) -> bool:
    """A minimum is met at or above its target; the others at or below it."""
    return measured >= target if is_floor(name) else measured <= target
