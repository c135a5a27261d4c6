from datetime import UTC, datetime

import pytest

from drift_monitor.report import (
    DriftReport,
    ThresholdsError,
    format_duration,
    monitor,
    render,
)
from drift_monitor.thresholds import DriftThresholds
from support.drift_logs import (
    PREDICTION,
    THRESHOLDS,
    created,
    customers,
    log_lines,
    requested,
    toy_baseline,
)

BASELINE = toy_baseline()


def verdicts(report: DriftReport) -> dict[str, str]:
    return {feature.name: feature.verdict for feature in report.features}


def test_the_training_rows_themselves_do_not_drift() -> None:
    report = monitor(log_lines(customers()), BASELINE, THRESHOLDS)
    assert set(verdicts(report).values()) == {"no drift"}
    assert (report.verdict, report.drifted, report.not_logged) == ("no drift", [], [])
    assert all(feature.psi == pytest.approx(0, abs=1e-12) for feature in report.features)
    age = report.features[0]
    assert (age.records, age.kind, age.source) == (2000, "numeric", "input")
    assert [b.expected for b in age.bins] == pytest.approx([b.observed for b in age.bins])


def test_older_customers_drift_in_age_and_price_only() -> None:
    report = monitor(log_lines(customers(seed=1, age_shift=10)), BASELINE, THRESHOLDS)
    assert report.verdict == "drift"
    assert report.drifted == ["age", PREDICTION]


def test_more_smokers_drift_in_smoker_and_price() -> None:
    report = monitor(log_lines(customers(seed=1, smokers=0.5)), BASELINE, THRESHOLDS)
    assert report.drifted == ["smoker", PREDICTION]


def test_features_the_records_never_carry_are_not_logged() -> None:
    lines = log_lines(customers(seed=1), inputs=("age", "region"))
    report = monitor(lines, BASELINE, THRESHOLDS)
    assert report.not_logged == ["smoker"]
    smoker = report.features[1]
    assert (smoker.records, smoker.psi, smoker.bins) == (0, None, [])
    assert report.verdict == "no drift"
    assert "not logged (the model's records never carry them" in render(report)


def test_without_records_nothing_is_not_logged_there_is_just_no_data() -> None:
    report = monitor([], BASELINE, THRESHOLDS)
    assert set(verdicts(report).values()) == {"not enough data"}
    assert (report.verdict, report.not_logged) == ("not enough data", [])


def test_too_few_records_give_no_verdict_said_plainly() -> None:
    report = monitor(log_lines(customers(rows=120, age_shift=30)), BASELINE, THRESHOLDS)
    assert report.verdict == "not enough data"
    assert report.not_enough_data == ["age", "smoker", "region", PREDICTION]
    text = render(report)
    assert "not enough data for a verdict (records/needed): age 120/500, smoker 120/500" in text
    assert "verdict: not enough data: no feature has enough records" in text


def test_records_that_carry_only_predictions_judge_only_the_prediction() -> None:
    lines = [created({PREDICTION: float(p)}) for p in customers(seed=1)[PREDICTION]]
    report = monitor(lines, BASELINE, THRESHOLDS)
    assert verdicts(report) == {
        "age": "not enough data",
        "smoker": "not enough data",
        "region": "not enough data",
        PREDICTION: "no drift",
    }
    assert report.verdict == "no drift"


def test_per_feature_thresholds_apply() -> None:
    lenient = DriftThresholds.model_validate(
        THRESHOLDS.model_dump() | {"features": {"age": {"psi": 5}}}
    )
    report = monitor(log_lines(customers(seed=1, age_shift=10)), BASELINE, lenient)
    assert report.drifted == [PREDICTION]
    assert report.features[0].thresholds.psi == 5


def test_thresholds_for_a_feature_the_baseline_lacks_are_refused() -> None:
    thresholds = DriftThresholds.model_validate(
        THRESHOLDS.model_dump() | {"features": {"bmi": {"psi": 0.3}}}
    )
    with pytest.raises(ThresholdsError, match=r"features the baseline does not have: \['bmi'\]"):
        monitor([], BASELINE, thresholds)


def test_the_table_shows_each_feature_and_the_counts() -> None:
    lines = [*log_lines(customers()), "not json", "", requested({"age": "x"})]
    text = render(monitor(lines, BASELINE, THRESHOLDS))
    assert "feature        records      PSI   p-value  verdict" in text
    assert "age              2,000   0.0000         1  no drift" in text
    assert "lines: 4,003; used: 2,001 requested and 2,000 created predictions" in text
    assert "bad lines: 1 not JSON" in text
    assert "skipped lines: 1 blank line" in text
    assert "values of the wrong type: 1 age" in text
    assert text.endswith("verdict: no drift")


def test_the_report_round_trips_as_json() -> None:
    report = monitor(log_lines(customers(seed=1, age_shift=10)), BASELINE, THRESHOLDS)
    assert DriftReport.model_validate_json(report.model_dump_json()) == report


def test_every_field_of_the_report_has_a_description() -> None:
    for name, field in DriftReport.model_fields.items():
        assert field.description, name


def at(minute: int, second: int = 0) -> str:
    return datetime(2025, 3, 1, 10, minute, second, tzinfo=UTC).isoformat()


def test_the_report_says_when_the_records_were_logged() -> None:
    lines = [
        requested({"age": 30}, timestamp=at(0, 2)),
        created({PREDICTION: 1.0}, timestamp=at(30)),
        created({PREDICTION: 2.0}, timestamp=at(59, 58)),
    ]
    report = monitor(lines, BASELINE, THRESHOLDS)
    assert report.period is not None
    assert (report.period.first, report.period.last) == (
        datetime(2025, 3, 1, 10, 0, 2, tzinfo=UTC),
        datetime(2025, 3, 1, 10, 59, 58, tzinfo=UTC),
    )
    assert report.period.seconds == 3596
    assert "logged: 2025-03-01 10:00:02 to 2025-03-01 10:59:58 UTC, 59 min 56 s" in render(report)
    assert DriftReport.model_validate_json(report.model_dump_json()).period == report.period


def test_without_timestamps_the_report_says_so() -> None:
    report = monitor([requested({"age": 30}, timestamp=None)], BASELINE, THRESHOLDS)
    assert report.period is None
    assert "logged: no record used has a timestamp" in render(report)


DURATIONS = {0: "0 s", 12.4: "12 s", 3596: "59 min 56 s", 7500: "2 h 5 min", 90_000: "25 h 0 min"}


@pytest.mark.parametrize(("seconds", "text"), DURATIONS.items())
def test_durations_read_in_their_two_largest_units(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text
