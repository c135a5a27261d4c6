"""Service level objectives, and the gate that holds a load test's measurements against them.

An SLI (service level indicator) is something measured, such as the 90th percentile of latency.
An SLO (objective) is the target it must meet, such as "90 % of requests in under 500 ms".
"""

import math
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from common.yaml_files import ConfigurationError, describe_errors, load_yaml_file

ERROR_BUDGET_BASE = 10_000  # the error budget counts errors per this many requests


class ServiceLevelObjectives(BaseModel):
    """The schema of ``configuration/slo.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    p99_ms: float = Field(gt=0, description="99 % of requests answer within this many ms.")
    p90_ms: float = Field(gt=0, description="90 % of requests answer within this many ms.")
    errors_per_10k: float = Field(
        ge=0, description="Error budget: at most this many failed requests per 10,000."
    )
    min_rps: float = Field(
        ge=0, description="Throughput: at least this many requests per second, over the run."
    )


def latency_targets(objectives: ServiceLevelObjectives) -> dict[str, float]:
    """The latency SLOs by percentile, in ms, as the latency chart draws them."""
    return {"p90": objectives.p90_ms, "p99": objectives.p99_ms}


class Measurements(BaseModel):
    """What a load test measured, over all requests."""

    requests: int = Field(ge=0, description="Requests completed, failed ones included.")
    failures: int = Field(ge=0, description="Requests that failed.")
    rps: float = Field(ge=0, description="Requests per second over the run.")
    p50_ms: float = Field(ge=0, description="Median latency in ms.")
    p90_ms: float = Field(ge=0, description="90th percentile of latency in ms.")
    p99_ms: float = Field(ge=0, description="99th percentile of latency in ms.")

    @property
    def errors_per_10k(self) -> float:
        """Failures per 10,000 requests; infinite when nothing was requested."""
        if self.requests == 0:
            return math.inf
        return self.failures / self.requests * ERROR_BUDGET_BASE


class Verdict(BaseModel):
    """One SLO held against its measurement."""

    name: str = Field(description="The SLO's field in slo.yaml.")
    description: str = Field(description="What the SLO promises.")
    target: float = Field(description="The SLO's target.")
    measured: float | None = Field(description="The measurement; None when nothing was measured.")
    unit: str = Field(description="Unit of target and measured.")
    passed: bool = Field(description="Whether the measurement meets the target.")

    def breach(self) -> str:
        """The breach in words, e.g. 'p99 latency: 120 ms, target ≤ 50 ms'."""
        measured = "nothing measured" if self.measured is None else f"{self.measured:g} {self.unit}"
        return (
            f"{self.description}: {measured}, target {self.comparison} {self.target:g} {self.unit}"
        )

    @property
    def comparison(self) -> str:
        return "≥" if is_floor(self.name) else "≤"


LABELS = {
    "p99_ms": ("p99 latency", "ms"),
    "p90_ms": ("p90 latency", "ms"),
    "errors_per_10k": ("errors per 10,000 requests", "errors"),
    "min_rps": ("throughput", "req/s"),
}


def load_objectives(path: str | Path) -> ServiceLevelObjectives:
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


def evaluate(measurements: Measurements, objectives: ServiceLevelObjectives) -> list[Verdict]:
    """One verdict per SLO. With no request at all, every SLO fails: nothing was shown."""
    measured = {
        "p99_ms": measurements.p99_ms,
        "p90_ms": measurements.p90_ms,
        "errors_per_10k": measurements.errors_per_10k,
        "min_rps": measurements.rps,
    }
    verdicts = []
    for name, target in objectives.model_dump().items():
        value = round(measured[name], 2) if measurements.requests else None
        description, unit = LABELS[name]
        verdicts.append(
            Verdict(
                name=name,
                description=description,
                target=target,
                measured=value,
                unit=unit,
                passed=value is not None and meets(name, value, target),
            )
        )
    return verdicts


def breaches(verdicts: list[Verdict]) -> list[str]:
    """The failed SLOs in words."""
    return [verdict.breach() for verdict in verdicts if not verdict.passed]


def slo_table(verdicts: list[Verdict]) -> str:
    """The verdicts as a fixed-width text table."""
    rows = [("SLO", "target", "measured", "verdict")] + [
        (
            verdict.description,
            f"{verdict.comparison} {verdict.target:g} {verdict.unit}",
            "-" if verdict.measured is None else f"{verdict.measured:g} {verdict.unit}",
            "pass" if verdict.passed else "FAIL",
        )
        for verdict in verdicts
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)
