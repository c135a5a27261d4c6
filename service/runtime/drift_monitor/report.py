"""The drift report: every feature's verdict, what the lines held, and the overall verdict.

``monitor(lines, baseline, thresholds)`` is the whole check as a library call; ``render`` writes
the report as the table the command line prints.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel, Field

from drift_monitor.baseline import Baseline, CategoricalReference, NumericReference
from drift_monitor.records import CARRIER, LineCounts, LoggedPeriod, LoggedValues, collect
from drift_monitor.statistics import (
    DRIFT,
    NO_DRIFT,
    NOT_ENOUGH_DATA,
    NOT_LOGGED,
    Comparison,
    Judgement,
    Verdict,
    judge,
)
from drift_monitor.thresholds import DriftThresholds, Thresholds

OverallVerdict = Literal["drift", "no drift", "not enough data"]
RECORDS_OF = {source: message for message, source in CARRIER.items()}


class ThresholdsError(ValueError):
    """The thresholds do not fit the baseline: they name features it does not have."""


class BinComparison(BaseModel):
    """One bin or category: its share in the baseline and in the logs."""

    label: str = Field(description="The bin, [low, high), or the category as JSON; or 'unseen'.")
    expected: float = Field(description="Its share of the baseline's reference data.")
    observed: float = Field(description="Its share of the logged values.")


class FeatureResult(BaseModel):
    """One feature's verdict, and the figures behind it."""

    name: str = Field(description="The feature: an input, or the prediction.")
    kind: Literal["numeric", "categorical"] = Field(description="How it is binned.")
    source: Literal["input", "output"] = Field(description="Where the records carry it.")
    records: int = Field(description="Logged values of it that were compared.")
    wrong_type: int = Field(description="Logged values of the wrong type, left out.")
    psi: float | None = Field(description="Population stability index; None without a verdict.")
    p_value: float | None = Field(description="Chi-square test's p-value; None without a verdict.")
    verdict: Verdict = Field(description="drift, no drift, not enough data, or not logged.")
    thresholds: Thresholds = Field(description="The thresholds applied to this feature.")
    bins: list[BinComparison] = Field(description="Shares bin by bin; empty without a verdict.")


class DriftReport(BaseModel):
    """What ``python -m drift_monitor`` found, written as the JSON report."""

    model_qualified_name: str = Field(description="The model whose records were compared.")
    model_version: str = Field(description="Its version; records of other versions are skipped.")
    baseline_rows: int = Field(description="Rows of reference data behind the baseline.")
    baseline_file: str | None = Field(None, description="The baseline file, when read from one.")
    baseline_sha256: str | None = Field(None, description="Its sha256, when read from a file.")
    created_at: datetime = Field(description="When the report was made (UTC).")
    thresholds: DriftThresholds = Field(description="The thresholds, as configured.")
    counts: LineCounts = Field(description="What became of the lines read.")
    period: LoggedPeriod | None = Field(
        None, description="When the records used were logged; None when none has a timestamp."
    )
    features: list[FeatureResult] = Field(description="Each feature of the baseline.")
    drifted: list[str] = Field(description="The features that drift.")
    not_enough_data: list[str] = Field(description="Features with too few records for a verdict.")
    not_logged: list[str] = Field(description="Features the model's records never carry.")
    verdict: OverallVerdict = Field(
        description="drift when any feature drifts; not enough data when none has a verdict."
    )


def check_thresholds(thresholds: DriftThresholds, baseline: Baseline) -> None:
    """Refuse overrides for features the baseline lacks: a misspelt name would go unused."""
    unknown = sorted(set(thresholds.features) - set(baseline.features))
    if unknown:
        raise ThresholdsError(
            f"the thresholds name features the baseline does not have: {unknown}; its features "
            f"are {list(baseline.features)}"
        )


def judged(
    name: str,
    reference: NumericReference | CategoricalReference,
    logged: LoggedValues,
    thresholds: Thresholds,
) -> Judgement:
    """The feature judged, or "not logged" when its model's records never carry it."""
    if logged.records[RECORDS_OF[reference.source]] and name not in logged.carried:
        return Judgement(NOT_LOGGED)
    return judge(reference, logged.values[name], thresholds)


def bin_comparisons(comparison: Comparison | None) -> list[BinComparison]:
    if comparison is None:
        return []
    return [
        BinComparison(label=label, expected=expected, observed=observed)
        for label, expected, observed in zip(
            comparison.labels, comparison.expected, comparison.observed_shares, strict=True
        )
    ]


def feature_result(
    name: str,
    reference: NumericReference | CategoricalReference,
    logged: LoggedValues,
    thresholds: Thresholds,
) -> FeatureResult:
    judgement = judged(name, reference, logged, thresholds)
    return FeatureResult(
        name=name,
        kind=reference.kind,
        source=reference.source,
        records=len(logged.values[name]),
        wrong_type=logged.wrong_type[name],
        psi=judgement.psi,
        p_value=judgement.p_value,
        verdict=judgement.verdict,
        thresholds=thresholds,
        bins=bin_comparisons(judgement.comparison),
    )


def overall_verdict(features: list[FeatureResult]) -> OverallVerdict:
    verdicts = {feature.verdict for feature in features}
    if DRIFT in verdicts:
        return DRIFT
    return NO_DRIFT if NO_DRIFT in verdicts else NOT_ENOUGH_DATA


def names_with(features: list[FeatureResult], verdict: Verdict) -> list[str]:
    return [feature.name for feature in features if feature.verdict == verdict]


def monitor(lines: Iterable[str], baseline: Baseline, thresholds: DriftThresholds) -> DriftReport:
    """Read the log lines and judge every feature of the baseline."""
    check_thresholds(thresholds, baseline)
    logged = collect(lines, baseline)
    features = [
        feature_result(name, reference, logged, thresholds.for_feature(name))
        for name, reference in baseline.features.items()
    ]
    return DriftReport(
        model_qualified_name=baseline.model_qualified_name,
        model_version=baseline.model_version,
        baseline_rows=baseline.rows,
        created_at=datetime.now(UTC),
        thresholds=thresholds,
        counts=logged.counts(),
        period=logged.period(),
        features=features,
        drifted=names_with(features, DRIFT),
        not_enough_data=names_with(features, NOT_ENOUGH_DATA),
        not_logged=names_with(features, NOT_LOGGED),
        verdict=overall_verdict(features),
    )


def format_counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {reason}" for reason, count in counts.items()) or "none"


def format_number(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def feature_table(features: list[FeatureResult]) -> list[str]:
    """One line per feature: records, PSI, p-value and verdict."""
    lines = [f"{'feature':<12} {'records':>9} {'PSI':>8} {'p-value':>9}  verdict"]
    for feature in features:
        psi = format_number(feature.psi, ".4f")
        p_value = format_number(feature.p_value, ".3g")
        lines.append(
            f"{feature.name:<12} {feature.records:>9,} {psi:>8} {p_value:>9}  {feature.verdict}"
        )
    return lines


def format_duration(seconds: float) -> str:
    """A duration in its two largest units: ``2 h 5 min``, ``59 min 58 s``, ``12 s``."""
    minutes, whole_seconds = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours:,} h {minutes} min"
    return f"{minutes} min {whole_seconds} s" if minutes else f"{whole_seconds} s"


def period_line(period: LoggedPeriod | None) -> str:
    """The time the records used cover, from the first to the last."""
    if period is None:
        return "logged: no record used has a timestamp"
    return (
        f"logged: {period.first:%Y-%m-%d %H:%M:%S} to {period.last:%Y-%m-%d %H:%M:%S} UTC, "
        f"{format_duration(period.seconds)}"
    )


def verdict_line(report: DriftReport) -> str:
    if report.verdict == DRIFT:
        return f"verdict: drift in {', '.join(report.drifted)}"
    if report.verdict == NOT_ENOUGH_DATA:
        return "verdict: not enough data: no feature has enough records for a verdict"
    return "verdict: no drift"


def caveats(report: DriftReport) -> list[str]:
    """What the report could not judge, said plainly."""
    lines = []
    if report.not_logged:
        lines.append(
            "not logged (the model's records never carry them, so their drift cannot be seen): "
            + ", ".join(report.not_logged)
        )
    few = [
        f"{feature.name} {feature.records:,}/{feature.thresholds.min_records:,}"
        for feature in report.features
        if feature.verdict == NOT_ENOUGH_DATA
    ]
    if few:
        lines.append("not enough data for a verdict (records/needed): " + ", ".join(few))
    return lines


def render(report: DriftReport) -> str:
    """The report as the command line prints it."""
    counts = report.counts
    return "\n".join(
        [
            f"drift of {report.model_qualified_name} {report.model_version} against a baseline "
            f"of {report.baseline_rows:,} rows",
            *feature_table(report.features),
            f"lines: {counts.lines:,}; used: {counts.requested:,} requested and "
            f"{counts.created:,} created predictions",
            period_line(report.period),
            f"bad lines: {format_counts(counts.bad)}",
            f"skipped lines: {format_counts(counts.skipped)}",
            f"values of the wrong type: {format_counts(counts.wrong_type)}",
            *caveats(report),
            verdict_line(report),
        ]
    )
