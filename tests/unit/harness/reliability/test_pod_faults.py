"""The figures of a pod's container killed under load: when it was ready again, and what Locust
saw, read from a fake reports folder; no pod is killed here."""

import csv
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kubernetes_deployment.podman import PodContainer
from load_test.run import HISTORY_CSV
from load_test.summary import SUMMARY_NAME, LoadSettings, LoadTestSummary
from load_test.verdicts import Measurements
from model_service.loading import MODEL_LOADED
from reliability import pod_faults
from reliability.faults import MAX_ERRORS_PER_10K
from reliability.pairing import Pairing
from reliability.pod_faults import (
    PodKillResult,
    loaded_since,
    pod_kill_result,
    report_lines,
    served_per_second,
    served_rates,
    summary_rows,
    wait_until_loaded,
)

KILLED_AT = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
VICTIM = PodContainer(
    pod="insurance-charges-model-pod-0", name="insurance-charges-model-pod-0-service",
    state="running", restarts=1, started_at="2026-01-01T11:59:00+00:00", pid=4242, cgroup="",
)  # fmt: skip
PAIRING = Pairing(
    sent=10_000, succeeded=9_997, requested_records=9_990, created_records=9_990,
    failures_by_error={}, succeeded_without_record=7, records_without_success=0,
    requested_not_created=0, duplicate_records=0,
)  # fmt: skip
HEADER = ["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s", "50%", "90%",
          "99%", "Total Request Count", "Total Failure Count"]  # fmt: skip


def record(message: str, after_s: float) -> dict[str, str]:
    """A log record ``after_s`` seconds after the kill (before it when negative)."""
    return {"message": message, "timestamp": (KILLED_AT + timedelta(seconds=after_s)).isoformat()}


def records_are(monkeypatch: pytest.MonkeyPatch, *answers: list[dict[str, str]]) -> None:
    """The victim's records, as each call to container_records finds them in turn."""
    found = iter(answers)

    def container_records(container: str, since: str | None = None) -> list[dict[str, str]]:
        assert container == VICTIM.name
        return next(found)

    monkeypatch.setattr(pod_faults, "container_records", container_records)


def test_the_first_model_loaded_after_the_kill_is_when_the_pod_was_ready(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records_are(
        monkeypatch,
        [
            record(MODEL_LOADED, -30),  # the run before the kill
            record("Prediction created", 1),
            record(MODEL_LOADED, 9.5),
            record(MODEL_LOADED, 4.25),
            record("Application startup complete.", 5),
        ],
    )
    assert loaded_since(VICTIM.name, KILLED_AT) == KILLED_AT + timedelta(seconds=4.25)


def test_a_pod_that_loaded_nothing_since_the_kill_is_not_ready(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    records_are(monkeypatch, [record(MODEL_LOADED, -30), record("Prediction created", 1)])
    assert loaded_since(VICTIM.name, KILLED_AT) is None


def test_waiting_gives_the_seconds_from_the_kill_to_the_model_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pod_faults, "POLL_SECONDS", 0.01)
    records_are(monkeypatch, [], [record(MODEL_LOADED, -30)], [record(MODEL_LOADED, 3.5)])
    assert wait_until_loaded(VICTIM, KILLED_AT, timeout=5) == 3.5


def test_waiting_ends_with_none_at_the_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pod_faults, "POLL_SECONDS", 0.01)
    monkeypatch.setattr(pod_faults, "container_records", lambda container, since=None: [])
    assert wait_until_loaded(VICTIM, KILLED_AT, timeout=0.05) is None


def result(**changes: object) -> PodKillResult:
    fields = {
        "pod": VICTIM.pod, "pods": 2, "killed_at": 1010.5, "requests": 10_000, "failures": 3,
        "errors_per_10k": 3.0,
        "failures_by_error": {"ConnectionResetError(104)": 3}, "restarts": 1,
        "ready_again_s": 4.25, "rps_before": 800, "rps_lowest": 300, "rps_after": 780,
        "pairing": PAIRING,
    }  # fmt: skip
    return PodKillResult.model_validate(fields | changes)


@pytest.mark.parametrize(
    ("changes", "passed"),
    [
        ({}, True),
        ({"errors_per_10k": MAX_ERRORS_PER_10K}, True),
        ({"errors_per_10k": MAX_ERRORS_PER_10K + 0.1}, False),
        ({"ready_again_s": None}, False),
    ],
)
def test_a_pod_kill_passes_within_the_error_budget_and_ready_again(
    changes: dict, passed: bool
) -> None:
    assert result(**changes).passed is passed


def test_the_report_names_the_pod_the_errors_and_the_recovery() -> None:
    text = "\n".join(report_lines(result()))
    assert f"killed {VICTIM.pod}'s container (1 of 2 pods)" in text
    assert "10,000 requests, 3 failed: 3.0 per 10,000" in text
    assert f"(budget {MAX_ERRORS_PER_10K})" in text
    assert "ready again after 4.2 s" in text
    assert "800 req/s before, 300 at the lowest, 780 at the end" in text
    assert "7 without their record" in text
    assert report_lines(result())[-1].strip() == "passed"


def test_the_report_of_a_pod_never_ready_again_says_never_and_failed() -> None:
    lines = report_lines(result(ready_again_s=None, failures_by_error={}))
    assert "it was ready again after never" in "\n".join(lines)
    assert "failures: none" in "\n".join(lines)
    assert lines[-1].strip() == "FAILED"


def write_summary(reports: Path, requests: int, failures: int) -> None:
    LoadTestSummary(
        settings=LoadSettings(host="http://x", shape="constant", users=16, spawn_rate=16,
                              duration_s=20),
        started_at="2026-01-01T00:00:00+00:00", elapsed_s=20,
        measurements=Measurements(requests=requests, failures=failures, rps=500, p50_ms=1,
                                  p90_ms=2, p99_ms=3),
        slos=[], generator_errors=[], passed=True, breaches=[],
    ).save(reports / SUMMARY_NAME)  # fmt: skip


def write_history(path: Path, requests_each_second: dict[int, int]) -> None:
    """Locust's stats history: an Aggregated row a second with the running total of requests."""
    with open(path, "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        writer.writerow([1000, 16, "", "Aggregated", 0, 0, "N/A", "N/A", "N/A", 0, 0])
        total = 0
        for second, count in sorted(requests_each_second.items()):
            total += count
            for kind, name in (("POST", "/prediction"), ("", "Aggregated")):
                writer.writerow([second, 16, kind, name, 999, 0, 1, 2, 3, total, 3])


def test_a_pod_kill_result_is_read_from_locusts_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 100 requests a second until the kill at 1010.5, 10 for three seconds, then 80.
    rates = {s: 100 for s in range(1001, 1011)} | {s: 10 for s in range(1011, 1014)}
    write_history(tmp_path / HISTORY_CSV, rates | {s: 80 for s in range(1014, 1021)})
    write_summary(tmp_path, requests=10_000, failures=3)
    (tmp_path / "locust_failures.csv").write_text(
        'Method,Name,Error,Occurrences\nPOST,/p,"ConnectionResetError(104)",3\n'
    )
    restarted = replace(VICTIM, restarts=VICTIM.restarts + 1)
    monkeypatch.setattr(pod_faults, "pod_containers", lambda: [restarted])
    found = pod_kill_result(tmp_path, VICTIM, 2, killed_at=1010.5, ready_again=4.25,
                            pairing=PAIRING, window=5)  # fmt: skip
    # Locust's rate is over 3 rows: 1014's is (10 + 10 + 80) / 3, 1015's (10 + 80 + 80) / 3.
    assert found.errors_per_10k == pytest.approx(3.0)
    expected = result(rps_before=100, rps_lowest=10, rps_after=80)
    assert found.model_copy(update={"errors_per_10k": 3.0}) == expected


def test_a_run_without_failures_or_rows_after_the_kill_reads_as_zeros(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_history(tmp_path / HISTORY_CSV, {s: 50 for s in range(1001, 1011)})
    write_summary(tmp_path, requests=500, failures=0)
    monkeypatch.setattr(pod_faults, "pod_containers", lambda: [VICTIM])
    found = pod_kill_result(tmp_path, VICTIM, 2, 1020.0, None, PAIRING)
    assert (found.restarts, found.failures_by_error, found.errors_per_10k) == (0, {}, 0.0)
    assert (found.rps_before, found.rps_lowest) == (0.0, 0.0)


def test_a_pod_gone_after_the_run_is_an_error_not_a_restart_count(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pod_faults, "pod_containers", lambda: [])
    with pytest.raises(RuntimeError, match="pod-0 is gone after the run"):
        pod_faults.restarts_of("pod-0")


def created(at: datetime) -> dict[str, str]:
    return {"message": "Prediction created", "timestamp": at.isoformat()}


def test_served_per_second_counts_the_predictions_made_in_the_window() -> None:
    records = [created(KILLED_AT + timedelta(seconds=s)) for s in (-1, 0, 0.5, 1.5, 2)]
    records.append(record("Prediction requested", 0.5))
    rate = served_per_second(records, KILLED_AT, KILLED_AT + timedelta(seconds=2))
    assert rate == 1.5  # three predictions made in [0, 2) s


def test_served_rates_hold_the_survivor_against_each_pod_before_the_kill() -> None:
    killed = datetime.fromtimestamp(result().killed_at, UTC)

    def every(step_s: float, start_s: float, end_s: float) -> list[dict[str, str]]:
        count = round((end_s - start_s) / step_s)
        return [created(killed + timedelta(seconds=start_s + i * step_s)) for i in range(count)]

    records_by_pod = {
        VICTIM.pod: every(0.01, -3, 0),  # 100 a second until killed
        "insurance-charges-model-pod-1": every(0.01, -3, 0) + every(0.008, 0, 4.25),
    }
    rates = served_rates(result(), records_by_pod)
    assert rates is not None
    assert rates.per_pod_before == pytest.approx(100)
    assert rates.survivors_while_down == pytest.approx(125, rel=0.01)
    assert rates.down_s == 4.25


def test_served_rates_need_the_pod_back() -> None:
    assert served_rates(result(ready_again_s=None), {}) is None


def test_summary_rows_give_the_figures_and_the_verdict() -> None:
    rows = {row["measure"]: row["value"] for row in summary_rows(result())}
    assert rows["failed"] == f"3: 3.0 per 10,000 (budget {MAX_ERRORS_PER_10K})"
    assert rows["ready again after the kill"] == "4.2 s"
    assert rows["throughput before, at the lowest, at the end (req/s)"] == "800, 300, 780"
    assert rows["answered predictions without their record"] == "7 of 9,997"
    assert rows["verdict"] == "pass"
