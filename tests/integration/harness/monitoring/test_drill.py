"""The alert drill for real: Prometheus, Alertmanager and the recorder around the local service."""

from pathlib import Path

import pytest

from load_test.run import LoadTest
from monitoring.drill import DrillSettings, run_drill, unrunnable

pytestmark = pytest.mark.slow


def test_a_healthy_service_pages_nobody_and_both_faults_page(tmp_path: Path) -> None:
    if unrunnable():
        pytest.skip(str(unrunnable()))
    load = LoadTest(reports=tmp_path, users=8, spawn_rate=8, duration="15s")
    drill = run_drill(DrillSettings(tmp_path, load, workers=1, timeout_s=45))
    assert drill.healthy_alerts == []
    assert drill.healthy_notifications == []
    for line in drill.timelines:
        assert line.received is not None, line
        assert line.started < line.pending < line.firing <= line.received, line
    assert drill.burst.summary.measurements.failures > 0
