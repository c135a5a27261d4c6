"""Command line: drift of the logged inputs and predictions against the training baseline.

python -m drift_monitor --logs FILE|- --baseline BASELINE.json --thresholds DRIFT.yaml
    [--report REPORT.json]

Prints a table of the features and their verdicts, and the lines it could not use. Exits 1 when
a feature drifts, 0 otherwise (also when there is not enough data for a verdict, which it says),
and 2 for a usage error or a file it cannot read.
"""

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from common.yaml_files import ConfigurationError
from drift_monitor.baseline import BaselineError, file_sha256, load_baseline
from drift_monitor.records import STDIN, open_logs
from drift_monitor.report import DriftReport, ThresholdsError, monitor, render
from drift_monitor.statistics import DRIFT
from drift_monitor.thresholds import load_thresholds

PROG = "python -m drift_monitor"
NO_DRIFT_EXIT, DRIFT_EXIT, ERROR_EXIT = 0, 1, 2


class LogsError(Exception):
    """The logs cannot be read."""


class ReportError(Exception):
    """The report cannot be written."""


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument(
        "--logs", required=True, help="the service's JSON log lines: a file, or - for stdin"
    )
    parser.add_argument(
        "--baseline", required=True, type=Path, help="the baseline training wrote (baseline.json)"
    )
    parser.add_argument(
        "--thresholds", required=True, type=Path, help="the thresholds file (drift.yaml)"
    )
    parser.add_argument("--report", type=Path, help="where to write the JSON report")
    return parser.parse_args(argv)


@contextlib.contextmanager
def logs_stream(logs: str) -> Iterator[TextIO]:
    """The logs, open; standard input is left open for whoever owns it."""
    try:
        stream = open_logs(logs)
    except OSError as error:
        raise LogsError(f"cannot read the logs {logs}: {error.strerror or error}") from error
    with contextlib.nullcontext(stream) if logs == STDIN else stream:
        yield stream


def run(logs: str, baseline_path: Path, thresholds_path: Path) -> DriftReport:
    """The report on ``logs``; BaselineError, ConfigurationError, ThresholdsError or LogsError
    when a file is missing or wrong."""
    baseline = load_baseline(baseline_path)
    thresholds = load_thresholds(thresholds_path)
    try:
        with logs_stream(logs) as stream:
            report = monitor(stream, baseline, thresholds)
    except ThresholdsError as error:
        raise ThresholdsError(f"{thresholds_path}: {error}") from error
    except OSError as error:
        raise LogsError(f"cannot read the logs {logs}: {error}") from error
    return report.model_copy(
        update={"baseline_file": str(baseline_path), "baseline_sha256": file_sha256(baseline_path)}
    )


def write_report(report: DriftReport, path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(report.model_dump_json(indent=2) + "\n")
    except OSError as error:
        raise ReportError(f"cannot write the report {path}: {error}") from error


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        report = run(arguments.logs, arguments.baseline, arguments.thresholds)
        print(render(report))
        if arguments.report:
            write_report(report, arguments.report)
            print(f"report: {arguments.report}")
    except (BaselineError, ConfigurationError, ThresholdsError, LogsError, ReportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return ERROR_EXIT
    return DRIFT_EXIT if report.verdict == DRIFT else NO_DRIFT_EXIT


if __name__ == "__main__":
    sys.exit(main())
