"""The command line: ``python -m drift_monitor`` (``__main__.py``), its output, report and exits."""

import hashlib
import io
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from common.paths import CONFIGURATION_DIR
from drift_monitor.__main__ import LATEST_REPORT, keep_report, main
from drift_monitor.baseline import BASELINE_NAME, METRICS_NAME, SHA256_FIELD, save_baseline
from drift_monitor.report import DriftReport
from support.drift_logs import PREDICTION, customers, log_lines, record, requested, toy_baseline

THRESHOLDS_FILE = CONFIGURATION_DIR / "drift.yaml"


@pytest.fixture
def baseline_file(tmp_path: Path) -> Path:
    """A baseline with the metrics.json training writes beside it."""
    path = tmp_path / "models" / BASELINE_NAME
    sha256 = save_baseline(toy_baseline(), path)
    (path.parent / METRICS_NAME).write_text(json.dumps({SHA256_FIELD: sha256}))
    return path


def logs(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "service.log"
    path.write_text("\n".join(lines) + "\n")
    return path


def arguments(logs: Path | str, baseline: Path, *more: str) -> list[str]:
    return [
        "--logs",
        str(logs),
        "--baseline",
        str(baseline),
        "--thresholds",
        str(THRESHOLDS_FILE),
        *more,
    ]


def test_no_drift_exits_0_prints_the_table_and_writes_the_report(
    tmp_path: Path, baseline_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_path = tmp_path / "reports" / "drift" / "report.json"
    log = logs(tmp_path, log_lines(customers(seed=1)))
    assert main(arguments(log, baseline_file, "--report", str(report_path))) == 0
    out = capsys.readouterr().out
    assert "feature        records      PSI   p-value  verdict" in out
    assert "verdict: no drift" in out
    assert "logged: 2025-01-01 00:00:00 to 2025-01-01 00:00:00 UTC, 0 s" in out
    assert f"report: {report_path}" in out
    report = DriftReport.model_validate_json(report_path.read_text())
    assert (report.verdict, report.drifted, report.baseline_file) == (
        "no drift",
        [],
        str(baseline_file),
    )
    assert (
        report.baseline_sha256
        == json.loads((baseline_file.parent / METRICS_NAME).read_text())[SHA256_FIELD]
    )
    assert report.thresholds.min_records == 500
    assert json.loads(report_path.read_text())["period"] == {
        "first": "2025-01-01T00:00:00Z",
        "last": "2025-01-01T00:00:00Z",
        "seconds": 0.0,
    }


def test_drift_exits_1_and_names_the_features(
    tmp_path: Path, baseline_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = logs(tmp_path, log_lines(customers(seed=1, age_shift=10)))
    report_path = tmp_path / "report.json"
    assert main(arguments(log, baseline_file, "--report", str(report_path))) == 1
    assert f"verdict: drift in age, {PREDICTION}" in capsys.readouterr().out
    assert json.loads(report_path.read_text())["drifted"] == ["age", PREDICTION]


OTHER_MODEL_LINES = [requested({"age": 30}, model="another_model")] * 600


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(log_lines(customers(rows=50, age_shift=30)), id="too few records"),
        pytest.param([], id="empty logs"),
        pytest.param(["not json", "{broken", record("Startup")], id="no valid record"),
        pytest.param(OTHER_MODEL_LINES, id="only another model's records"),
    ],
)
def test_could_not_judge_exits_2_and_says_why(
    tmp_path: Path, baseline_file: Path, capsys: pytest.CaptureFixture[str], lines: list[str]
) -> None:
    report_path = tmp_path / "report.json"
    argv = arguments(logs(tmp_path, lines), baseline_file, "--report", str(report_path))
    assert main(argv) == 2
    assert "verdict: not enough data: no feature has enough records" in capsys.readouterr().out
    assert json.loads(report_path.read_text())["verdict"] == "not enough data"


def test_the_logs_can_come_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, baseline_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = log_lines(customers(seed=1, smokers=0.5))
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines)))
    assert main(arguments("-", baseline_file)) == 1
    assert f"verdict: drift in smoker, {PREDICTION}" in capsys.readouterr().out


def test_the_module_runs_as_a_command(tmp_path: Path, baseline_file: Path) -> None:
    log = logs(tmp_path, log_lines(customers(seed=1, age_shift=10)))
    done = subprocess.run(
        [sys.executable, "-m", "drift_monitor", *arguments(log, baseline_file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "verdict: drift in age" in done.stdout


def error_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


def test_a_missing_log_file_exits_2(
    tmp_path: Path, baseline_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = error_of(arguments(tmp_path / "absent.log", baseline_file), capsys)
    assert f"error: cannot read the logs {tmp_path / 'absent.log'}: No such file" in err


def test_a_folder_as_the_logs_exits_2(
    tmp_path: Path, baseline_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "error: cannot read the logs" in error_of(arguments(tmp_path, baseline_file), capsys)


def test_a_missing_baseline_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = logs(tmp_path, [])
    err = error_of(arguments(log, tmp_path / BASELINE_NAME), capsys)
    assert "error: No baseline at" in err
    assert "make train" in err


def test_an_altered_baseline_exits_2(
    tmp_path: Path, baseline_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recorded = json.loads((baseline_file.parent / METRICS_NAME).read_text())[SHA256_FIELD]
    baseline_file.write_text(baseline_file.read_text().replace('"rows": 2000', '"rows": 2001'))
    found = hashlib.sha256(baseline_file.read_bytes()).hexdigest()
    err = error_of(arguments(logs(tmp_path, []), baseline_file), capsys)
    assert f"error: Refusing {baseline_file}: its sha256 is {found}, but" in err
    assert f"records {recorded}" in err


def test_wrong_thresholds_exit_2_naming_the_file_and_field(
    tmp_path: Path, baseline_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    thresholds = tmp_path / "drift.yaml"
    thresholds.write_text("psi: 0.2\np_value: 0.01\nmin_records: many\n")
    argv = arguments(logs(tmp_path, []), baseline_file)
    argv[argv.index("--thresholds") + 1] = str(thresholds)
    err = error_of(argv, capsys)
    assert f"{thresholds} is not a valid drift thresholds file" in err
    assert "min_records: Input should be a valid integer" in err


def test_thresholds_for_unknown_features_exit_2(
    tmp_path: Path, baseline_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    thresholds = tmp_path / "drift.yaml"
    thresholds.write_text("psi: 0.2\np_value: 0.01\nmin_records: 5\nfeatures: {bmi: {psi: 0.3}}\n")
    argv = arguments(logs(tmp_path, []), baseline_file)
    argv[argv.index("--thresholds") + 1] = str(thresholds)
    err = error_of(argv, capsys)
    assert f"error: {thresholds}: the thresholds name features the baseline does not have" in err


def test_a_report_that_cannot_be_written_exits_2(
    tmp_path: Path, baseline_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = logs(tmp_path, log_lines(customers(rows=10)))
    blocked = log / "report.json"  # under a file, not a folder
    assert main(arguments(log, baseline_file, "--report", str(blocked))) == 2
    assert f"error: cannot write the report {blocked}" in capsys.readouterr().err


@pytest.mark.parametrize("missing", ["--logs", "--baseline", "--thresholds"])
def test_a_missing_option_is_a_usage_error(
    tmp_path: Path, baseline_file: Path, missing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = arguments(tmp_path / "service.log", baseline_file)
    index = argv.index(missing)
    del argv[index : index + 2]
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert f"the following arguments are required: {missing}" in capsys.readouterr().err


def test_a_report_folder_keeps_every_run_by_its_time_and_the_latest(
    tmp_path: Path, baseline_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "reports"
    log = logs(tmp_path, log_lines(customers(seed=1, age_shift=10)))
    assert main(arguments(log, baseline_file, "--report-dir", str(folder))) == 1
    [kept] = sorted(folder.glob("drift-*.json"))
    assert f"report: {kept}" in capsys.readouterr().out
    report = DriftReport.model_validate_json(kept.read_text())
    assert kept.name == f"drift-{report.created_at:%Y%m%dT%H%M%SZ}.json"
    assert (folder / LATEST_REPORT).read_text() == kept.read_text()
    assert {path.name for path in folder.iterdir()} == {LATEST_REPORT, kept.name}


def test_runs_do_not_overwrite_each_other_and_latest_is_the_newest(
    tmp_path: Path, baseline_file: Path
) -> None:
    log = logs(tmp_path, log_lines(customers(rows=10)))
    assert main(arguments(log, baseline_file, "--report", str(tmp_path / "one.json"))) == 2
    first = DriftReport.model_validate_json((tmp_path / "one.json").read_text())
    hours = [datetime(2025, 3, 1, hour, 5, tzinfo=UTC) for hour in (10, 11)]
    for moment in hours:
        keep_report(first.model_copy(update={"created_at": moment}), tmp_path / "reports")
    kept = sorted(path.name for path in (tmp_path / "reports").glob("drift-*.json"))
    assert kept == ["drift-20250301T100500Z.json", "drift-20250301T110500Z.json"]
    latest = DriftReport.model_validate_json((tmp_path / "reports" / LATEST_REPORT).read_text())
    assert latest.created_at == hours[-1]


def test_a_report_folder_that_cannot_be_written_exits_2(
    tmp_path: Path, baseline_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = logs(tmp_path, log_lines(customers(seed=1)))
    argv = arguments(log, baseline_file, "--report-dir", str(log / "reports"))
    assert main(argv) == 2
    assert "error: cannot write the report" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("lines", "status"),
    [
        pytest.param(log_lines(customers(seed=1)), 0, id="no drift"),
        pytest.param(log_lines(customers(seed=1, age_shift=10)), 1, id="drift"),
        pytest.param([], 2, id="could not judge"),
    ],
)
def test_the_command_s_exit_status_is_the_verdict(
    tmp_path: Path, baseline_file: Path, lines: list[str], status: int
) -> None:
    """What the drift CronJob's failure policy reads: 0, 1 or 2 from the process itself."""
    done = subprocess.run(
        [sys.executable, "-m", "drift_monitor", *arguments(logs(tmp_path, lines), baseline_file)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == status, done.stdout + done.stderr
