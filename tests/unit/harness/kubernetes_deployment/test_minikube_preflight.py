"""make minikube-start against a fake minikube: a profile that exists with less than the pods
need is refused, naming both ways on; one that has enough, or the size the reader asked for, is
started as it is."""

from pathlib import Path

import pytest

from kubernetes_deployment.manifests import OVERLAYS_DIR, documents, main, render
from kubernetes_deployment.sizing import minikube_size, total_requests, workloads
from support.fake_minikube import FakeMinikube, installed, profile_listing


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeMinikube:
    return installed(tmp_path, monkeypatch)


def needed_cpus_and_gib() -> tuple[int, int]:
    objects = documents(render(OVERLAYS_DIR / "minikube-elk"))
    size = minikube_size(total_requests(workloads(objects)))
    return size.cpus, size.memory_gib


def started(fake: FakeMinikube) -> list[str]:
    return [call for call in fake.recorded() if call.startswith(("start", "addons"))]


def test_a_smaller_profile_is_refused_saying_how_to_resize_it_or_take_it(
    fake: FakeMinikube, capsys: pytest.CaptureFixture[str]
) -> None:
    cpus, gib = needed_cpus_and_gib()
    fake.install(profiles=profile_listing(2, 4096, driver="docker"))
    assert main(["minikube-start", "--context", "minikube"]) == 1
    error = capsys.readouterr().err
    assert error.startswith(
        "error: the minikube profile minikube exists with 2 CPUs and 4 GiB, less than the "
        f"{cpus} CPUs and {gib} GiB the pods need"
    )
    assert "`minikube delete --profile minikube` (it removes the cluster)" in error
    assert "make minikube-start MINIKUBE_CPUS=2 MINIKUBE_MEMORY_GIB=4" in error
    assert started(fake) == []


def test_the_size_it_refused_is_started_when_the_reader_asks_for_it(
    fake: FakeMinikube, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.install(profiles=profile_listing(2, 4096))
    size = ["--cpus", "2", "--memory-gib", "4"]
    assert main(["minikube-start", "--context", "minikube", *size]) == 0
    assert started(fake) == [
        "start --profile minikube",
        "addons enable metrics-server --profile minikube",
    ]


def test_a_profile_short_of_memory_by_a_little_is_refused(
    fake: FakeMinikube, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.install(profiles=profile_listing(8, 3900))  # minikube's default on a small machine
    assert main(["minikube-start", "--cpus", "2", "--memory-gib", "4"]) == 1
    error = capsys.readouterr().err
    assert "exists with 8 CPUs and 3900 MiB, less than the 2 CPUs and 4 GiB" in error
    assert "make minikube-start MINIKUBE_CPUS=8 MINIKUBE_MEMORY_GIB=3" in error
    assert started(fake) == []


def test_a_profile_with_room_enough_is_started_as_it_is(fake: FakeMinikube) -> None:
    cpus, gib = needed_cpus_and_gib()
    fake.install(profiles=profile_listing(cpus + 2, (gib + 2) * 1024, name="dev"))
    assert main(["minikube-start", "--context", "dev"]) == 0
    assert started(fake) == ["start --profile dev", "addons enable metrics-server --profile dev"]


def test_a_new_profile_is_started_with_the_size_the_pods_need(fake: FakeMinikube) -> None:
    cpus, gib = needed_cpus_and_gib()
    assert main(["minikube-start", "--context", "minikube"]) == 0
    assert started(fake)[0] == f"start --cpus {cpus} --memory {gib}g --profile minikube"
