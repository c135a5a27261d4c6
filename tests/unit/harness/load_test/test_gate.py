"""The gate, fed the objects Locust hands its listeners (stand-ins: importing Locust here would
patch this test process with gevent; the integration tests run the real thing)."""

import json
import math
from pathlib import Path
from types import SimpleNamespace

import pytest

from load_test.gate import Gate, generator_errors, report, summarize
from load_test.summary import LoadSettings, read_summary
from service_levels.objectives import ServiceLevelObjectives

OBJECTIVES = ServiceLevelObjectives(p99_ms=100, p90_ms=50, errors_per_10k=10, min_rps=50)
SETTINGS = LoadSettings(host="http://x", shape="constant", users=4, spawn_rate=4, duration_s=10)
STARTED = 1_795_000_000.0


class StatsTotal:
    """Locust's aggregated StatsEntry, as far as the gate reads it."""

    def __init__(self, response_times_ms: list[float], failures: int, seconds: float) -> None:
        self.response_times = sorted(response_times_ms)
        self.num_requests, self.num_failures = len(response_times_ms), failures
        self.start_time = STARTED
        self.last_request_timestamp = STARTED + seconds if response_times_ms else None
        self.total_rps = self.num_requests / seconds

    def get_response_time_percentile(self, percent: float) -> float:
        if not self.response_times:
            return 0
        return self.response_times[math.ceil(percent * len(self.response_times)) - 1]


def environment(
    total: StatsTotal, exceptions: dict | None = None, headless: bool = True
) -> SimpleNamespace:
    options = SimpleNamespace(
        host="http://x", shape="stages", num_users=4, spawn_rate=2.0, run_time=10,
        headless=headless,
    )  # fmt: skip
    return SimpleNamespace(
        stats=SimpleNamespace(total=total),
        runner=SimpleNamespace(exceptions=exceptions or {}),
        parsed_options=options,
        process_exit_code=None,
    )


def fast_run(failures: int = 0) -> StatsTotal:
    return StatsTotal([10.0] * 980 + [60.0] * 19 + [90.0], failures=failures, seconds=10)


def test_a_run_within_the_slos_passes() -> None:
    summary = summarize(fast_run(), [], SETTINGS, OBJECTIVES)
    assert summary.passed
    assert summary.breaches == []
    assert summary.measurements.p99_ms == 60
    assert summary.measurements.rps == 100
    assert summary.elapsed_s == 10


def test_a_breach_fails_the_gate_and_names_itself() -> None:
    summary = summarize(fast_run(failures=2), [], SETTINGS, OBJECTIVES)
    assert not summary.passed
    assert summary.breaches == ["errors per 10,000 requests: 20 errors, target ≤ 10 errors"]


def test_errors_of_the_load_generator_fail_the_gate() -> None:
    errors = generator_errors({"key": {"count": 3, "msg": "KeyError('charges')"}})
    summary = summarize(fast_run(), errors, SETTINGS, OBJECTIVES)
    assert not summary.passed
    assert summary.breaches == ["the load generator raised 3 times: KeyError('charges')"]


def test_the_report_shows_the_table_and_the_breaches() -> None:
    text = report(summarize(fast_run(failures=2), [], SETTINGS, OBJECTIVES))
    errors_row = next(line for line in text.splitlines() if line.startswith("errors per"))
    assert errors_row.endswith("FAIL")
    assert text.endswith(
        "SLO gate: FAILED\n  - errors per 10,000 requests: 20 errors, target ≤ 10 errors"
    )


@pytest.mark.parametrize(("failures", "exit_code"), [(0, 0), (2, 1)])
def test_the_gate_sets_locusts_exit_code_and_writes_the_summary(
    tmp_path: Path, failures: int, exit_code: int
) -> None:
    locust = environment(fast_run(failures))
    gate = Gate(OBJECTIVES, tmp_path / "reports" / "summary.json")
    gate.on_quitting(locust)
    assert locust.process_exit_code == exit_code
    summary = read_summary(tmp_path / "reports" / "summary.json")
    assert summary.passed is (exit_code == 0)
    assert summary.settings.shape == "stages"
    assert summary.settings.duration_s == 10


def test_the_summary_json_has_the_fields_readers_rely_on(tmp_path: Path) -> None:
    Gate(OBJECTIVES, tmp_path / "summary.json").on_quitting(environment(fast_run()))
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert set(summary) >= {"settings", "measurements", "slos", "passed", "breaches"}
    assert set(summary["measurements"]) == {
        "requests", "failures", "rps", "p50_ms", "p90_ms", "p99_ms"
    }  # fmt: skip
    assert [slo["name"] for slo in summary["slos"]] == [
        "p99_ms", "p90_ms", "errors_per_10k", "min_rps"
    ]  # fmt: skip
    assert set(summary["slos"][0]) == {
        "name",
        "description",
        "target",
        "measured",
        "unit",
        "passed",
    }


def test_the_table_is_printed_after_locusts_statistics(capsys: pytest.CaptureFixture) -> None:
    gate = Gate(OBJECTIVES, None)
    gate.on_quit(exit_code=0)  # before quitting: nothing to print
    assert capsys.readouterr().out == ""
    gate.on_quitting(environment(fast_run()))
    gate.on_quit(exit_code=0)
    assert capsys.readouterr().out.strip().endswith("SLO gate: passed")


def test_a_run_that_made_no_request_fails() -> None:
    summary = summarize(StatsTotal([], failures=0, seconds=10), [], SETTINGS, OBJECTIVES)
    assert not summary.passed
    assert len(summary.breaches) == 4
    assert summary.elapsed_s == 0


def test_with_the_web_ui_a_stopped_run_is_judged_at_once(tmp_path: Path) -> None:
    """The UI goes on after a run ends or is stopped: the summary is written then."""
    gate = Gate(OBJECTIVES, tmp_path / "summary.json")
    gate.on_test_stop(environment(fast_run(failures=2), headless=False))
    assert read_summary(tmp_path / "summary.json").passed is False


def test_a_headless_run_is_judged_once_when_locust_quits(tmp_path: Path) -> None:
    gate = Gate(OBJECTIVES, tmp_path / "summary.json")
    gate.on_test_stop(environment(fast_run(), headless=True))
    assert not (tmp_path / "summary.json").exists()
