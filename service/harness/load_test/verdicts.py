"""The gate's verdicts: a load test's measurements held against the service level objectives.

The objectives themselves (schema, file, overrides) live in ``service_levels.objectives``.
"""

import math

from pydantic import BaseModel, Field

from service_levels.objectives import (
    ERROR_BUDGET_BASE,
    LABELS,
    ServiceLevelObjectives,
    is_floor,
    meets,
)


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
