"""What the rendered overlays keep: the autoscaler alone sets the replicas, a busy pod is not
restarted for answering late, Elasticsearch has its headless Service, Prometheus keeps its data
on a claim, and Kibana's data-view Job can be applied again."""

import re
from typing import Any

import pytest

from kubernetes_deployment.manifests import KUBERNETES_DIR, OVERLAYS_DIR, documents, render
from kubernetes_deployment.sizing import parse_quantity
from monitoring.burn_rates import seconds
from support.kubernetes_objects import one

APP = "insurance-charges-model"
CLUSTER_OVERLAYS = ["minikube", "minikube-elk", "minikube-load-test", "minikube-monitoring"]
READINESS_TIMEOUT_DEFAULT_S = 1  # Kubernetes's, for a probe that sets none
PROMETHEUS_UNITS = {"KB": 2**10, "MB": 2**20, "GB": 2**30}  # powers of 2, as Prometheus reads them


def rendered(overlay: str) -> list[dict[str, Any]]:
    return documents(render(OVERLAYS_DIR / overlay))


@pytest.fixture(scope="module", params=CLUSTER_OVERLAYS)
def cluster(request: pytest.FixtureRequest) -> list[dict[str, Any]]:
    return rendered(request.param)


@pytest.fixture(scope="module")
def base() -> list[dict[str, Any]]:
    return documents(render(KUBERNETES_DIR / "base"))


@pytest.fixture(scope="module")
def elk() -> list[dict[str, Any]]:
    return rendered("minikube-elk")


def service_container(objects: list[dict[str, Any]]) -> dict[str, Any]:
    [container] = one(objects, "Deployment", APP)["spec"]["template"]["spec"]["containers"]
    return container


def test_the_autoscaler_alone_sets_the_replicas(cluster: list[dict[str, Any]]) -> None:
    autoscaler = one(cluster, "HorizontalPodAutoscaler", APP)
    target = autoscaler["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", APP)
    assert "replicas" not in one(cluster, "Deployment", APP)["spec"]


def test_podman_plays_the_autoscaler_s_minimum(base: list[dict[str, Any]]) -> None:
    """No autoscaler runs under podman: its overlay writes the replicas, as many as the
    autoscaler keeps at least in a cluster."""
    podman = rendered("podman")
    minimum = one(base, "HorizontalPodAutoscaler", APP)["spec"]["minReplicas"]
    assert one(podman, "Deployment", APP)["spec"]["replicas"] == minimum


def test_liveness_waits_longer_than_readiness_before_it_gives_up(
    cluster: list[dict[str, Any]],
) -> None:
    """A busy event loop at its CPU limit may answer after a second: that takes the pod out of
    the Service for a while (readiness), but restarts it only after a minute of silence."""
    container = service_container(cluster)
    liveness, readiness = container["livenessProbe"], container["readinessProbe"]
    ready_timeout = readiness.get("timeoutSeconds", READINESS_TIMEOUT_DEFAULT_S)
    assert liveness["timeoutSeconds"] >= 5 * ready_timeout
    assert liveness["timeoutSeconds"] < liveness["periodSeconds"]
    assert liveness["periodSeconds"] * liveness["failureThreshold"] >= 60
    assert readiness["periodSeconds"] * readiness["failureThreshold"] <= 15


def test_elasticsearch_is_governed_by_a_headless_service(elk: list[dict[str, Any]]) -> None:
    stateful_set = one(elk, "StatefulSet", "elasticsearch")
    governing = one(elk, "Service", stateful_set["spec"]["serviceName"])
    assert governing["spec"]["clusterIP"] == "None"
    labels = stateful_set["spec"]["template"]["metadata"]["labels"]
    assert governing["spec"]["selector"].items() <= labels.items()


def test_kibana_and_filebeat_still_call_elasticsearch_on_one_address(
    elk: list[dict[str, Any]],
) -> None:
    service = one(elk, "Service", "elasticsearch")
    assert service["spec"].get("clusterIP") != "None"
    assert [port["port"] for port in service["spec"]["ports"]] == [9200]
    kibana = one(elk, "Deployment", "kibana")["spec"]["template"]["spec"]["containers"][0]
    hosts = {variable["name"]: variable["value"] for variable in kibana["env"]}
    assert hosts["ELASTICSEARCH_HOSTS"] == "http://elasticsearch:9200"


def test_the_data_view_job_is_the_same_whatever_the_script_holds(
    elk: list[dict[str, Any]],
) -> None:
    """A Job's template cannot change: it mounts the script's ConfigMap by a name without the
    content's hash, so applying it again, while the finished Job is kept, changes nothing."""
    job = one(elk, "Job", "kibana-data-view")
    assert job["metadata"]["name"] == "kibana-data-view"
    [volume] = job["spec"]["template"]["spec"]["volumes"]
    config_map = one(elk, "ConfigMap", "kibana-data-view")
    assert volume["configMap"]["name"] == config_map["metadata"]["name"] == "kibana-data-view"
    assert job["spec"]["ttlSecondsAfterFinished"] > 0  # then deleted: the next deploy runs it


def prometheus_bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([KMG]B)", size).groups()
    return int(number) * PROMETHEUS_UNITS[unit]


def test_prometheus_keeps_its_data_on_a_claim_that_holds_the_retention() -> None:
    monitoring = rendered("minikube-monitoring")
    deployment = one(monitoring, "Deployment", "prometheus")
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}  # one pod holds the claim
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    flags = dict(argument.split("=", 1) for argument in container["args"])
    [mount] = [
        m for m in container["volumeMounts"] if m["mountPath"] == flags["--storage.tsdb.path"]
    ]
    [volume] = [v for v in pod["volumes"] if v["name"] == mount["name"]]
    claim = one(monitoring, "PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"])
    assert claim["spec"]["accessModes"] == ["ReadWriteOnce"]
    size = parse_quantity(claim["spec"]["resources"]["requests"]["storage"])
    assert prometheus_bytes(flags["--storage.tsdb.retention.size"]) < size
    assert seconds(flags["--storage.tsdb.retention.time"]) > seconds("3d")  # the longest window


def test_only_the_service_s_http_port_is_exposed(cluster: list[dict[str, Any]]) -> None:
    """The Service forwards one port, http, which does not serve /metrics; Prometheus scrapes the
    pods on their metrics port, not the Service."""
    [port] = one(cluster, "Service", APP)["spec"]["ports"]
    assert port["targetPort"] == "http"
    annotations = one(cluster, "Deployment", APP)["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
