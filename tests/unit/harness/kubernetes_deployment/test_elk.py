"""The ELK component as rendered: Filebeat ships the logs to one data stream, a Job makes the
Kibana data view for it, and the Job's script treats a data view that exists as made."""

import re
import subprocess
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubernetes_deployment.manifests import (
    KIBANA_PORT,
    KIBANA_SERVICE,
    OVERLAYS_DIR,
    documents,
    render,
    validation_errors,
)
from support.fake_tools import fake_tool
from support.kubernetes_objects import one

ELK_DIR = OVERLAYS_DIR.parent / "components" / "elk"
SCRIPT = ELK_DIR / "create-data-view.sh"
FILEBEAT_HOME = "/usr/share/filebeat"
CONTAINER_LOGS = "/var/log/containers/"
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job")  # the kinds with a pod template
RUNTIME_DEFAULT = {"type": "RuntimeDefault"}


@pytest.fixture(scope="module")
def elk() -> list[dict[str, Any]]:
    return documents(render(OVERLAYS_DIR / "minikube-elk"))


def setting(settings: dict[str, Any], dotted: str) -> Any:
    """A Filebeat setting, however its dotted name is split into keys (``a.b: {c: 1}`` too)."""
    if dotted in settings:
        return settings[dotted]
    parts = dotted.split(".")
    for cut in range(1, len(parts)):
        nested = settings.get(".".join(parts[:cut]))
        if (
            isinstance(nested, dict)
            and (found := setting(nested, ".".join(parts[cut:]))) is not None
        ):
            return found
    return None


def filebeat_settings(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return yaml.safe_load(one(objects, "ConfigMap", "filebeat-config")["data"]["filebeat.yml"])


def test_every_filestream_input_on_the_container_logs_follows_symlinks(
    elk: list[dict[str, Any]],
) -> None:
    inputs = [
        item
        for item in filebeat_settings(elk)["filebeat.inputs"]
        if item["type"] == "filestream"
        and any(path.startswith(CONTAINER_LOGS) for path in item["paths"])
    ]
    assert inputs, "no filestream input reads the container logs"
    for item in inputs:
        assert setting(item, "prospector.scanner.symlinks") is True, item["id"]


def test_filebeat_ships_to_one_data_stream(elk: list[dict[str, Any]]) -> None:
    settings = filebeat_settings(elk)
    index = setting(settings, "output.elasticsearch.index")
    assert index == "prediction-logs"  # no date in it: one data stream, not an index a day
    assert setting(settings, "setup.template.name") == index
    assert setting(settings, "setup.template.pattern") == index
    assert setting(settings, "setup.ilm.enabled") is False  # ILM would ignore name and pattern


def test_filebeat_writes_only_to_volumes_of_its_own(elk: list[dict[str, Any]]) -> None:
    pod = one(elk, "DaemonSet", "filebeat")["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    mounts = {mount["mountPath"]: mount for mount in container["volumeMounts"]}
    for written in (f"{FILEBEAT_HOME}/logs", f"{FILEBEAT_HOME}/data"):
        assert not mounts[written].get("readOnly"), written
    assert "emptyDir" in volumes[mounts[f"{FILEBEAT_HOME}/logs"]["name"]]


def pod_templates(objects: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Each workload's pod spec, by ``Kind/name``."""
    return {
        f"{item['kind']}/{item['metadata']['name']}": item["spec"]["template"]["spec"]
        for item in objects
        if item["kind"] in WORKLOADS
    }


def seccomp_profile(pod: dict[str, Any], container: dict[str, Any]) -> Any:
    """The container's seccomp profile: its own, else the pod's (the container's wins)."""
    own = container.get("securityContext", {}).get("seccompProfile")
    return own or pod.get("securityContext", {}).get("seccompProfile")


def test_every_pod_runs_under_the_runtime_s_seccomp_profile(elk: list[dict[str, Any]]) -> None:
    pods = pod_templates(elk)
    assert {"DaemonSet/filebeat", "Deployment/kibana", "StatefulSet/elasticsearch"} <= set(pods)
    unfiltered = [
        f"{workload}: {container['name']}"
        for workload, pod in pods.items()
        for container in [*pod.get("initContainers", []), *pod["containers"]]
        if seccomp_profile(pod, container) != RUNTIME_DEFAULT
    ]
    assert unfiltered == []


def test_the_elk_overlay_validates_strictly(elk: list[dict[str, Any]]) -> None:
    assert validation_errors(elk) == []


def test_the_data_view_job_runs_only_with_elk(elk: list[dict[str, Any]]) -> None:
    light = documents(render(OVERLAYS_DIR / "minikube"))
    assert not [item for item in light if item["kind"] == "Job"]
    assert one(elk, "Job", "kibana-data-view")


def test_the_data_view_job_is_bounded_hardened_and_pinned(elk: list[dict[str, Any]]) -> None:
    spec = one(elk, "Job", "kibana-data-view")["spec"]
    assert 0 < spec["backoffLimit"] <= 6
    assert spec["activeDeadlineSeconds"] > 0
    assert spec["ttlSecondsAfterFinished"] > 0
    pod = spec["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    [container] = pod["containers"]
    assert re.fullmatch(r"curlimages/curl:\d+\.\d+\.\d+", container["image"])
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    for bound in ("requests", "limits"):
        assert set(container["resources"][bound]) == {"cpu", "memory"}


def test_the_job_runs_the_script_against_the_kibana_service(elk: list[dict[str, Any]]) -> None:
    pod = one(elk, "Job", "kibana-data-view")["spec"]["template"]["spec"]
    [container] = pod["containers"]
    [mount] = container["volumeMounts"]
    [volume] = [volume for volume in pod["volumes"] if volume["name"] == mount["name"]]
    config_map = one(elk, "ConfigMap", "kibana-data-view")
    assert volume["configMap"]["name"] == config_map["metadata"]["name"]
    assert config_map["data"][SCRIPT.name] == SCRIPT.read_text()
    assert container["command"][-1] == f"{mount['mountPath']}/{SCRIPT.name}"
    variables = {variable["name"]: variable["value"] for variable in container["env"]}
    assert variables["KIBANA_URL"] == f"http://{KIBANA_SERVICE}:{KIBANA_PORT}"
    kibana = one(elk, "Service", KIBANA_SERVICE)
    assert KIBANA_PORT in [port["port"] for port in kibana["spec"]["ports"]]


def test_the_data_view_covers_filebeat_s_data_stream(elk: list[dict[str, Any]]) -> None:
    body = re.search(r"^DATA_VIEW='(.*)'$", SCRIPT.read_text(), re.MULTILINE)
    assert body is not None
    data_view = yaml.safe_load(body[1])["data_view"]
    assert fnmatch(
        setting(filebeat_settings(elk), "output.elasticsearch.index"), data_view["title"]
    )
    assert data_view["timeFieldName"] == "@timestamp"
    assert data_view["name"]


def run_script(tmp_path: Path, exists: bool, status: int, body: str = "{}") -> tuple[int, str]:
    """The script against a fake curl (Kibana answers after one refusal); exit code and output.

    The fake records every curl call in ``tmp_path/calls``; a fake sleep records each wait.
    """
    calls, bin_dir = tmp_path / "calls", tmp_path / "bin"
    fake_tool(
        bin_dir,
        "curl",
        f'echo "curl $*" >> {calls}\n'
        'case "$*" in\n'
        f"  *api/status*) [ -f {tmp_path}/ready ] && exit 0; touch {tmp_path}/ready; exit 7 ;;\n"
        f"  *--request\\ POST*) printf '%s\\n%s' '{body}' {status} ;;\n"
        f"  *api/data_views/data_view/*) exit {0 if exists else 22} ;;\n"
        "esac",
    )
    fake_tool(bin_dir, "sleep", f'echo "sleep $*" >> {calls}')
    done = subprocess.run(
        ["sh", str(SCRIPT)],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "KIBANA_URL": "http://kibana:5601"},
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    return done.returncode, done.stdout + done.stderr


def curl_calls(tmp_path: Path) -> list[str]:
    return (tmp_path / "calls").read_text().splitlines()


def test_the_script_waits_for_kibana_then_posts_the_data_view(tmp_path: Path) -> None:
    code, output = run_script(tmp_path, exists=False, status=200)
    assert (code, output.splitlines()[-1]) == (0, "created the data view prediction-logs")
    calls = curl_calls(tmp_path)
    assert calls[0].endswith("http://kibana:5601/api/status")
    assert calls[1] == "sleep 10"
    [post] = [call for call in calls if "--request POST" in call]
    assert "--header kbn-xsrf: true" in post
    assert post.endswith("http://kibana:5601/api/data_views/data_view")
    assert '"title": "prediction-logs*"' in post


def test_the_script_leaves_a_data_view_that_exists(tmp_path: Path) -> None:
    code, output = run_script(tmp_path, exists=True, status=500)
    assert (code, output.splitlines()[-1]) == (0, "the data view prediction-logs exists already")
    assert not [call for call in curl_calls(tmp_path) if "--request POST" in call]


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (409, '{"statusCode":409,"error":"Conflict"}'),
        (400, '{"statusCode":400,"message":"Duplicate data view: prediction-logs*"}'),
        (
            400,
            '{"statusCode":400,"message":"Saved object [index-pattern/prediction-logs] conflict"}',
        ),
    ],
)
def test_already_exists_as_kibana_says_it_is_success(
    tmp_path: Path, status: int, body: str
) -> None:
    code, output = run_script(tmp_path, exists=False, status=status, body=body)
    assert (code, output.splitlines()[-1]) == (0, "the data view prediction-logs exists already")


def test_any_other_refusal_fails_the_job_saying_what_kibana_said(tmp_path: Path) -> None:
    body = '{"statusCode":400,"message":"[request body.data_view.title]: expected a string"}'
    code, output = run_script(tmp_path, exists=False, status=400, body=body)
    assert code == 1
    assert "error: Kibana refused the data view (HTTP 400)" in output
    assert "expected a string" in output
