"""What the pods target shows of a sizing and of a pod killed under load; no pod runs here."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from deployment_targets import pods
from deployment_targets.pods import PodKill, PodSizing
from kubernetes_deployment.pod_resources import Resources
from kubernetes_deployment.podman import PodContainer
from reliability.pairing import Pairing
from reliability.pod_faults import PodKillResult

KILLED_AT = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
PAIRING = Pairing(
    sent=10_000, succeeded=9_990, requested_records=9_990, created_records=9_990,
    failures_by_error={}, succeeded_without_record=2, records_without_success=0,
    requested_not_created=0, duplicate_records=0,
)  # fmt: skip


def kill_result(**changes: object) -> PodKillResult:
    fields = {
        "pod": "pod-0", "pods": 2, "killed_at": KILLED_AT.timestamp(), "requests": 10_000,
        "failures": 10, "errors_per_10k": 10.0, "failures_by_error": {"reset": 10},
        "restarts": 1, "ready_again_s": 2.0, "rps_before": 1_500, "rps_lowest": 700,
        "rps_after": 1_450, "pairing": PAIRING,
    }  # fmt: skip
    return PodKillResult.model_validate(fields | changes)


def test_a_sizing_table_names_each_setting_in_a_column_of_its_own() -> None:
    manifest = Resources(600, 1000, 160, 320, 117)
    run = Resources(400, 1000, 48, 128, 175)
    table = PodSizing(manifest, run, []).table()
    assert list(table.columns) == ["setting", "in the manifest", "from this run"]
    row = table.set_index("setting").loc["memory limit"]
    assert (row["in the manifest"], row["from this run"]) == ("320Mi", "128Mi")


def test_a_pod_kill_says_in_its_alt_text_what_the_chart_shows() -> None:
    kill = PodKill(kill_result(), Path("reports"))
    alt = kill.alt_text()
    assert "1,500 req/s before the kill, down to 700" in alt
    assert "10 failures" in alt
    assert "ready again 2.0 s later" in alt
    assert "never ready again" in PodKill(kill_result(ready_again_s=None), Path("r")).alt_text()
    assert list(kill.table().columns) == ["measure", "value"]


def created(after_s: float) -> dict[str, str]:
    moment = KILLED_AT + timedelta(seconds=after_s)
    return {"message": "Prediction created", "timestamp": moment.isoformat()}


def test_the_rates_are_read_from_each_pods_own_log(monkeypatch: pytest.MonkeyPatch) -> None:
    containers = [
        PodContainer(f"pod-{i}", f"pod-{i}-service", "running", 0, "", 1, "") for i in (0, 1)
    ]
    logs = {
        "pod-0-service": [created(-2.5 + 0.01 * i) for i in range(250)],  # 100 a second, killed
        "pod-1-service": [created(-2.5 + 0.01 * i) for i in range(250)]
        + [created(0.005 * i) for i in range(400)],  # 200 a second for the 2 s it was alone
    }
    monkeypatch.setattr(pods.podman, "pod_containers", lambda: containers)
    monkeypatch.setattr(pods.podman, "container_records", lambda name, since=None: logs[name])
    rates = PodKill(kill_result(), Path("reports")).rates()
    assert rates is not None
    assert rates.per_pod_before == pytest.approx(250 / 3)  # the 3 s window before the kill
    assert rates.survivors_while_down == pytest.approx(200)
