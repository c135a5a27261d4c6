"""The prediction route's SLIs, derived from ``configuration/slo.yaml``, and the burn rates that
alert on them (the SRE workbook's multi-window, multi-burn-rate alerts).

An SLI here is the share of *bad* requests: failed ones (5xx), or ones slower than a latency
threshold. Its SLO allows a share of them, the *error budget*: 0.1% when 10 requests in 10,000
may fail, 1% for a p99 latency objective. The *burn rate* is the bad share over the budget: at 1,
the budget lasts exactly its 30 days; at 14.4, 2% of it goes in an hour.
"""

import math
import re
from dataclasses import dataclass, replace

from prometheus_client.utils import floatToGoString

from model_service.metrics import LATENCY_BUCKETS
from model_service.routes import PREDICTION_ROUTE
from service_levels.objectives import ERROR_BUDGET_BASE, ServiceLevelObjectives

# The service's metrics (model_service.metrics), as Prometheus names them once scraped.
REQUESTS = "http_requests_total"
REQUEST_DURATION = "http_request_duration_seconds"
PREDICTIONS = "predictions_total"

BUDGET_PERIOD = "30d"
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800, "y": 31_536_000}
DURATION_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")


class RulesError(ValueError):
    """The SLOs cannot be turned into rules; the message says why and what to change."""


def seconds(duration: str) -> float:
    """A Prometheus duration (``5m``, ``1h30m``, ``3d``) in seconds."""
    parts = DURATION_PART.findall(duration)
    if not parts or "".join(number + unit for number, unit in parts) != duration:
        raise RulesError(f"{duration!r} is not a duration such as 5m, 1h or 3d")
    return sum(int(number) * UNITS[unit] for number, unit in parts)


def prometheus_duration(total_s: float) -> str:
    """``4320`` → ``1h12m``; ``5`` → ``5s``: whole seconds, as Prometheus writes a duration."""
    if total_s != int(total_s) or total_s <= 0:
        raise RulesError(f"{total_s:g} s is not a whole, positive number of seconds")
    parts, rest = [], int(total_s)
    for unit in ("d", "h", "m", "s"):
        count, rest = divmod(rest, UNITS[unit])
        parts += [f"{count}{unit}"] if count else []
    return "".join(parts)


@dataclass(frozen=True)
class Timescale:
    """How long the rules' durations are: as the SRE workbook has them (production), or divided
    so that a demonstration runs in minutes. The divisor 60 turns a minute into a second and an
    hour into a minute, and the 30-day budget into 12 hours: every ratio stays the same."""

    name: str
    divisor: int

    def duration(self, production: str) -> str:
        """A production duration at this timescale: ``5m`` → ``5s`` for the divisor 60."""
        return prometheus_duration(seconds(production) / self.divisor)


PRODUCTION = Timescale("production", 1)
DEMONSTRATION = Timescale("demonstration", 60)


@dataclass(frozen=True)
class BurnRateAlert:
    """A row of the workbook's table: alert when the budget burns at ``burn_rate`` or faster,
    over the long window and over the short one (which lets the alert stop soon after the burn)."""

    severity: str
    burn_rate: float
    long_window: str
    short_window: str
    for_: str  # how long both must hold before it fires
    budget_period: str = BUDGET_PERIOD
    named_after: str = ""  # the long window its alert is named after; empty: ``long_window``

    def budget_spent(self) -> float:
        """The share of the budget that this burn spends in its long window."""
        return self.burn_rate * seconds(self.long_window) / seconds(self.budget_period)

    @property
    def name_window(self) -> str:
        return self.named_after or self.long_window

    def scaled(self, timescale: Timescale) -> "BurnRateAlert":
        """The row at ``timescale``: every duration divided, the alert's name kept."""
        return replace(
            self,
            long_window=timescale.duration(self.long_window),
            short_window=timescale.duration(self.short_window),
            for_=timescale.duration(self.for_),
            budget_period=timescale.duration(self.budget_period),
            named_after=self.name_window,
        )


BURN_RATE_ALERTS = (
    BurnRateAlert("page", 14.4, "1h", "5m", "2m"),
    BurnRateAlert("page", 6, "6h", "30m", "2m"),
    BurnRateAlert("ticket", 3, "1d", "2h", "15m"),
    BurnRateAlert("ticket", 1, "3d", "6h", "15m"),
)


def windows(rows: tuple[BurnRateAlert, ...]) -> tuple[str, ...]:
    """Every window ``rows`` read, shortest first."""
    read = {window for row in rows for window in (row.long_window, row.short_window)}
    return tuple(sorted(read, key=seconds))


def burn_rate_alerts(timescale: Timescale) -> tuple[BurnRateAlert, ...]:
    """The table at ``timescale``."""
    return tuple(row.scaled(timescale) for row in BURN_RATE_ALERTS)


# Every window the production alerts read, shortest first: 5m, 30m, 1h, 2h, 6h, 1d, 3d.
WINDOWS = windows(BURN_RATE_ALERTS)


def selector(metric: str, **labels: str) -> str:
    """``metric{route="...",...}``: the prediction route's series, with more labels matched."""
    matchers = [f'route="{PREDICTION_ROUTE}"'] + [
        f'{name}=~"{value[1:]}"' if value.startswith("~") else f'{name}="{value}"'
        for name, value in labels.items()
    ]
    return f"{metric}{{{','.join(matchers)}}}"


def per_route(series: str, window: str) -> str:
    return f"sum by (route) (rate({series}[{window}]))"


@dataclass(frozen=True)
class Sli:
    """The share of bad requests to the prediction route, and the share its SLO allows."""

    name: str  # in the recorded series' names: slo:<name>:ratio_rate<window>
    title: str  # in the alerts' names
    what: str  # the bad requests, in words
    bad: str  # what makes a request bad, in words
    budget: float  # the share of requests that may be bad
    counted: str  # the series counted over ``total``: the bad requests, or the good ones
    total: str  # every request
    counts_good: bool  # the ratio is 1 - counted/total
    le: str | None = None  # a latency SLI's bucket boundary, as the histogram labels it

    def record(self, window: str) -> str:
        return f"slo:{self.name}:ratio_rate{window}"

    def ratio(self, window: str) -> str:
        """PromQL for the bad share over ``window``, per route."""
        share = f"{per_route(self.counted, window)}\n  /\n{per_route(self.total, window)}"
        if not self.counts_good:
            return share
        return "1 - (\n" + "\n".join(f"  {line}" for line in share.splitlines()) + "\n)"

    def alert(self, row: BurnRateAlert) -> str:
        return f"{self.title}BudgetBurn{row.name_window}"

    def can_burn(self, row: BurnRateAlert) -> bool:
        """Whether the burn rate is reachable: at 14.4, a 10% budget would need 144% bad."""
        return row.burn_rate * self.budget < 1

    def alerts(self, timescale: Timescale = PRODUCTION) -> list[BurnRateAlert]:
        """The rows of the table that can fire for this SLI, at ``timescale``."""
        return [row for row in burn_rate_alerts(timescale) if self.can_burn(row)]


def bucket_boundary(milliseconds: float) -> float:
    """The bucket of LATENCY_BUCKETS at ``milliseconds``; RulesError when there is none, since
    the histogram could not tell the requests slower than that from the others."""
    for boundary in LATENCY_BUCKETS:
        if math.isclose(boundary, milliseconds / 1000):
            return boundary
    known = ", ".join(f"{boundary * 1000:g}" for boundary in LATENCY_BUCKETS)
    raise RulesError(
        f"the SLO threshold {milliseconds:g} ms is not a bucket boundary of "
        f"model_service.metrics.LATENCY_BUCKETS ({known} ms): add {milliseconds / 1000:g} there"
    )


def error_sli(objectives: ServiceLevelObjectives) -> Sli:
    """Failed requests (5xx; a 4xx is the client's error) over all requests."""
    return Sli(
        name="errors",
        title="PredictionErrors",
        what="Failed predictions",
        bad="failed (5xx)",
        budget=objectives.errors_per_10k / ERROR_BUDGET_BASE,
        counted=selector(REQUESTS, status="~5.."),
        total=selector(REQUESTS),
        counts_good=False,
    )


def latency_sli(percentile: int, milliseconds: float) -> Sli:
    """Requests slower than the ``percentile`` objective's threshold, over all requests."""
    le = floatToGoString(bucket_boundary(milliseconds))  # as the client writes it: 0.1, 1.0
    return Sli(
        name=f"latency_p{percentile}",
        title=f"PredictionLatencyP{percentile}",
        what=f"Predictions slower than {milliseconds:g} ms",
        bad=f"took longer than {milliseconds:g} ms",
        budget=(100 - percentile) / 100,
        counted=selector(f"{REQUEST_DURATION}_bucket", le=le),
        total=selector(f"{REQUEST_DURATION}_count"),
        counts_good=True,
        le=le,
    )


def slis(objectives: ServiceLevelObjectives) -> list[Sli]:
    """The SLIs of slo.yaml's objectives; min_rps is a load-test target and has none."""
    return [
        error_sli(objectives),
        latency_sli(99, objectives.p99_ms),
        latency_sli(90, objectives.p90_ms),
    ]


def budget_days() -> str:
    return f"{seconds(BUDGET_PERIOD) / 86_400:g}"


def period_in_words(period: str) -> str:
    """``30d`` → ``30-day``; ``12h`` → ``12-hour``."""
    days = seconds(period) / 86_400
    return f"{days:g}-day" if days >= 1 else f"{days * 24:g}-hour"


def percent(share: float) -> str:
    """``0.001`` → ``0.1%``."""
    return f"{round(share * 100, 6):g}%"


def in_words(duration_s: float) -> str:
    """``180000`` → ``50 hours``; ``432000`` → ``5 days``; ``3000`` → ``50 minutes``."""
    hours = duration_s / 3_600
    if hours < 1:
        return f"{round(duration_s / 60, 1):g} minutes"
    return f"{round(hours, 1):g} hours" if hours < 72 else f"{round(hours / 24, 1):g} days"


def annotations(sli: Sli, row: BurnRateAlert) -> dict[str, str]:
    """What burns, how fast, and what share of the budget that spends."""
    lasts = in_words(seconds(row.budget_period) / row.burn_rate)
    budget = period_in_words(row.budget_period)
    return {
        "summary": f"{sli.what} burn the error budget at {row.burn_rate:g}x or faster",
        "description": (
            f"Over the last {row.long_window} and the last {row.short_window}, more than "
            f"{percent(row.burn_rate * sli.budget)} of the requests to {{{{ $labels.route }}}} "
            f"{sli.bad}: {row.burn_rate:g}x the budget of {percent(sli.budget)}. At this rate "
            f"{percent(row.budget_spent())} of the {budget} budget goes in "
            f"{row.long_window}, and all of it in {lasts}."
        ),
    }
