"""The drift CronJob tells a verdict from a failure: fetch-logs.sh reads the Running pods only,
against a fake kubectl; the Job's failure policy reads the exit codes the drift monitor gives."""

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift_monitor.__main__ import COULD_NOT_JUDGE_EXIT, DRIFT_EXIT
from kubernetes_deployment.manifests import (
    KUBERNETES_DIR,
    NAMESPACE,
    OVERLAYS_DIR,
    SELECTOR,
    documents,
    render,
    validation_errors,
)
from support.fake_tools import fake_tool
from support.kubernetes_objects import one

COMPONENT = KUBERNETES_DIR / "components" / "monitoring"
SCRIPT = COMPONENT / "fetch-logs.sh"
KUBECTL_FAILED = 3  # fetch-logs.sh's fault: neither a verdict nor "could not judge"
SERVICE_CONTAINER = "service"  # base/deployment.yaml's


@pytest.fixture(scope="module")
def monitoring() -> list[dict[str, Any]]:
    return documents(render(OVERLAYS_DIR / "minikube-monitoring"))


def job_spec(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return one(objects, "CronJob", "drift-monitor")["spec"]["jobTemplate"]["spec"]


def pod_spec(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return job_spec(objects)["template"]["spec"]


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def mounted_volume(pod: dict[str, Any], container: dict[str, Any], path: str) -> dict[str, Any]:
    """The volume ``container`` mounts at ``path``."""
    [mount] = [m for m in container["volumeMounts"] if m["mountPath"] == path]
    [volume] = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    return volume


# fetch-logs.sh against a fake kubectl


def fake_kubectl(bin_dir: Path, calls: Path, pods: dict[str, str], failing: str = "") -> None:
    """A kubectl that knows ``pods`` (name -> phase), logs two lines a pod, and fails (exit 1)
    on any call that contains ``failing``."""
    running = "".join(f"{name}\\n" for name, phase in pods.items() if phase == "Running")
    others = "".join(f"{name} ({phase})\\n" for name, phase in pods.items() if phase != "Running")
    failure = f'case "$*" in *"{failing}"*) echo "error: the server is gone" >&2; exit 1 ;; esac'
    log = '{"pod": "%s", "n": 1}\\n{"pod": "%s", "n": 2}\\n'
    script = [
        f'printf "%s\\n" "$*" >> {calls}',
        failure if failing else "",
        'case "$*" in',
        f"  *status.phase=Running*) printf '{running}' ;;",
        f"  *status.phase!=Running*) printf '{others}' ;;",
        f'  logs\\ pod/*) pod=${{2#pod/}}; printf \'{log}\' "$pod" "$pod" ;;',
        "esac",
    ]
    fake_tool(bin_dir, "kubectl", "\n".join(script))


def fetch(
    tmp_path: Path, pods: dict[str, str], failing: str = "", **environment: str
) -> tuple[int, str, Path]:
    """Run fetch-logs.sh with a fake kubectl; its exit code, stderr and the file it writes."""
    bin_dir, out = tmp_path / "bin", tmp_path / "logs" / "predictions.jsonl"
    out.parent.mkdir()
    fake_kubectl(bin_dir, tmp_path / "calls", pods, failing)
    variables = {"SELECTOR": SELECTOR, "NAMESPACE": NAMESPACE, "SINCE": "1h"} | environment
    done = subprocess.run(
        ["sh", str(SCRIPT), str(out)],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", **variables},
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    return done.returncode, done.stderr, out


def kubectl_calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "calls").read_text().splitlines()


def test_the_log_of_each_running_pod_is_read(tmp_path: Path) -> None:
    code, err, out = fetch(tmp_path, {"pod-a": "Running", "pod-b": "Running"})
    assert code == 0, err
    assert out.read_text().splitlines() == [
        '{"pod": "pod-a", "n": 1}', '{"pod": "pod-a", "n": 2}',
        '{"pod": "pod-b", "n": 1}', '{"pod": "pod-b", "n": 2}',
    ]  # fmt: skip
    assert "read pod-a: 2 lines" in err
    assert "read pod-b: 2 lines" in err
    assert "skipped" not in err
    assert not list(out.parent.glob("*.pod"))  # nothing left beside the file


def test_the_pods_are_listed_by_label_and_phase_and_read_over_the_window(tmp_path: Path) -> None:
    fetch(tmp_path, {"pod-a": "Running"}, SINCE="1h")
    listing, others, logs = kubectl_calls(tmp_path)
    for call in (listing, others):
        assert call.startswith(f"get pods --namespace {NAMESPACE} --selector {SELECTOR} ")
    assert "--field-selector status.phase=Running " in listing
    assert "--field-selector status.phase!=Running " in others
    assert logs == (
        f"logs pod/pod-a --namespace {NAMESPACE} --container {SERVICE_CONTAINER} --since 1h"
    )


def test_a_pod_that_is_not_running_is_skipped_and_named(tmp_path: Path) -> None:
    pods = {"pod-a": "Running", "pod-new": "Pending", "pod-b": "Running"}
    code, err, out = fetch(tmp_path, pods)
    assert code == 0, err
    assert "skipped, not Running: pod-new (Pending)" in err
    assert {line.split('"')[3] for line in out.read_text().splitlines()} == {"pod-a", "pod-b"}
    assert not [call for call in kubectl_calls(tmp_path) if "pod-new" in call]


def test_without_a_running_pod_there_is_nothing_to_judge(tmp_path: Path) -> None:
    code, err, out = fetch(tmp_path, {"pod-a": "Pending", "pod-b": "Failed"})
    assert code == COULD_NOT_JUDGE_EXIT  # as the drift monitor's own: the Job reads them alike
    assert f"no pod of {SELECTOR} in {NAMESPACE} is Running: no log to judge" in err
    assert "skipped, not Running: pod-a (Pending)" in err
    assert "skipped, not Running: pod-b (Failed)" in err
    assert not out.exists()


def test_no_pod_at_all_is_nothing_to_judge_too(tmp_path: Path) -> None:
    code, err, _ = fetch(tmp_path, {})
    assert code == COULD_NOT_JUDGE_EXIT
    assert "is Running: no log to judge" in err


@pytest.mark.parametrize(
    ("failing", "says"),
    [
        ("status.phase=Running", "kubectl get pods failed"),
        ("status.phase!=Running", "kubectl get pods failed"),
        ("logs pod/pod-b", "kubectl logs pod-b failed"),
    ],
)
def test_only_kubectl_failing_is_a_fault_with_its_own_exit_code(
    tmp_path: Path, failing: str, says: str
) -> None:
    code, err, _ = fetch(tmp_path, {"pod-a": "Running", "pod-b": "Running"}, failing=failing)
    assert code == KUBECTL_FAILED
    assert "error: the server is gone" in err  # kubectl's own message
    assert f"error: {says}" in err


@pytest.mark.parametrize("unset", ["SELECTOR", "NAMESPACE", "SINCE"])
def test_a_missing_setting_is_a_usage_error(tmp_path: Path, unset: str) -> None:
    code, err, _ = fetch(tmp_path, {"pod-a": "Running"}, **{unset: ""})
    assert code == COULD_NOT_JUDGE_EXIT
    assert f"error: {unset} is not set" in err
    assert not (tmp_path / "calls").exists()


# The CronJob


def test_the_init_container_runs_the_script_from_its_config_map(
    monitoring: list[dict[str, Any]],
) -> None:
    pod = pod_spec(monitoring)
    [fetch_logs] = pod["initContainers"]
    shell, script, out = fetch_logs["command"]
    assert shell == "/bin/sh"
    folder, name = script.rsplit("/", 1)
    volume = mounted_volume(pod, fetch_logs, folder)
    config_map = one(monitoring, "ConfigMap", "drift-fetch-logs")
    assert volume["configMap"]["name"] == config_map["metadata"]["name"]
    assert config_map["data"][name] == SCRIPT.read_text()
    [drift] = pod["containers"]
    assert option(drift["command"], "--logs") == out


def test_the_script_reads_the_service_s_pods_in_the_job_s_own_namespace(
    monitoring: list[dict[str, Any]],
) -> None:
    [fetch_logs] = pod_spec(monitoring)["initContainers"]
    env = {variable["name"]: variable for variable in fetch_logs["env"]}
    assert env["SELECTOR"]["value"] == SELECTOR
    assert env["NAMESPACE"]["valueFrom"] == {"fieldRef": {"fieldPath": "metadata.namespace"}}
    assert one(monitoring, "CronJob", "drift-monitor")["metadata"]["namespace"] == NAMESPACE
    assert env["SINCE"]["value"] == "1h"  # the hourly schedule's period


def test_the_selector_is_written_as_in_the_base_kustomization() -> None:
    """drift-cronjob.yaml writes it as it is; its home is kubernetes/base."""
    written = yaml.safe_load_all((COMPONENT / "drift-cronjob.yaml").read_text())
    [cron] = [item for item in written if item["kind"] == "CronJob"]
    [fetch_logs] = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]["initContainers"]
    assert {"name": "SELECTOR", "value": SELECTOR} in fetch_logs["env"]


def test_drift_and_could_not_judge_fail_the_job_by_rules_of_their_own(
    monitoring: list[dict[str, Any]],
) -> None:
    """The manifest's comment names them by index: drift is rule 0, could not judge rule 1."""
    spec = job_spec(monitoring)
    drift_rule, no_verdict_rule, *_ = spec["podFailurePolicy"]["rules"]
    assert drift_rule == {
        "action": "FailJob",
        "onExitCodes": {"containerName": "drift-monitor", "operator": "In", "values": [DRIFT_EXIT]},
    }
    assert no_verdict_rule == {
        "action": "FailJob",
        "onExitCodes": {"operator": "In", "values": [COULD_NOT_JUDGE_EXIT]},  # either container
    }
    comment = (COMPONENT / "drift-cronjob.yaml").read_text()
    assert f"exit code {DRIFT_EXIT} matching FailJob rule at\n#   index 0" in comment
    assert f"exit code {COULD_NOT_JUDGE_EXIT} matching FailJob rule at index 1" in comment


def test_a_fault_is_tried_again_a_few_times(monitoring: list[dict[str, Any]]) -> None:
    spec = job_spec(monitoring)
    assert 0 < spec["backoffLimit"] <= 3
    assert spec["activeDeadlineSeconds"] > 0
    assert spec["template"]["spec"]["restartPolicy"] == "Never"  # podFailurePolicy needs it
    verdicts = {code for rule in spec["podFailurePolicy"]["rules"]
                for code in rule.get("onExitCodes", {}).get("values", [])}  # fmt: skip
    assert KUBECTL_FAILED not in verdicts  # counted against backoffLimit


def test_each_report_is_kept_on_a_claim_of_its_own(monitoring: list[dict[str, Any]]) -> None:
    pod = pod_spec(monitoring)
    [drift] = pod["containers"]
    folder = option(drift["command"], "--report-dir")
    claim_name = mounted_volume(pod, drift, folder)["persistentVolumeClaim"]["claimName"]
    claim = one(monitoring, "PersistentVolumeClaim", claim_name)
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    assert claim["spec"]["resources"]["requests"]["storage"]
    assert one(monitoring, "CronJob", "drift-monitor")["spec"]["concurrencyPolicy"] == "Forbid"


def test_the_overlay_with_the_drift_job_validates_strictly(
    monitoring: list[dict[str, Any]],
) -> None:
    assert validation_errors(monitoring) == []
