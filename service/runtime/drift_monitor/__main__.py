"""Command line: drift of the logged inputs and predictions against the training baseline.

python -m drift_monitor --logs FILE|- --baseline BASELINE.json --thresholds DRIFT.yaml
    [--report REPORT.json] [--report-dir DIR]

Prints a table of the features and their verdicts, the lines it could not use, and the time the
records used cover. ``--report`` writes the JSON report to a file; ``--report-dir`` keeps one for
each run, named by the time it was made, and a copy of the newest as ``latest.json``.

The exit status is the verdict:

- 0: no drift;
- 1: drift, in at least one feature;
- 2: could not judge: no feature had enough records for a verdict (empty logs, no valid
  record), a usage error, or a file it cannot read or write (logs, baseline, thresholds, report).
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
from drift_monitor.statistics import DRIFT, NO_DRIFT, NOT_ENOUGH_DATA
from drift_monitor.thresholds import load_thresholds

PROG = "python -m drift_monitor"
NO_DRIFT_EXIT, DRIFT_EXIT, COULD_NOT_JUDGE_EXIT = 0, 1, 2  # argparse's usage error is 2 too
VERDICT_EXITS = {NO_DRIFT: NO_DRIFT_EXIT, DRIFT: DRIFT_EXIT, NOT_ENOUGH_DATA: COULD_NOT_JUDGE_EXIT}
LATEST_REPORT = "latest.json"


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
    parser.add_argument(
        "--report-dir",
        type=Path,
        help=f"a folder that keeps the reports, named by time, the newest also as {LATEST_REPORT}",
    )
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


def write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a file beside it: no reader sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text)
    partial.replace(path)


def write_report(report: DriftReport, path: Path) -> None:
    try:
        write_whole(path, report.model_dump_json(indent=2) + "\n")
    except OSError as error:
        raise ReportError(f"cannot write the report {path}: {error}") from error


def report_name(report: DriftReport) -> str:
    """The report's file name in a report folder: the time it was made, UTC, in ISO 8601."""
    return f"drift-{report.created_at:%Y%m%dT%H%M%SZ}.json"


def keep_report(report: DriftReport, folder: Path) -> Path:
    """The report in ``folder``, named by its time, and copied as the latest; where it went."""
    path = folder / report_name(report)
    write_report(report, path)
    write_report(report, folder / LATEST_REPORT)
    return path


def save(report: DriftReport, path: Path | None, folder: Path | None) -> list[Path]:
    """Write the report where the options say; the files written, the latest copy aside."""
    written = []
    if path:
        write_report(report, path)
        written.append(path)
    if folder:
        written.append(keep_report(report, folder))
    return written


def main(argv: list[str] | None = None) -> int:
    """Exit 0 for no drift, 1 for drift, 2 when it could not judge (see the module's docstring)."""
    arguments = parse_arguments(argv)
    try:
        report = run(arguments.logs, arguments.baseline, arguments.thresholds)
        print(render(report))
        for path in save(report, arguments.report, arguments.report_dir):
            print(f"report: {path}")
    except (BaselineError, ConfigurationError, ThresholdsError, LogsError, ReportError) as error:
        print(f"error: {error}", file=sys.stderr)
        return COULD_NOT_JUDGE_EXIT
    return VERDICT_EXITS[report.verdict]


if __name__ == "__main__":
    sys.exit(main())
