"""The drill's parts that need no Prometheus: its faulty service file, its tables, its skip."""

import shutil

import pytest

from load_test.run import LoadTestResult
from model_service.configuration import load_configuration
from monitoring import drill
from monitoring.alert_receiver import Notification
from monitoring.drill import Drill, Timeline, faulty_config, notification_table, timeline_table
from service_runner.process import ServiceProcess
from system_tools import Skipped


def test_the_faulty_service_file_fails_inside_the_logging_and_loads(tmp_path) -> None:
    path = faulty_config(tmp_path, share=0.25)
    [model] = load_configuration(path).models
    paths = [decorator.class_path for decorator in model.decorators]
    assert paths[-2:] == [drill.FAULT_DECORATOR, "ml_model_logging.decorator.LoggingDecorator"]
    assert model.decorators[-2].kwargs == {"share": 0.25}


def a_drill(received: float | None) -> Drill:
    line = Timeline("the service stopped", "PredictionServiceDown", "page", 100.0, 101.25, 103.0,
                    received)  # fmt: skip
    note = Notification(104.0, "/page", "firing", [
        {"status": "firing", "labels": {"alertname": "PredictionServiceDown"}}])  # fmt: skip
    result = LoadTestResult.__new__(LoadTestResult)
    return Drill(result, [], [], result, [line], [note])


def test_the_timeline_gives_seconds_after_the_fault() -> None:
    table = timeline_table(a_drill(received=104.0))
    assert table.to_dict("records") == [
        {"fault": "the service stopped", "alert": "PredictionServiceDown",
         "condition met (s)": 1.2, "fired (s)": 3.0, "at the pager (s)": 4.0}
    ]  # fmt: skip
    assert timeline_table(a_drill(received=None)).iloc[0]["at the pager (s)"] is None


def test_the_notifications_say_when_where_and_what() -> None:
    table = notification_table(a_drill(104.0))
    assert list(table.index) == ["+4.0 s"]
    assert table.reset_index().to_dict("records") == [
        {
            "received (from the first t0)": "+4.0 s",
            "receiver": "page",
            "status": "firing",
            "alerts": "PredictionServiceDown",
        }
    ]


def test_without_alertmanager_the_drill_says_it_is_skipped_and_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = shutil.which
    monkeypatch.setattr(
        shutil,
        "which",
        lambda cmd, **kw: None if cmd == "prometheus-alertmanager" else real(cmd, **kw),
    )
    if drill.missing("prometheus"):
        pytest.skip("prometheus is missing too")
    skipped = drill.unrunnable()
    assert isinstance(skipped, Skipped)
    assert "install the Debian package `prometheus-alertmanager`" in skipped.why


def test_the_bad_release_s_t0_is_its_first_failed_prediction(tmp_path) -> None:
    log = tmp_path / "failing.log"
    log.write_text(
        '{"message": "Prediction created", "timestamp": "2026-01-01T00:00:00+00:00"}\n'
        '{"message": "Prediction failed", "error_type": "InjectedFaultError",'
        ' "timestamp": "2026-01-01T00:00:02.5+00:00"}\n'
    )
    service = ServiceProcess(tmp_path / "config.yaml", log)
    assert drill.first_failure(service) == 1767225602.5


def test_a_bad_release_that_failed_nothing_is_an_error(tmp_path) -> None:
    log = tmp_path / "failing.log"
    log.write_text('{"message": "Prediction created", "timestamp": "2026-01-01T00:00:00+00:00"}\n')
    with pytest.raises(drill.DrillError, match="failed no prediction"):
        drill.first_failure(ServiceProcess(tmp_path / "config.yaml", log))


def test_the_tables_of_a_drill_that_could_not_run_say_why() -> None:
    skipped = Skipped("the alert drill", "prometheus-alertmanager is not installed")
    assert timeline_table(skipped) is skipped
    assert notification_table(skipped) is skipped
