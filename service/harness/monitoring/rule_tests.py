"""promtool's unit tests of the SLO rules, computed from the SLOs so that they keep their meaning
when an SLO changes: a healthy service fires nothing; each alert fires a little above its burn
rate and not a little below; a page stops soon after the burn does; a burn between the two pages'
rates, after a healthy history, fires nothing at first and never the fastest page.

The input series are counters that grow by a fixed number of requests a minute; a share of them
is bad (5xx, or slower than the threshold). Every counter starts high, so that ``rate`` treats
them all alike at a window's edges.
"""

import math

from kubernetes_deployment.manifests import APP_NAME
from model_service.routes import PREDICTION_ROUTE, READY_PATH
from monitoring.availability import (
    APP_LABEL,
    AVAILABILITY_ALERTS,
    SERVICE_DOWN,
    TARGET_DOWN,
    AvailabilityAlert,
)
from monitoring.burn_rates import (
    PRODUCTION,
    REQUEST_DURATION,
    REQUESTS,
    BurnRateAlert,
    RulesError,
    Sli,
    Timescale,
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


def duration(total_minutes: int, timescale: Timescale = PRODUCTION) -> str:
    """``380`` → ``6h20m``; ``45`` → ``45m``; at the demonstration's timescale ``6m20s``."""
    return timescale.duration(f"{total_minutes}m")


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


def firing(sli: Sli, row: BurnRateAlert, timescale: Timescale) -> ExpectedAlert:
    texts = annotations(sli, row.scaled(timescale))
    return ExpectedAlert(
        exp_labels={"route": PREDICTION_ROUTE, "severity": row.severity, "sli": sli.name},
        exp_annotations={
            name: text.replace("{{ $labels.route }}", PREDICTION_ROUTE)
            for name, text in texts.items()
        },
    )


def alert_test(
    at: int, sli: Sli, row: BurnRateAlert, fires: bool, timescale: Timescale
) -> AlertRuleTest:
    return AlertRuleTest(
        eval_time=duration(at, timescale),
        alertname=sli.alert(row),
        exp_alerts=[firing(sli, row, timescale)] if fires else [],
    )


def ratio_test(at: int, sli: Sli, bad: int, timescale: Timescale) -> PromqlExprTest:
    """The 5m recording holds the bad share: ``bad`` in every PER_MINUTE requests (rounded, as
    floating point would tell 0.0288 from 0.028800000000000003)."""
    return PromqlExprTest(
        expr=f"round({sli.record(timescale.duration('5m'))} * {PER_MINUTE})",
        eval_time=duration(at, timescale),
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


def healthy(indicators: list[Sli], timescale: Timescale) -> RuleTestGroup:
    """Nothing fires, and the error SLI counts neither the 4xx nor the probe's 503."""
    [errors] = [sli for sli in indicators if sli.name == "errors"]
    half = bad_per_minute(errors.budget / 2)
    return RuleTestGroup(
        name=(
            f"healthy: every SLI at half its budget for {duration(HEALTHY_MINUTES, timescale)}, "
            f"with {CLIENT_ERRORS:.0%} 4xx and a failing readiness probe: nothing fires"
        ),
        interval=timescale.duration(INTERVAL),
        input_series=[*healthy_series(indicators), *targets_up([(HEALTHY_MINUTES, 1)])],
        alert_rule_test=[
            *(
                alert_test(HEALTHY_MINUTES, sli, row, False, timescale)
                for sli in indicators
                for row in sli.alerts()
            ),
            *(
                availability_test(HEALTHY_MINUTES, alert, [], timescale)
                for alert in AVAILABILITY_ALERTS
            ),
        ],
        promql_expr_test=[ratio_test(HEALTHY_MINUTES, errors, half, timescale)],
    )


def pages(sli: Sli) -> list[BurnRateAlert]:
    return [row for row in sli.alerts() if row.severity == "page"]


def steady_burn(sli: Sli, row: BurnRateAlert, factor: float, timescale: Timescale) -> RuleTestGroup:
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
        interval=timescale.duration(INTERVAL),
        input_series=sli_series(sli, [(at, bad)]),
        alert_rule_test=[alert_test(at, sli, row, fires, timescale)],
        promql_expr_test=[ratio_test(at, sli, bad, timescale)] if fires else [],
    )


def recovery(sli: Sli, row: BurnRateAlert, timescale: Timescale) -> RuleTestGroup:
    """A burn at twice the row's rate stops: once the short window has cleared, the alert stops,
    though the long window still holds the burn."""
    bad = bad_per_minute(min(1.0, 2 * row.burn_rate * sli.budget))
    after = minutes(row.short_window) + EVALUATION
    burning = 3 * after  # the long window then still holds 3/4 burn: above the rate
    return RuleTestGroup(
        name=(
            f"{sli.name}: {sli.alert(row)} stops {duration(after, timescale)} after a burn at "
            f"{bad / PER_MINUTE / sli.budget:g}x does, as its "
            f"{timescale.duration(row.short_window)} window clears"
        ),
        interval=timescale.duration(INTERVAL),
        input_series=sli_series(sli, [(burning, bad), (after, 0)]),
        alert_rule_test=[
            alert_test(burning, sli, row, True, timescale),
            alert_test(burning + after, sli, row, False, timescale),
        ],
    )


def thresholds(sli: Sli, timescale: Timescale) -> list[RuleTestGroup]:
    """Each alert fires a little above its burn rate, and not a little below it."""
    return [
        steady_burn(sli, row, factor, timescale)
        for row in sli.alerts()
        for factor in (EDGE, 1 / EDGE)
    ]


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


def slow_burn(sli: Sli, timescale: Timescale) -> RuleTestGroup | None:
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
            f"{sli.name}: after {duration(history, timescale)} healthy, a burn at {burn:g}x "
            f"fires nothing for {duration(EARLY, timescale)}, and {sli.alert(fastest)} not even "
            f"after {duration(late, timescale)}"
        ),
        interval=timescale.duration(INTERVAL),
        input_series=sli_series(sli, [(history, 0), (late, bad)]),
        alert_rule_test=[
            *(alert_test(history + EARLY, sli, row, False, timescale) for row in sli.alerts()),
            alert_test(history + late, sli, fastest, False, timescale),
        ],
        promql_expr_test=[ratio_test(history + late, sli, bad, timescale)],
    )


DOWN_AT = 20  # minutes into an availability scenario when its targets stop answering
UpPhases = list[tuple[int, int | None]]  # (minutes, up's value, or None: the series ended)


def up_values(phases: UpPhases) -> str:
    """``up``'s values, one a minute, in promtool's notation. A series that ends gets a
    staleness marker, as Prometheus writes when a target goes, then no sample."""
    return " ".join(
        f"stale _x{length - 1}" if value is None else f"{value}x{length}"
        for length, value in phases
    )


def targets_up(*targets: UpPhases) -> list[InputSeries]:
    """One ``up`` series a target, ``phases`` apiece."""
    return [
        InputSeries(
            series=f'up{{{APP_LABEL}="{APP_NAME}",instance="pod-{index}",job="pods"}}',
            values=up_values(phases),
        )
        for index, phases in enumerate(targets)
    ]


def down_alert(alert: AvailabilityAlert, instance: str, timescale: Timescale) -> ExpectedAlert:
    rule = alert.rule(timescale)
    labels = {APP_LABEL: APP_NAME, "instance": instance, "job": "pods"} if instance else {}
    return ExpectedAlert(
        exp_labels={**labels, **rule.labels},
        exp_annotations={
            name: text.replace("{{ $labels.instance }}", instance)
            for name, text in rule.annotations.items()
        },
    )


def availability_test(
    at: int, alert: AvailabilityAlert, instances: list[str], timescale: Timescale
) -> AlertRuleTest:
    """Which of ``alert`` fire at ``at``: one for each of ``instances``; one without labels
    when ``instances`` is ``[""]`` (an ``absent`` alert)."""
    return AlertRuleTest(
        eval_time=duration(at, timescale),
        alertname=alert.alert,
        exp_alerts=[down_alert(alert, instance, timescale) for instance in instances],
    )


def availability(timescale: Timescale) -> list[RuleTestGroup]:
    """One target down: a ticket once its wait is over, no page. Every target down, or gone
    (no series at all, as when the pods are deleted): the page."""
    late = DOWN_AT + minutes(TARGET_DOWN.for_) + EVALUATION
    one_down, up = [(DOWN_AT, 1), (late - DOWN_AT, 0)], [(late, 1)]
    gone = [(DOWN_AT, 1), (late - DOWN_AT, None)]
    scenario = {
        "one of two targets stops answering: a ticket, no page": (
            [one_down, up], {TARGET_DOWN: ["pod-0"], SERVICE_DOWN: []}),
        "both targets stop answering: the page": (
            [one_down, one_down], {SERVICE_DOWN: [""], TARGET_DOWN: ["pod-0", "pod-1"]}),
        "both targets are gone, their series ended: the page": (
            [gone, gone], {SERVICE_DOWN: [""], TARGET_DOWN: []}),
    }  # fmt: skip
    return [
        RuleTestGroup(
            name=f"availability: {name}",
            interval=timescale.duration(INTERVAL),
            input_series=targets_up(*targets),
            alert_rule_test=[
                availability_test(DOWN_AT, SERVICE_DOWN, [], timescale),
                *(
                    availability_test(late, alert, fired, timescale)
                    for alert, fired in alerts.items()
                ),
            ],
        )
        for name, (targets, alerts) in scenario.items()
    ]


def rule_test_file(
    indicators: list[Sli], rules_name: str, timescale: Timescale = PRODUCTION
) -> RuleTestFile:
    """The scenarios for ``indicators`` at ``timescale``, testing the rule file ``rules_name``
    beside it."""
    scenarios = [healthy(indicators, timescale), *availability(timescale)]
    for sli in indicators:
        slow = slow_burn(sli, timescale)
        recoveries = [recovery(sli, row, timescale) for row in pages(sli)]
        scenarios += [*thresholds(sli, timescale), *recoveries, *([slow] if slow else [])]
    return RuleTestFile(
        rule_files=[rules_name],
        evaluation_interval=duration(EVALUATION, timescale),
        tests=scenarios,
    )
