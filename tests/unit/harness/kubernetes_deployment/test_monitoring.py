"""The monitoring component as rendered: Prometheus scrapes the annotated pods and evaluates the
committed SLO rules; the drift CronJob keeps its contract; every pod is hardened."""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubernetes_deployment.manifests import (
    KUBERNETES_DIR,
    NAMESPACE,
    OVERLAYS_DIR,
    POD_CONFIGURATION,
    SELECTOR,
    documents,
    render,
    validation_errors,
)
from model_service.configuration import load_configuration
from model_service.routes import METRICS_PATH
from monitoring.burn_rates import seconds
from monitoring.rules import RULES_DIR, RULES_NAME
from support.kubernetes_objects import one
from support.promtool import promtool

COMPONENT = KUBERNETES_DIR / "components" / "monitoring"
CONTRACT_LOGS = ["/bin/sh", "/etc/drift-monitor/fetch-logs.sh", "/logs/predictions.jsonl"]
CONTRACT_DRIFT = [
    "python", "-m", "drift_monitor", "--logs", "/logs/predictions.jsonl",
    "--baseline", "/app/models/baseline.json", "--thresholds", "/app/configuration/drift.yaml",
    "--report-dir", "/reports",
]  # fmt: skip
HARDENED = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}
TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
RBAC = "rbac.authorization.k8s.io"


@pytest.fixture(scope="module")
def monitoring() -> list[dict[str, Any]]:
    return documents(render(OVERLAYS_DIR / "minikube-monitoring"))


def template_of(workload: dict[str, Any]) -> dict[str, Any]:
    """The pod template of a Deployment or a CronJob."""
    spec = workload["spec"]
    return spec["jobTemplate"]["spec"]["template"] if "jobTemplate" in spec else spec["template"]


def pod_of(workload: dict[str, Any]) -> dict[str, Any]:
    return template_of(workload)["spec"]


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return [*pod.get("initContainers", []), *pod["containers"]]


def scrape_config(objects: list[dict[str, Any]]) -> dict[str, Any]:
    text = one(objects, "ConfigMap", "prometheus-config")["data"]["prometheus.yml"]
    return yaml.safe_load(text)


def test_the_overlay_validates_strictly(monitoring: list[dict[str, Any]]) -> None:
    assert validation_errors(monitoring) == []


def test_monitoring_only_in_its_own_overlay(monitoring: list[dict[str, Any]]) -> None:
    light = documents(render(OVERLAYS_DIR / "minikube"))
    added = {"Deployment/prometheus", "Service/prometheus", "CronJob/drift-monitor"}
    assert added <= {f"{o['kind']}/{o['metadata']['name']}" for o in monitoring}
    assert not [o for o in light if o["metadata"]["name"] in ("prometheus", "drift-monitor")]
    assert {o["metadata"]["namespace"] for o in monitoring if o["kind"] != "Namespace"} == {
        NAMESPACE
    }


# Prometheus's relabelling, as far as prometheus.yml uses it: keep, drop and replace.
def relabel(target: dict[str, str], rules: list[dict[str, Any]]) -> dict[str, str] | None:
    """The target's labels after the rules; None when a rule drops it."""
    labels = dict(target)
    for rule in rules:
        value = rule.get("separator", ";").join(
            labels.get(name, "") for name in rule.get("source_labels", [])
        )
        match = re.fullmatch(rule.get("regex", "(.*)"), value)
        action = rule.get("action", "replace")
        if (action == "keep" and not match) or (action == "drop" and match):
            return None
        if action == "replace" and match:
            replacement = re.sub(r"\$(\d+)", r"\\\1", rule.get("replacement", "$1"))
            labels[rule["target_label"]] = match.expand(replacement)
    return labels


def discovered(annotations: dict[str, str], phase: str = "Running") -> dict[str, str]:
    """A pod as Kubernetes discovery shows it to relabelling: its address on its declared
    container port, its annotations, namespace, name and app label."""
    meta = {
        f"__meta_kubernetes_pod_annotation_{re.sub('[^a-zA-Z0-9_]', '_', key)}": value
        for key, value in annotations.items()
    }
    return {
        "__address__": "10.244.0.7:8000",
        "__metrics_path__": "/metrics",
        "__meta_kubernetes_pod_phase": phase,
        "__meta_kubernetes_namespace": NAMESPACE,
        "__meta_kubernetes_pod_name": "insurance-charges-model-7d9c-x2v4q",
        "__meta_kubernetes_pod_label_app_kubernetes_io_name": "insurance-charges-model",
        **meta,
    }


def scraping(objects: list[dict[str, Any]]) -> dict[str, Any]:
    [job] = scrape_config(objects)["scrape_configs"]
    return job


def test_prometheus_discovers_the_pods_of_its_own_namespace(
    monitoring: list[dict[str, Any]],
) -> None:
    assert scraping(monitoring)["kubernetes_sd_configs"] == [
        {"role": "pod", "namespaces": {"own_namespace": True}}
    ]


def test_the_service_s_pods_are_scraped_as_their_annotations_say(
    monitoring: list[dict[str, Any]],
) -> None:
    deployment = one(monitoring, "Deployment", "insurance-charges-model")
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    target = relabel(discovered(annotations), scraping(monitoring)["relabel_configs"])
    assert target is not None
    ports = {p["name"]: p["containerPort"] for p in pod_of(deployment)["containers"][0]["ports"]}
    metrics_port = load_configuration(POD_CONFIGURATION).metrics_port
    assert target["__address__"] == f"10.244.0.7:{metrics_port}"  # not the discovered http port
    assert ports["metrics"] == metrics_port != ports["http"]
    assert target["__metrics_path__"] == annotations["prometheus.io/path"] == METRICS_PATH
    assert (target["namespace"], target["app"]) == (NAMESPACE, "insurance-charges-model")


def test_the_port_and_path_annotations_are_used(monitoring: list[dict[str, Any]]) -> None:
    annotations = {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": "9100",
        "prometheus.io/path": "/stats",
    }
    target = relabel(discovered(annotations), scraping(monitoring)["relabel_configs"])
    assert target is not None
    assert (target["__address__"], target["__metrics_path__"]) == ("10.244.0.7:9100", "/stats")


@pytest.mark.parametrize(
    ("annotations", "phase"),
    [
        ({}, "Running"),
        ({"prometheus.io/scrape": "false", "prometheus.io/port": "8000"}, "Running"),
        ({"prometheus.io/scrape": "true"}, "Succeeded"),
    ],
)
def test_only_running_pods_annotated_for_it_are_scraped(
    monitoring: list[dict[str, Any]], annotations: dict[str, str], phase: str
) -> None:
    rules = scraping(monitoring)["relabel_configs"]
    assert relabel(discovered(annotations, phase), rules) is None


def test_prometheus_evaluates_the_committed_rules(monitoring: list[dict[str, Any]]) -> None:
    rules = one(monitoring, "ConfigMap", "prometheus-rules")
    assert rules["data"] == {RULES_NAME: (RULES_DIR / RULES_NAME).read_text()}
    pod = pod_of(one(monitoring, "Deployment", "prometheus"))
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    mounts = {mount["mountPath"]: mount["name"] for mount in pod["containers"][0]["volumeMounts"]}
    [rule_file] = scrape_config(monitoring)["rule_files"]
    directory, name = rule_file.rsplit("/", 1)
    assert name == RULES_NAME
    assert volumes[mounts[directory]]["configMap"]["name"] == rules["metadata"]["name"]


def test_prometheus_reads_its_configuration_and_keeps_what_the_alerts_read(
    monitoring: list[dict[str, Any]],
) -> None:
    pod = pod_of(one(monitoring, "Deployment", "prometheus"))
    [container] = pod["containers"]
    flags = dict(argument.split("=", 1) for argument in container["args"])
    config = one(monitoring, "ConfigMap", "prometheus-config")
    directory, name = flags["--config.file"].rsplit("/", 1)
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    assert name in config["data"]
    assert volumes[mounts[directory]]["configMap"]["name"] == config["metadata"]["name"]
    assert seconds(flags["--storage.tsdb.retention.time"]) > seconds("3d")  # the longest window
    data = volumes[mounts[flags["--storage.tsdb.path"]]]
    assert data["persistentVolumeClaim"]["claimName"] == "prometheus-data"
    assert re.fullmatch(r"prom/prometheus:v\d+\.\d+\.\d+", container["image"])


def test_prometheus_answers_on_a_cluster_ip_service(monitoring: list[dict[str, Any]]) -> None:
    service = one(monitoring, "Service", "prometheus")
    assert service["spec"]["type"] == "ClusterIP"
    [port] = service["spec"]["ports"]
    assert port["port"] == 9090
    [container] = pod_of(one(monitoring, "Deployment", "prometheus"))["containers"]
    assert {p["name"]: p["containerPort"] for p in container["ports"]}[port["targetPort"]] == 9090
    selected = one(monitoring, "Deployment", "prometheus")["spec"]["template"]["metadata"]
    assert service["spec"]["selector"].items() <= selected["labels"].items()


def rules_of(objects: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    return one(objects, "Role", name)["rules"]


def test_prometheus_may_only_list_and_watch_pods(monitoring: list[dict[str, Any]]) -> None:
    assert rules_of(monitoring, "prometheus") == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["list", "watch"]}
    ]


def test_the_drift_job_may_only_get_and_list_pods_and_their_logs(
    monitoring: list[dict[str, Any]],
) -> None:
    [rule] = rules_of(monitoring, "drift-monitor")
    assert rule["apiGroups"] == [""]
    assert sorted(rule["resources"]) == ["pods", "pods/log"]
    assert sorted(rule["verbs"]) == ["get", "list"]


@pytest.mark.parametrize("name", ["prometheus", "drift-monitor"])
def test_each_role_is_bound_to_its_own_service_account(
    monitoring: list[dict[str, Any]], name: str
) -> None:
    binding = one(monitoring, "RoleBinding", name)
    assert binding["roleRef"] == {"kind": "Role", "name": name, "apiGroup": RBAC}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": name, "namespace": NAMESPACE}]


def cron_job(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return one(objects, "CronJob", "drift-monitor")


def test_the_drift_job_runs_hourly_one_at_a_time(monitoring: list[dict[str, Any]]) -> None:
    spec = cron_job(monitoring)["spec"]
    minute, *rest = spec["schedule"].split()
    assert minute.isdigit()
    assert rest == ["*", "*", "*", "*"]
    assert spec["concurrencyPolicy"] == "Forbid"
    assert spec["successfulJobsHistoryLimit"] > 0
    assert spec["failedJobsHistoryLimit"] > 0
    assert spec["jobTemplate"]["spec"]["podFailurePolicy"]["rules"]  # drift is not a fault
    assert pod_of(cron_job(monitoring))["restartPolicy"] == "Never"


def test_the_drift_job_keeps_its_contract(monitoring: list[dict[str, Any]]) -> None:
    pod = pod_of(cron_job(monitoring))
    [fetch], [drift] = pod["initContainers"], pod["containers"]
    assert fetch["command"] == CONTRACT_LOGS
    assert drift["command"] == CONTRACT_DRIFT
    volumes = {volume["name"]: volume for volume in pod["volumes"]}
    for container in (fetch, drift):
        [logs] = [m for m in container["volumeMounts"] if m["mountPath"] == "/logs"]
        assert "emptyDir" in volumes[logs["name"]]


def test_the_drift_job_runs_the_service_s_image(monitoring: list[dict[str, Any]]) -> None:
    [service] = pod_of(one(monitoring, "Deployment", "insurance-charges-model"))["containers"]
    [drift] = pod_of(cron_job(monitoring))["containers"]
    assert drift["image"] == service["image"] == "insurance-charges-model"  # tagged at deploy
    assert drift["imagePullPolicy"] == service["imagePullPolicy"] == "Never"  # minikube's
    [fetch] = pod_of(cron_job(monitoring))["initContainers"]
    assert re.fullmatch(r"[\w./-]+:v?\d+\.\d+\.\d+", fetch["image"])  # pinned


def test_only_the_init_container_holds_an_api_token(monitoring: list[dict[str, Any]]) -> None:
    pod = pod_of(cron_job(monitoring))
    assert pod["automountServiceAccountToken"] is False
    [fetch], [drift] = pod["initContainers"], pod["containers"]
    assert [m["mountPath"] for m in fetch["volumeMounts"] if m["mountPath"] == TOKEN_PATH]
    assert not [m for m in drift["volumeMounts"] if m["mountPath"].startswith("/var/run/secrets")]
    [token] = [v for v in pod["volumes"] if "projected" in v]
    assert {"serviceAccountToken", "configMap", "downwardAPI"} == {
        key for source in token["projected"]["sources"] for key in source
    }


def test_the_drift_job_names_the_namespace_and_label_of_the_base_kustomization() -> None:
    """drift-cronjob.yaml writes them as they are; their home is kubernetes/base."""
    written = yaml.safe_load_all((COMPONENT / "drift-cronjob.yaml").read_text())
    [cron] = [item for item in written if item["kind"] == "CronJob"]
    variables = {v["name"]: v.get("value") for v in pod_of(cron)["initContainers"][0]["env"]}
    assert variables["SELECTOR"] == SELECTOR  # the namespace: the Job's own, by the downward API
    for path in ("drift-cronjob.yaml", "prometheus.yaml"):
        objects = yaml.safe_load_all((COMPONENT / path).read_text())
        [binding] = [item for item in objects if item["kind"] == "RoleBinding"]
        assert {subject["namespace"] for subject in binding["subjects"]} == {NAMESPACE}


def test_no_monitoring_pod_is_taken_for_the_service(monitoring: list[dict[str, Any]]) -> None:
    """kubectl logs and the Service select the service's pods by the app label: the drift and
    Prometheus pods must not carry it."""
    key, value = SELECTOR.split("=")
    for kind, name in (("Deployment", "prometheus"), ("CronJob", "drift-monitor")):
        labels = template_of(one(monitoring, kind, name))["metadata"]["labels"]
        assert labels.get(key) != value, f"{kind}/{name}"


def test_every_pod_is_hardened(monitoring: list[dict[str, Any]]) -> None:
    workloads = [o for o in monitoring if o["kind"] in ("Deployment", "CronJob")]
    assert len(workloads) == 5  # the service, prometheus, alertmanager, its receiver, drift
    for workload in workloads:
        pod = pod_of(workload)
        where = f"{workload['kind']}/{workload['metadata']['name']}"
        assert pod["securityContext"]["runAsNonRoot"] is True, where
        assert pod["securityContext"]["runAsUser"] != 0, where
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        for container in containers(pod):
            assert container["securityContext"] == HARDENED, f"{where}: {container['name']}"
            for bound in ("requests", "limits"):
                assert set(container["resources"][bound]) == {"cpu", "memory"}, where
        for volume in pod["volumes"]:
            if "emptyDir" in volume:
                assert volume["emptyDir"].get("sizeLimit"), f"{where}: {volume['name']}"


def test_promtool_accepts_the_scrape_configuration(
    monitoring: list[dict[str, Any]], tmp_path: Path
) -> None:
    """The rendered prometheus.yml, with the rules where this machine has them."""
    config = scrape_config(monitoring) | {"rule_files": [str(RULES_DIR / RULES_NAME)]}
    path = tmp_path / "prometheus.yml"
    path.write_text(yaml.safe_dump(config))
    done = promtool("check", "config", path)
    if "field kubernetes_sd_configs not found" in done.stdout + done.stderr:
        pytest.skip("this promtool is built without Kubernetes discovery (Debian's package is)")
    assert done.returncode == 0, done.stdout + done.stderr
