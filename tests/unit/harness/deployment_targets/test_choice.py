import pytest

from deployment_targets import TargetUnavailableError, choice, choose
from deployment_targets.cluster import Cluster
from deployment_targets.local import LocalProcess
from deployment_targets.pods import Pods


@pytest.fixture
def problems(monkeypatch: pytest.MonkeyPatch) -> dict[str, str | None]:
    """Each target's problem on a pretend machine: no cluster, no podman, local works."""
    pretend = {"cluster": "kubectl reaches no cluster", "pods": "podman is not installed"}
    pretend |= {"container": "no container engine", "local": None}
    for name in choice.PROBLEMS:
        monkeypatch.setitem(choice.PROBLEMS, name, lambda name=name, **_: pretend[name])
    return pretend


def test_auto_takes_the_first_target_that_runs_and_says_what_it_passed_over(
    problems: dict[str, str | None],
) -> None:
    deployment = choose("auto", among=("cluster", "pods", "local"), port=18099, overlay="x")
    assert isinstance(deployment, LocalProcess)
    assert deployment.passed_over == {
        "cluster": "kubectl reaches no cluster",
        "pods": "podman is not installed",
    }
    assert deployment.why == (
        "local: a local process, since not cluster: kubectl reaches no cluster; "
        "not pods: podman is not installed"
    )


def test_auto_takes_the_first_choice_when_it_runs(
    problems: dict[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(choice.PROBLEMS, "pods", lambda **_: None)
    deployment = choose("auto", among=("pods", "local"), port=18099, workers=3)
    assert isinstance(deployment, Pods)
    assert deployment.port == 18099
    assert deployment.passed_over == {}
    assert (
        deployment.why
        == "pods: pods started by podman, without a cluster, the first choice, runs here"
    )


def test_each_target_gets_only_the_settings_it_has(problems: dict[str, str | None]) -> None:
    deployment = choose("local", among=("pods", "local"), port=18099, workers=3, overlay="x")
    assert (deployment.port, deployment.workers) == (18099, 3)
    assert deployment.why == "local: named by the notebook's parameter"


def test_a_named_target_that_cannot_run_here_says_why(problems: dict[str, str | None]) -> None:
    with pytest.raises(TargetUnavailableError, match="target='pods', but podman is not installed"):
        choose("pods", among=("pods", "local"))


def test_a_target_not_offered_is_refused(problems: dict[str, str | None]) -> None:
    with pytest.raises(ValueError, match="target='cluster': choose one of 'auto', pods, local"):
        choose("cluster", among=("pods", "local"))


def test_an_unknown_target_is_refused(problems: dict[str, str | None]) -> None:
    with pytest.raises(ValueError, match="choose one of"):
        choose("auto", among=("pods", "moon"))


def test_auto_with_nothing_that_runs_names_every_problem(problems: dict[str, str | None]) -> None:
    with pytest.raises(TargetUnavailableError, match="no target of cluster, pods runs here"):
        choose("auto", among=("cluster", "pods"))


def test_availability_asks_each_target(problems: dict[str, str | None]) -> None:
    assert choice.availability(["pods", "local"]) == {
        "pods": "podman is not installed",
        "local": None,
    }


def test_the_cluster_is_chosen_with_its_overlay_and_port(
    problems: dict[str, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(choice.PROBLEMS, "cluster", lambda **_: None)
    deployment = choose("auto", among=("cluster", "local"), overlay="minikube-elk", local_port=1)
    assert isinstance(deployment, Cluster)
    assert (deployment.overlay, deployment.local_port) == ("minikube-elk", 1)
    assert deployment.applies_overlay("minikube-elk")
    assert not deployment.applies_overlay("minikube")


@pytest.fixture
def kubectl_sees(monkeypatch: pytest.MonkeyPatch) -> list[str | None]:
    """The contexts the cluster check asked kubectl to reach; the current context is kind-ci."""
    asked: list[str | None] = []
    monkeypatch.setattr(choice.manifests, "current_context", lambda: "kind-ci")

    def reachable(context: str | None = None) -> tuple[bool, str]:
        asked.append(context)
        return True, "Kubernetes control plane is running"

    monkeypatch.setattr(choice.manifests, "cluster_reachable", reachable)
    return asked


def test_an_unnamed_context_other_than_minikube_is_not_deployed_to(
    kubectl_sees: list[str | None],
) -> None:
    assert choice.cluster_problem() == (
        "kubectl's current context is 'kind-ci', not 'minikube': name the context to deploy to "
        "another"
    )
    assert kubectl_sees == []


def test_without_a_context_the_readers_minikube_is_reached(
    kubectl_sees: list[str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(choice.manifests, "current_context", lambda: "minikube")
    assert choice.cluster_problem() is None
    assert kubectl_sees == ["minikube"]


def test_a_named_context_is_reached_and_deployed_to(kubectl_sees: list[str | None]) -> None:
    assert choice.cluster_problem("kind-ci") is None
    assert kubectl_sees == ["kind-ci"]
    deployment = choose("auto", among=("cluster", "local"), context="kind-ci")
    assert isinstance(deployment, Cluster)
    assert deployment.context == "kind-ci"


def test_no_context_at_all_is_said(
    kubectl_sees: list[str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(choice.manifests, "current_context", lambda: None)
    assert choice.cluster_problem() == (
        "no context, not 'minikube': name the context to deploy to another"
    )


def test_an_unreachable_context_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        choice.manifests, "cluster_reachable", lambda context=None: (False, "connection refused")
    )
    assert choice.cluster_problem("minikube") == (
        "kubectl reaches no cluster as 'minikube' (connection refused)"
    )


def test_an_empty_context_is_the_readers_minikube() -> None:
    assert Cluster(context="").context == "minikube"
