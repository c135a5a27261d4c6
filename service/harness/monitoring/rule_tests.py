"""promtool's unit tests of the SLO rules, computed from the SLOs so that they keep their meaning
when an SLO changes: a healthy service fires nothing; each alert fires a little above its burn
rate and not a little below; a page stops soon after the burn does; a burn between the two pages'
rates, after a healthy history, fires nothing at first and never the fastest page.

The input series are counters that grow by a fixed number of requests a minute; a share of them
is bad (5xx, or slower than the threshold). Every counter starts high, so that ``rate`` treats
them all alike at a window's edges.
"""

import math

from model_service.routes import PREDICTION_ROUTE, READY_PATH
from monitoring.burn_rates import (
    REQUEST_DURATION,
    REQUESTS,
    BurnRateAlert,
    RulesError,
    Sli,
    annotations,
    seconds,
)
from monitoring.rule_files import (
    AlertRuleTest,
    ExpectedAlert,
    ExpectedSample,
    InputSeries,
    PromqlExprTest,
    RuleTestFile,
    RuleTestGroup,
)

INTERVAL = "1m"  # between two values of an input series
EVALUATION = 10  # minutes between two evaluations: coarse (Prometheus: 1m), so promtool is quick
PER_MINUTE = 10_000  # requests to the prediction route a minute
START = 1_000_000  # every counter's first value
HEALTHY_MINUTES = 60  # at half its budget, a data-limited window fires nothing, however long
CLIENT_ERRORS = 0.2  # the share of 4xx in the healthy scenario: a page, were they counted
MARGIN = 1.2  # a window's bad share stays below a threshold by this much to count as quiet
EARLY = 30  # minutes into the slow burn when nothing may have fired yet
EDGE = 1.25  # how far above, or below, an alert's burn rate the steady burns are
Phases = list[tuple[int, int]]  # (minutes, increase a minute), one after the other


def minutes(duration: str) -> int:
    return math.ceil(seconds(duration) / 60)


def duration(total_minutes: int) -> str:
    """``380`` → ``6h20m``; ``45`` → ``45m``."""
    hours, rest = divmod(total_minutes, 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest}m" if rest else f"{hours}h"


def counter(phases: Phases) -> str:
    """A counter's values, one a minute, in promtool's expanding notation (``a+bxn``)."""
    values, value = [str(START)], START
    for length, increase in phases:
        values.append(f"{value + increase}+{increase}x{length - 1}")
        value += increase * length
    return " ".join(values)


def series(
    metric: str, phases: Phases, route: str = PREDICTION_ROUTE, **labels: str
) -> InputSeries:
    matchers = ",".join(f'{name}="{value}"' for name, value in {"route": route, **labels}.items())
    return InputSeries(series=f"{metric}{{{matchers}}}", values=counter(phases))


def bad_per_minute(share: float) -> int:
    return round(PER_MINUTE * share)


def good(phases: Phases) -> Phases:
    return [(length, PER_MINUTE - bad) for length, bad in phases]


def sli_series(sli: Sli, bad: Phases) -> list[InputSeries]:
    """The prediction route's series with ``bad`` bad requests a minute, phase by phase."""
    if sli.le is None:
        return [
            series(REQUESTS, bad, method="POST", status="500"),
            series(REQUESTS, good(bad), method="POST", status="200"),
        ]
    return [
        series(f"{REQUEST_DURATION}_bucket", good(bad), le=sli.le),
        series(f"{REQUEST_DURATION}_count", [(length, PER_MINUTE) for length, _ in bad]),
    ]


def firing(sli: Sli, row: BurnRateAlert) -> ExpectedAlert:
    texts = annotations(sli, row)
    return ExpectedAlert(
        exp_labels={"route": PREDICTION_ROUTE, "severity": row.severity, "sli": sli.name},
        exp_annotations={
            name: text.replace("{{ $labels.route }}", PREDICTION_ROUTE)
            for name, text in texts.items()
        },
    )


def alert_test(at: int, sli: Sli, row: BurnRateAlert, fires: bool) -> AlertRuleTest:
    return AlertRuleTest(
        eval_time=duration(at),
        alertname=sli.alert(row),
        exp_alerts=[firing(sli, row)] if fires else [],
    )


def ratio_test(at: int, sli: Sli, bad: int) -> PromqlExprTest:
    """The 5m recording holds the bad share: ``bad`` in every PER_MINUTE requests (rounded, as
    floating point would tell 0.0288 from 0.028800000000000003)."""
    return PromqlExprTest(
        expr=f"round({sli.record('5m')} * {PER_MINUTE})",
        eval_time=duration(at),
        exp_samples=[ExpectedSample(labels=f'{{route="{PREDICTION_ROUTE}"}}', value=bad)],
    )


def healthy_series(indicators: list[Sli]) -> list[InputSeries]:
    """Every SLI at half its budget, with 4xx, and a readiness probe that fails and is slow."""

    def steady(metric: str, increase: int, **labels: str) -> InputSeries:
        return series(metric, [(HEALTHY_MINUTES, increase)], **labels)

    half = {sli.name: bad_per_minute(sli.budget / 2) for sli in indicators}
    client, failed = bad_per_minute(CLIENT_ERRORS), half["errors"]
    fast: dict[str, int] = {}  # by bucket boundary, the requests within it
    for sli in indicators:
        if sli.le is not None:
            fast[sli.le] = max(fast.get(sli.le, 0), PER_MINUTE - half[sli.name])
    probe = {"route": READY_PATH}
    return [
        steady(REQUESTS, PER_MINUTE - failed - client, method="POST", status="200"),
        steady(REQUESTS, client, method="POST", status="422"),
        steady(REQUESTS, failed, method="POST", status="500"),
        *(steady(f"{REQUEST_DURATION}_bucket", count, le=le) for le, count in fast.items()),
        steady(f"{REQUEST_DURATION}_count", PER_MINUTE),
        steady(REQUESTS, 60, **probe, method="GET", status="503"),
        *(steady(f"{REQUEST_DURATION}_bucket", 0, **probe, le=le) for le in fast),
        steady(f"{REQUEST_DURATION}_count", 60, **probe),
    ]


def healthy(indicators: list[Sli]) -> RuleTestGroup:
    """Nothing fires, and the error SLI counts neither the 4xx nor the probe's 503."""
    [errors] = [sli for sli in indicators if sli.name == "errors"]
    return RuleTestGroup(
        name=(
            f"healthy: every SLI at half its budget for {duration(HEALTHY_MINUTES)}, with "
            f"{CLIENT_ERRORS:.0%} 4xx and a failing readiness probe: nothing fires"
        ),
        interval=INTERVAL,
        input_series=healthy_series(indicators),
        alert_rule_test=[
            alert_test(HEALTHY_MINUTES, sli, row, fires=False)
            for sli in indicators
            for row in sli.alerts()
        ],
        promql_expr_test=[ratio_test(HEALTHY_MINUTES, errors, bad_per_minute(errors.budget / 2))],
    )


def pages(sli: Sli) -> list[BurnRateAlert]:
    return [row for row in sli.alerts() if row.severity == "page"]


def steady_burn(sli: Sli, row: BurnRateAlert, factor: float) -> RuleTestGroup:
    """A burn at ``factor`` times the row's rate from the start, when the windows hold nothing
    else yet: the row's alert fires once its ``for`` is over if the factor is above 1, else
    never."""
    bad = bad_per_minute(min(1.0, factor * row.burn_rate * sli.budget))
    at = EVALUATION * (1 + math.ceil(minutes(row.for_) / EVALUATION))
    fires = factor > 1
    return RuleTestGroup(
        name=(
            f"{sli.name}: a steady burn at {bad / PER_MINUTE / sli.budget:g}x "
            f"{'fires' if fires else 'does not fire'} {sli.alert(row)} ({row.burn_rate:g}x)"
        ),
        interval=INTERVAL,
        input_series=sli_series(sli, [(at, bad)]),
        alert_rule_test=[alert_test(at, sli, row, fires=fires)],
        promql_expr_test=[ratio_test(at, sli, bad)] if fires else [],
    )


def recovery(sli: Sli, row: BurnRateAlert) -> RuleTestGroup:
    """A burn at twice the row's rate stops: once the short window has cleared, the alert stops,
    though the long window still holds the burn."""
    bad = bad_per_minute(min(1.0, 2 * row.burn_rate * sli.budget))
    after = minutes(row.short_window) + EVALUATION
    burning = 3 * after  # the long window then still holds 3/4 burn: above the rate
    return RuleTestGroup(
        name=(
            f"{sli.name}: {sli.alert(row)} stops {duration(after)} after a burn at "
            f"{bad / PER_MINUTE / sli.budget:g}x does, as its {row.short_window} window clears"
        ),
        interval=INTERVAL,
        input_series=sli_series(sli, [(burning, bad), (after, 0)]),
        alert_rule_test=[
            alert_test(burning, sli, row, fires=True),
            alert_test(burning + after, sli, row, fires=False),
        ],
    )


def thresholds(sli: Sli) -> list[RuleTestGroup]:
    """Each alert fires a little above its burn rate, and not a little below it."""
    return [steady_burn(sli, row, factor) for row in sli.alerts() for factor in (EDGE, 1 / EDGE)]


def window_share(share: float, window: str, history: int, burning: int) -> float:
    """The bad share over ``window`` after ``history`` healthy minutes and ``burning`` minutes
    at ``share``: the series start with the history, so a window may hold less than its length."""
    length = minutes(window)
    return share * min(burning, length) / min(length, history + burning)


def quiet(sli: Sli, share: float, history: int, burning: int) -> bool:
    """Whether every alert's long window stays below its threshold by the margin."""
    return all(
        window_share(share, row.long_window, history, burning) < row.burn_rate * sli.budget / MARGIN
        for row in sli.alerts()
    )


def quiet_history(sli: Sli, share: float) -> int:
    """The healthy minutes before a burn at ``share`` that keep every alert quiet for EARLY
    minutes into it (whole hours, up to the longest window)."""
    longest = max(minutes(row.long_window) for row in sli.alerts())
    for history in range(60, longest + 1, 60):
        if quiet(sli, share, history, EARLY):
            return history
    raise RulesError(
        f"{sli.name}: no healthy history keeps a burn at {share:.2%} bad quiet for {EARLY} minutes"
    )


def slow_burn(sli: Sli) -> RuleTestGroup | None:
    """After a healthy history, a burn between the two pages' rates: nothing fires at first, as
    the long windows still hold the history; the fastest page never does, even once its windows
    hold nothing but the burn."""
    if len(pages(sli)) < 2:
        return None
    fastest, slower = pages(sli)[:2]
    burn = (fastest.burn_rate + slower.burn_rate) / 2
    bad = bad_per_minute(burn * sli.budget)
    history = quiet_history(sli, bad / PER_MINUTE)
    late = minutes(fastest.long_window) + EVALUATION
    return RuleTestGroup(
        name=(
            f"{sli.name}: after {duration(history)} healthy, a burn at {burn:g}x fires nothing "
            f"for {EARLY}m, and {sli.alert(fastest)} not even after {duration(late)}"
        ),
        interval=INTERVAL,
        input_series=sli_series(sli, [(history, 0), (late, bad)]),
        alert_rule_test=[
            *(alert_test(history + EARLY, sli, row, fires=False) for row in sli.alerts()),
            alert_test(history + late, sli, fastest, fires=False),
        ],
        promql_expr_test=[ratio_test(history + late, sli, bad)],
    )


def rule_test_file(indicators: list[Sli], rules_name: str) -> RuleTestFile:
    """The scenarios for ``indicators``, testing the rule file ``rules_name`` beside it."""
    scenarios = [healthy(indicators)]
    for sli in indicators:
        slow = slow_burn(sli)
        recoveries = [recovery(sli, row) for row in pages(sli)]
        scenarios += [*thresholds(sli), *recoveries, *([slow] if slow else [])]
    return RuleTestFile(
        rule_files=[rules_name], evaluation_interval=duration(EVALUATION), tests=scenarios
    )
