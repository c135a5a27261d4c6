"""The SLO gate: at test stop, Locust's statistics against the SLOs, and Locust's exit code.

This module does not import Locust (which patches the standard library with gevent on import);
it reads the objects Locust hands to its event listeners.
"""

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from load_test.summary import LoadSettings, LoadTestSummary
from load_test.verdicts import Measurements, breaches, evaluate, slo_table
from service_levels.objectives import ServiceLevelObjectives

logger = logging.getLogger(__name__)


def measurements_from(total: Any) -> Measurements:
    """Measurements from Locust's aggregated ``StatsEntry``."""
    return Measurements(
        requests=total.num_requests,
        failures=total.num_failures,
        rps=round(total.total_rps, 1),
        p50_ms=total.get_response_time_percentile(0.50),
        p90_ms=total.get_response_time_percentile(0.90),
        p99_ms=total.get_response_time_percentile(0.99),
    )


def generator_errors(exceptions: dict[Any, dict[str, Any]]) -> list[str]:
    """Exceptions the users raised (``runner.exceptions``), one line each with its count."""
    return [f"{error['count']} times: {error['msg']}" for error in exceptions.values()]


def settings_from(options: Any) -> LoadSettings:
    """The load settings from Locust's parsed command line."""
    return LoadSettings(
        host=options.host or "",
        shape=options.shape,
        users=options.num_users or 0,
        spawn_rate=options.spawn_rate or 0,
        duration_s=options.run_time or 0,
    )


def summarize(
    total: Any, errors: list[str], settings: LoadSettings, objectives: ServiceLevelObjectives
) -> LoadTestSummary:
    """The verdict on one run: each SLO, and the load generator's own errors."""
    measurements = measurements_from(total)
    verdicts = evaluate(measurements, objectives)
    problems = breaches(verdicts) + [f"the load generator raised {error}" for error in errors]
    elapsed = (total.last_request_timestamp or total.start_time) - total.start_time
    return LoadTestSummary(
        settings=settings,
        started_at=datetime.fromtimestamp(total.start_time, UTC).isoformat(timespec="seconds"),
        elapsed_s=round(elapsed, 1),
        measurements=measurements,
        slos=verdicts,
        generator_errors=errors,
        passed=not problems,
        breaches=problems,
    )


def verdict(summary: LoadTestSummary) -> str:
    """'SLO gate: passed', or 'SLO gate: FAILED' and each breach."""
    if summary.passed:
        return "SLO gate: passed"
    return "\n".join(["SLO gate: FAILED"] + [f"  - {problem}" for problem in summary.breaches])


def report(summary: LoadTestSummary) -> str:
    """The SLO table, then the verdict."""
    return f"{slo_table(summary.slos)}\n\n{verdict(summary)}"


class Gate:
    """Listens to Locust's stop: summarizes, writes the summary JSON, sets the exit code.

    Install it where the statistics meet (a lone Locust, or the master), never on a worker: a
    worker's statistics are its own share, and it would write the summary over the master's.
    """

    def __init__(self, objectives: ServiceLevelObjectives, summary_path: Path | None) -> None:
        self.objectives, self.summary_path = objectives, summary_path
        self.summary: LoadTestSummary | None = None

    def install(self, environment: Any) -> None:
        environment.events.test_stop.add_listener(self.on_test_stop)
        environment.events.quitting.add_listener(self.on_quitting)
        environment.events.quit.add_listener(self.on_quit)

    def judge(self, environment: Any) -> LoadTestSummary:
        """Summarize the run as it stands, and write the summary JSON."""
        self.summary = summarize(
            environment.stats.total,
            generator_errors(environment.runner.exceptions),
            settings_from(environment.parsed_options),
            self.objectives,
        )
        if self.summary_path:
            self.summary.save(self.summary_path)
        return self.summary

    def on_test_stop(self, environment: Any, **_: Any) -> None:
        """With the web UI, a run ends (or is stopped) while Locust goes on: judge it now."""
        if environment.parsed_options.headless:
            return  # Locust quits at once, and judges then
        summary = self.judge(environment)
        where = f"; summary in {self.summary_path}" if self.summary_path else ""
        logger.info("%s%s", verdict(summary).splitlines()[0], where)

    def on_quitting(self, environment: Any, **_: Any) -> None:
        """Judge the run; Locust exits with ``process_exit_code``."""
        summary = self.judge(environment)
        environment.process_exit_code = 0 if summary.passed else 1
        for problem in summary.breaches:
            logger.error("SLO gate: %s", problem)

    def on_quit(self, **_: Any) -> None:
        """Print the table last, after Locust's own statistics."""
        if self.summary is not None:
            print("\n" + report(self.summary), flush=True)
