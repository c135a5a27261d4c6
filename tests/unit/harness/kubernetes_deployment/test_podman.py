"""The podman overlay patches only what it declares; what podman plays, and how the commands fail,
against a fake podman (a shell script first on PATH), never the real one."""

import copy
import dataclasses
import functools
import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kubernetes_deployment import manifests, podman
from kubernetes_deployment.manifests import APP_NAME, SELECTOR, documents, render
from kubernetes_deployment.pod_usage import MIB, Usage, UsageError
from kubernetes_deployment.podman import (
    NOT_EXERCISED,
    PodContainer,
    PodmanError,
    Probes,
    clear_stopped_pods,
    container_records,
    describe_pods,
    enforced_settings,
    leftovers,
    main,
    metrics_line,
    not_played,
    played_objects,
    pod_containers,
    pods_metrics_port,
    require_free_port,
    require_image,
    require_usable_ports,
    set_variable,
    settings_of,
    the_deployment,
    unavailable,
    undeploy,
)
from model_service.configuration import load_configuration
from model_service.routes import METRICS_PATH, READY_PATH, STARTUP_PATH
from service_runner.image_tag import image_tag
from support.fake_tools import fake_tool, first_on_path
from support.hidden_tools import path_without

CONTAINER = "/spec/template/spec/containers/service"
OVERLAY_CHANGES = {
    ("removed", f"{CONTAINER}/env/NODE_NAME/valueFrom"),
    ("added", f"{CONTAINER}/env/NODE_NAME/value"),
    ("added", f"{CONTAINER}/env/PORT"),
    ("added", f"{CONTAINER}/env/REUSE_PORT"),
    ("removed", f"{CONTAINER}/ports"),
    ("changed", f"{CONTAINER}/startupProbe/httpGet/port"),
    ("changed", f"{CONTAINER}/readinessProbe/httpGet/port"),
    ("removed", f"{CONTAINER}/livenessProbe"),
    ("added", "/spec/replicas"),  # the autoscaler's minimum: no autoscaler runs under podman
}
SERVICE_CONTAINER = PodContainer(
    pod="insurance-charges-model-pod-0", name="insurance-charges-model-pod-0-service",
    state="running", restarts=0, started_at="2026-01-01T00:00:00Z", pid=4242,
    cgroup="/machine.slice/libpod-abc.scope",
)  # fmt: skip


@pytest.fixture(scope="module")
def base() -> list[dict[str, Any]]:
    return documents(render(manifests.KUBERNETES_DIR / "base"))


@pytest.fixture(scope="module")
def overlay() -> list[dict[str, Any]]:
    return documents(render(manifests.KUBERNETES_DIR / "overlays" / "podman"))


@pytest.fixture
def objects(overlay: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The overlay's objects, a copy each test may change."""
    return copy.deepcopy(overlay)


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the fake podman records its arguments, one call a line; a catatonit is there too."""
    fake_tool(tmp_path / "bin", "catatonit", "exit 0")
    first_on_path(monkeypatch, tmp_path / "bin")
    return tmp_path / "calls"


def fake_podman(calls: Path, script: str = "") -> None:
    """A podman that records its arguments, then runs ``script`` (exit 0 by default)."""
    fake_tool(calls.parent / "bin", "podman", f'echo "$*" >> {calls}\n{script}\nexit 0')


def recorded(calls: Path) -> list[str]:
    return calls.read_text().splitlines() if calls.exists() else []


def by_name(items: list[Any]) -> dict[str, Any] | None:
    """A list of uniquely named objects (env, containers, volumes) by name; None otherwise."""
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    if None in names or len(set(names)) != len(names):
        return None
    return dict(zip(names, items, strict=True))


def differences(before: Any, after: Any, path: str = "") -> set[tuple[str, str]]:
    """Every path where ``after`` differs from ``before``, as ('added'|'removed'|'changed',
    path); named lists are compared by name, other lists item by item."""
    if isinstance(before, list) and isinstance(after, list):
        named_before, named_after = by_name(before), by_name(after)
        if named_before is not None and named_after is not None:
            before, after = named_before, named_after
        elif len(before) == len(after):
            before, after = dict(enumerate(before)), dict(enumerate(after))
    if isinstance(before, dict) and isinstance(after, dict):
        found = set()
        for key in before.keys() | after.keys():
            where = f"{path}/{key}"
            if key not in after:
                found.add(("removed", where))
            elif key not in before:
                found.add(("added", where))
            else:
                found |= differences(before[key], after[key], where)
        return found
    same = before == after and type(before) is type(after)
    return set() if same else {("changed", path)}


def keyed(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(item["kind"], item["metadata"]["name"]): item for item in objects}


def service_env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container["env"]}


def service_env(deployment: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return service_env_of(podman.service_container(deployment))


def test_the_difference_finds_every_kind_of_change() -> None:
    before = {"a": 1, "env": [{"name": "X", "value": "1"}], "ports": [1, 2], "b": {"c": "8000"}}
    after = {"env": [{"name": "Y"}, {"name": "X", "value": "2"}], "ports": [1, 3], "b": {"c": 8000}}
    assert differences(before, after) == {
        ("removed", "/a"), ("added", "/env/Y"), ("changed", "/env/X/value"),
        ("changed", "/ports/1"), ("changed", "/b/c"),
    }  # fmt: skip


def test_the_overlay_leaves_every_object_but_the_deployment_as_the_base_renders_it(
    base: list[dict[str, Any]], overlay: list[dict[str, Any]]
) -> None:
    before, after = keyed(base), keyed(overlay)
    assert before.keys() == after.keys()
    for key, item in before.items():
        if key[0] != "Deployment":
            assert differences(item, after[key]) == set(), key


def test_the_overlay_changes_in_the_deployment_only_what_its_patches_declare(
    base: list[dict[str, Any]], overlay: list[dict[str, Any]]
) -> None:
    assert differences(the_deployment(base), the_deployment(overlay)) == OVERLAY_CHANGES


def test_the_overlays_values_are_those_its_patches_give(overlay: list[dict[str, Any]]) -> None:
    deployment = the_deployment(overlay)
    env, container = service_env(deployment), podman.service_container(deployment)
    assert env["NODE_NAME"] == {"name": "NODE_NAME", "value": "podman-host"}
    assert env["PORT"] == {"name": "PORT", "value": "8000"}
    assert env["REUSE_PORT"] == {"name": "REUSE_PORT", "value": "true"}
    assert container["startupProbe"]["httpGet"]["port"] == 8000
    assert container["readinessProbe"]["httpGet"]["port"] == 8000


def test_the_podman_overlay_validates_strictly(overlay: list[dict[str, Any]]) -> None:
    assert manifests.validation_errors(overlay) == []


def test_podman_plays_only_configmaps_secrets_and_the_deployment(
    objects: list[dict[str, Any]],
) -> None:
    objects.append({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "api-key"}})
    played = played_objects(objects, 18080, "this-host")
    assert [item["kind"] for item in played] == ["ConfigMap", "Deployment", "Secret"]


def test_the_port_goes_into_the_environment_and_every_http_probe(
    objects: list[dict[str, Any]],
) -> None:
    container = podman.service_container(the_deployment(objects))
    container["livenessProbe"] = {"httpGet": {"path": "/api/health", "port": "http"}}
    container["lifecycle"]["postStart"] = {"exec": {"command": ["/bin/true"]}}
    deployment = the_deployment(played_objects(objects, 18080, "node"))
    played = podman.service_container(deployment)
    assert service_env(deployment)["PORT"] == {"name": "PORT", "value": "18080"}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert played[probe]["httpGet"]["port"] == 18080, probe
    assert played["lifecycle"] == container["lifecycle"]


def test_the_node_name_becomes_the_node_given(objects: list[dict[str, Any]]) -> None:
    played = the_deployment(played_objects(objects, 18080, "this-host"))
    assert service_env(played)["NODE_NAME"] == {"name": "NODE_NAME", "value": "this-host"}


def test_playing_changes_none_of_the_objects_given(objects: list[dict[str, Any]]) -> None:
    before = copy.deepcopy(objects)
    played = played_objects(objects, 18080, "this-host")
    assert objects == before
    assert the_deployment(played) is not the_deployment(objects)


def test_a_variable_from_the_downward_api_becomes_a_literal(base: list[dict[str, Any]]) -> None:
    container = copy.deepcopy(podman.service_container(the_deployment(base)))
    assert "valueFrom" in service_env_of(container)["NODE_NAME"]
    set_variable(container, "NODE_NAME", "this-host")
    assert service_env_of(container)["NODE_NAME"] == {"name": "NODE_NAME", "value": "this-host"}


def test_a_variable_the_container_does_not_declare_is_not_set() -> None:
    container = {"name": "service", "env": [{"name": "WORKERS", "value": "1"}]}
    with pytest.raises(PodmanError, match="declares no PORT variable"):
        set_variable(container, "PORT", "18080")
    with pytest.raises(PodmanError, match="declares no NODE_NAME variable"):
        set_variable({"name": "service"}, "NODE_NAME", "here")


def test_the_base_alone_cannot_be_played_it_declares_no_port(
    base: list[dict[str, Any]],
) -> None:
    with pytest.raises(PodmanError, match="no PORT variable"):
        played_objects(copy.deepcopy(base), 18080, "this-host")


def test_what_podman_does_not_play_is_named_and_said_why(overlay: list[dict[str, Any]]) -> None:
    kinds = ["Namespace", "ServiceAccount", "Service", "PodDisruptionBudget"]
    expected = [f"{kind}/{APP_NAME}" for kind in [*kinds, "HorizontalPodAutoscaler"]]
    assert sorted(not_played(overlay)) == sorted(expected)
    assert {name.split("/")[0] for name in not_played(overlay)} <= NOT_EXERCISED.keys()


@pytest.mark.parametrize("count", [0, 2])
def test_podman_plays_exactly_one_deployment(overlay: list[dict[str, Any]], count: int) -> None:
    others = [item for item in overlay if item["kind"] != "Deployment"]
    deployments = [the_deployment(overlay)] * count
    with pytest.raises(PodmanError, match=f"renders {count} Deployments"):
        the_deployment(others + deployments)


def test_the_probes_are_the_manifests(overlay: list[dict[str, Any]]) -> None:
    deployment = the_deployment(overlay)
    startup = podman.service_container(deployment)["startupProbe"]
    assert Probes.of(deployment) == Probes(
        startup_path=STARTUP_PATH,
        ready_path=READY_PATH,
        startup_budget_s=startup["periodSeconds"] * startup["failureThreshold"],
    )


def test_the_startup_budget_has_kubernetes_defaults() -> None:
    container = {
        "startupProbe": {"httpGet": {"path": "/s"}},
        "readinessProbe": {"httpGet": {"path": "/r"}},
    }
    deployment = {"spec": {"template": {"spec": {"containers": [container]}}}}
    assert Probes.of(deployment).startup_budget_s == 10 * 3


def test_without_podman_the_commands_say_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    for command in (["status"], ["deploy"], ["undeploy"], ["logs"]):
        assert main(command) == 1
        error = capsys.readouterr().err
        assert error.startswith("error: podman is not installed"), command
        assert "apt-get install podman" in error


def test_a_port_in_use_is_refused(held_port: int) -> None:
    with pytest.raises(PodmanError, match=f"port {held_port} is in use"):
        require_free_port(held_port)


def test_a_free_port_is_accepted() -> None:
    require_free_port(free_port())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_pods_metrics_port_is_that_of_the_file_the_config_map_carries(
    overlay: list[dict[str, Any]], tmp_path: Path
) -> None:
    [config_map] = [item for item in overlay if item["kind"] == "ConfigMap"]
    for name, text in config_map["data"].items():
        (tmp_path / name).write_text(text)
    carried = load_configuration(tmp_path / manifests.POD_CONFIGURATION.name).metrics_port
    assert pods_metrics_port() == carried
    assert carried is not None


def test_the_port_may_not_be_the_pods_metrics_port() -> None:
    port = free_port()
    with pytest.raises(PodmanError, match=f"^port {port} is the pods' metrics port"):
        require_usable_ports(port, port)


def test_a_metrics_port_in_use_is_refused_and_named(held_port: int) -> None:
    with pytest.raises(PodmanError) as raised:
        require_usable_ports(free_port(), held_port)
    assert str(raised.value).startswith(f"port {held_port} is in use")
    assert "the pods serve /metrics there (metrics_port in kubernetes.yaml)" in str(raised.value)


def test_without_a_metrics_port_only_the_port_is_checked() -> None:
    require_usable_ports(free_port(), None)


def test_the_deploy_says_where_the_metrics_are() -> None:
    assert f"http://127.0.0.1:9100{METRICS_PATH}, one pod's counters" in metrics_line(9100)


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port this test listens on, on 127.0.0.1."""
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        yield held.getsockname()[1]


def test_a_missing_image_says_to_build_it(calls: Path) -> None:
    fake_podman(calls, '[ "$1 $2" = "image exists" ] && exit 1')
    with pytest.raises(PodmanError) as raised:
        require_image("insurance-charges-model:9.9")
    assert str(raised.value) == (
        "podman has no image insurance-charges-model:9.9: build it with `make image`"
    )
    assert recorded(calls) == ["image exists insurance-charges-model:9.9"]


def test_an_image_podman_holds_is_accepted(calls: Path) -> None:
    fake_podman(calls)
    require_image("insurance-charges-model:9.9")


def test_podman_is_unavailable_without_the_overlays_image(calls: Path) -> None:
    fake_podman(calls, '[ "$1 $2" = "image exists" ] && exit 1')
    image = podman.service_container(the_deployment(podman.rendered()))["image"]
    assert image == f"{manifests.IMAGE_NAME}:{image_tag()}"  # the tag make image gives it
    assert unavailable() == f"podman has no image {image}: build it with `make image`"
    fake_podman(calls)
    assert unavailable() is None


def test_podman_without_catatonit_names_the_package(
    calls: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_podman(calls)
    (tmp_path / "bin" / "catatonit").unlink()
    elsewhere = path_without(("catatonit", "podman"), tmp_path / "without")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{elsewhere}")
    assert unavailable() == (
        "podman cannot start a pod's pause container: catatonit is not installed: install the "
        "Debian package `catatonit` (apt-get install catatonit)"
    )
    assert recorded(calls) == ["info"]


def test_deploy_without_catatonit_names_the_package_and_plays_nothing(
    calls: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fake_podman(calls)
    (tmp_path / "bin" / "catatonit").unlink()
    elsewhere = path_without(("catatonit", "podman"), tmp_path / "without")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{elsewhere}")
    with pytest.raises(PodmanError, match="apt-get install catatonit"):
        podman.deploy(18099)
    assert recorded(calls) == []


def test_podman_is_unavailable_when_it_does_not_work(calls: Path) -> None:
    fake_podman(calls, 'echo "cannot connect" >&2; exit 125')
    assert unavailable() == "podman info: cannot connect"


def test_a_second_deploy_is_refused(
    calls: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_podman(calls)
    monkeypatch.setattr(podman, "pod_containers", lambda: [SERVICE_CONTAINER])
    assert main(["deploy", "--port", "18080"]) == 1
    error = capsys.readouterr().err
    assert f"deployed already ({SERVICE_CONTAINER.pod} running): run make undeploy-podman" in error
    assert recorded(calls) == []


def test_deploy_first_takes_down_the_stopped_pods_of_an_earlier_deployment(
    calls: Path, played_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_podman(calls)
    stopped = dataclasses.replace(SERVICE_CONTAINER, state="exited")
    answers = iter([[stopped], [stopped], []])  # deploy's look, undeploy's, undeploy's leftovers
    monkeypatch.setattr(podman, "pod_containers", lambda: next(answers))
    assert clear_stopped_pods() == [
        f"stopped pods of an earlier deployment: {stopped.pod} (exited)",
        "no pod, container or volume of the service is left",
    ]
    assert recorded(calls)[0] == f"kube down {played_file}"


def test_nothing_is_cleared_when_nothing_is_deployed(
    calls: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_podman(calls)
    monkeypatch.setattr(podman, "pod_containers", lambda: [])
    assert clear_stopped_pods() == []
    assert recorded(calls) == []


def test_deploy_on_a_port_in_use_is_refused(
    calls: Path,
    held_port: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_podman(calls)
    monkeypatch.setattr(podman, "pod_containers", lambda: [])
    assert main(["deploy", "--port", str(held_port)]) == 1
    assert f"error: port {held_port} is in use" in capsys.readouterr().err
    assert recorded(calls) == []


def test_deploy_on_the_pods_metrics_port_is_refused(
    calls: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_podman(calls)
    monkeypatch.setattr(podman, "pod_containers", lambda: [])
    metrics_port = pods_metrics_port()
    assert main(["deploy", "--port", str(metrics_port)]) == 1
    assert f"error: port {metrics_port} is the pods' metrics port" in capsys.readouterr().err
    assert recorded(calls) == []


def test_deploy_without_the_image_plays_nothing(
    calls: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_podman(calls, '[ "$1 $2" = "image exists" ] && exit 1')
    monkeypatch.setattr(podman, "pod_containers", lambda: [])
    monkeypatch.setattr(podman, "pods_metrics_port", free_port)  # whatever this machine runs
    assert main(["deploy", "--port", str(free_port())]) == 1
    assert "`make image`" in capsys.readouterr().err
    assert not [call for call in recorded(calls) if call.startswith("kube")]


@pytest.fixture
def played_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where undeploy writes the objects it takes down: here, not in the project's build/."""
    path = tmp_path / "played.yaml"
    monkeypatch.setattr(podman, "write_played", functools.partial(podman.write_played, path=path))
    return path


def config_volume(overlay: list[dict[str, Any]]) -> str:
    [name] = [item["metadata"]["name"] for item in overlay if item["kind"] == "ConfigMap"]
    return name


def test_undeploy_takes_the_pods_down_and_removes_their_volume(
    calls: Path, played_file: Path, monkeypatch: pytest.MonkeyPatch, overlay: list[dict[str, Any]]
) -> None:
    fake_podman(calls)
    answers = iter([[SERVICE_CONTAINER], []])
    monkeypatch.setattr(podman, "pod_containers", lambda: next(answers))
    assert undeploy() == "no pod, container or volume of the service is left"
    assert recorded(calls) == [
        f"kube down {played_file}",
        f"volume rm --force {config_volume(overlay)}",
        "volume ls --format {{.Name}}",
    ]


def test_undeploy_names_a_volume_left_behind(
    calls: Path,
    played_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    overlay: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    volume = config_volume(overlay)
    fake_podman(calls, f'[ "$1 $2" = "volume ls" ] && printf "other\\n{volume}\\n"')
    monkeypatch.setattr(podman, "pod_containers", lambda: [])
    assert main(["undeploy"]) == 1
    assert capsys.readouterr().err == f"error: still there after undeploy: volume {volume}\n"


def test_undeploy_names_a_container_left_behind(
    calls: Path, played_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_podman(calls)
    monkeypatch.setattr(podman, "pod_containers", lambda: [SERVICE_CONTAINER])
    with pytest.raises(PodmanError, match=f"container {SERVICE_CONTAINER.name}$"):
        undeploy()


def test_leftovers_are_the_containers_and_the_volumes_that_exist(
    calls: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_podman(calls, '[ "$1 $2" = "volume ls" ] && printf "config\\nunrelated\\n"')
    monkeypatch.setattr(podman, "pod_containers", lambda: [SERVICE_CONTAINER])
    assert leftovers(["config", "gone"]) == [
        f"container {SERVICE_CONTAINER.name}", "volume config"
    ]  # fmt: skip


def test_a_failing_podman_command_says_what_podman_said(calls: Path) -> None:
    fake_podman(calls, 'echo "no such pod" >&2; exit 125')
    with pytest.raises(PodmanError) as raised:
        podman.podman("pod", "ps", "--format", "json")
    assert str(raised.value) == "podman pod ps --format json: no such pod"


def test_a_podman_command_that_hangs_is_stopped(calls: Path) -> None:
    fake_podman(calls, "exec sleep 5")
    with pytest.raises(PodmanError) as raised:
        podman.podman("info", timeout=0.2)
    assert str(raised.value) == "podman info took more than 0.2 s"


def pod(name: str, infra_id: str, service_id: str) -> dict[str, Any]:
    """A pod as ``podman pod ps --format json`` lists it: its infra and its service container."""
    return {
        "Name": name,
        "InfraId": infra_id,
        "Containers": [
            {"Id": infra_id, "Names": f"{infra_id}-infra"},
            {"Id": service_id, "Names": f"{name}-service"},
        ],
    }


def inspected(name: str, restarts: int, pid: int) -> dict[str, Any]:
    state = {"Status": "running", "StartedAt": "2026-01-01T00:00:00Z", "Pid": pid,
             "CgroupPath": f"/machine.slice/libpod-{pid}.scope"}  # fmt: skip
    return {"Name": name, "RestartCount": restarts, "State": state}


def answering(calls: Path, pods: list[dict[str, Any]], containers: list[dict[str, Any]]) -> None:
    """A podman that lists ``pods`` and inspects as ``containers``."""
    (calls.parent / "pods.json").write_text(json.dumps(pods))
    (calls.parent / "inspect.json").write_text(json.dumps(containers))
    fake_podman(
        calls,
        f'[ "$1" = pod ] && cat {calls.parent / "pods.json"}\n'
        f'[ "$1" = inspect ] && cat {calls.parent / "inspect.json"}',
    )


def test_pod_containers_reads_each_pods_service_container(calls: Path) -> None:
    pods = [pod("app-pod-1", "infra1", "svc1"), pod("app-pod-0", "infra0", "svc0")]
    answering(
        calls, pods, [inspected("app-pod-1-service", 0, 10), inspected("app-pod-0-service", 3, 11)]
    )
    assert pod_containers() == [  # sorted by pod, whatever order podman lists them in
        PodContainer("app-pod-0", "app-pod-0-service", "running", 3, "2026-01-01T00:00:00Z", 11,
                     "/machine.slice/libpod-11.scope"),
        PodContainer("app-pod-1", "app-pod-1-service", "running", 0, "2026-01-01T00:00:00Z", 10,
                     "/machine.slice/libpod-10.scope"),
    ]  # fmt: skip
    listed, inspecting = recorded(calls)
    assert listed == f"pod ps --filter label={SELECTOR} --format json"
    assert inspecting.startswith("inspect --format json ")
    assert sorted(inspecting.split()[3:]) == ["app-pod-0-service", "app-pod-1-service"]


def test_without_pods_there_are_no_containers_and_nothing_is_inspected(calls: Path) -> None:
    answering(calls, [], [])
    assert pod_containers() == []
    assert len(recorded(calls)) == 1


def test_container_records_are_the_json_lines_of_both_streams(calls: Path) -> None:
    fake_podman(
        calls, 'echo \'{"message": "out"}\'; echo "not json"; echo \'{"message": "err"}\' >&2'
    )
    assert container_records("c", since="2026-01-01T00:00:00Z") == [
        {"message": "out"}, {"message": "err"}
    ]  # fmt: skip
    assert recorded(calls) == ["logs --since 2026-01-01T00:00:00Z c"]


def test_container_records_of_an_unknown_container_fail(calls: Path) -> None:
    fake_podman(calls, 'echo "no container c" >&2; exit 125')
    with pytest.raises(PodmanError, match="podman logs c: no container c"):
        container_records("c")


def test_the_settings_podman_enforces_are_read_from_inspect() -> None:
    item = {
        "Config": {"User": "10001:10001"},
        "HostConfig": {
            "ReadonlyRootfs": True, "CpuQuota": 100000, "CpuPeriod": 100000,
            "Memory": 512 * MIB, "RestartPolicy": {"Name": "always"}, "NetworkMode": "host",
        },
    }  # fmt: skip
    assert settings_of(item) == {
        "user": "10001:10001", "root filesystem": "read-only", "CPU limit": "1 CPU",
        "memory limit": "512 MiB", "restart policy": "always", "network": "host",
    }  # fmt: skip


def test_a_half_cpu_limit_is_read_as_such() -> None:
    host = {"CpuQuota": 50000, "CpuPeriod": 100000}
    assert settings_of({"Config": {}, "HostConfig": host})["CPU limit"] == "0.5 CPU"


def test_settings_left_unset_are_said_so() -> None:
    host = {"CpuQuota": 0, "CpuPeriod": 100000, "Memory": 0, "RestartPolicy": {"Name": ""}}
    assert settings_of({"Config": {"User": ""}, "HostConfig": host}) == {
        "user": "root", "root filesystem": "writable", "CPU limit": "none",
        "memory limit": "none", "restart policy": "no", "network": "",
    }  # fmt: skip


def test_enforced_settings_are_by_pod(calls: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    item = {"Config": {"User": "10001"}, "HostConfig": {"Memory": 256 * MIB}}
    (calls.parent / "inspect.json").write_text(json.dumps([item]))
    fake_podman(calls, f"cat {calls.parent / 'inspect.json'}")
    monkeypatch.setattr(podman, "pod_containers", lambda: [SERVICE_CONTAINER])
    settings = enforced_settings()
    assert list(settings) == [SERVICE_CONTAINER.pod]
    assert settings[SERVICE_CONTAINER.pod]["memory limit"] == "256 MiB"
    assert recorded(calls) == [f"inspect --format json {SERVICE_CONTAINER.name}"]


def test_the_pods_are_described_with_what_they_used(monkeypatch: pytest.MonkeyPatch) -> None:
    stopped = PodContainer("pod-1", "pod-1-service", "exited", 2, "", 0, "")
    monkeypatch.setattr(podman, "pod_containers", lambda: [SERVICE_CONTAINER, stopped])
    monkeypatch.setattr(podman, "cgroup_usage", lambda cgroup: Usage(1.5, 100 * MIB, 200 * MIB))
    assert describe_pods() == (
        f"  {SERVICE_CONTAINER.pod}: running, 0 restarts, 1.5 CPU-seconds, memory 100 MiB "
        "(peak 200 MiB)\n  pod-1: exited, 2 restarts, not running"
    )
    monkeypatch.setattr(podman, "pod_containers", lambda: [])
    assert describe_pods() == "  (no pods)"


def test_a_usage_that_cannot_be_read_is_said_so(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable(cgroup: str) -> Usage:
        raise UsageError(f"cannot read {cgroup}/memory.current")

    monkeypatch.setattr(podman, "pod_containers", lambda: [SERVICE_CONTAINER])
    monkeypatch.setattr(podman, "cgroup_usage", unreadable)
    unknown = f"usage unknown (cannot read {SERVICE_CONTAINER.cgroup}/memory.current)"
    assert describe_pods().endswith(f"running, 0 restarts, {unknown}")


def test_reading_logs_that_take_too_long_is_a_podman_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def too_slow(*arguments: object, **options: object) -> None:
        raise subprocess.TimeoutExpired("podman logs", 120)

    monkeypatch.setattr(podman, "podman_path", lambda: "podman")
    monkeypatch.setattr(podman.subprocess, "run", too_slow)
    with pytest.raises(PodmanError, match="podman logs pod-0-service took more than 120 s"):
        podman.container_records("pod-0-service")
