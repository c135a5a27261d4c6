"""minikube against a fake minikube: sized from the requests, metrics-server on, a profile that
exists and is large enough left as it is, and the image the pod asks for checked by its full name
and its id."""

import json
import re
from pathlib import Path

import pytest

import system_tools
from common.paths import PROJECT_ROOT
from kubernetes_deployment import minikube
from kubernetes_deployment.manifests import OVERLAYS_DIR, documents, main, pod_image, render
from kubernetes_deployment.minikube import (
    MinikubeError,
    qualified_image_name,
    require_image,
)
from kubernetes_deployment.sizing import MinikubeSize, minikube_size, total_requests, workloads
from service_runner.image_tag import image_tag
from support.fake_minikube import image_listing
from support.fake_tools import fake_tool, first_on_path

POD_IMAGE = "docker.io/library/insurance-charges-model:0.1.0"


def profile_listing(cpus: int, memory_mb: int) -> str:
    """What ``minikube profile list --output json`` says about one profile named minikube."""
    profile = {"Name": "minikube", "Status": "OK", "Config": {"CPUs": cpus, "Memory": memory_mb}}
    return json.dumps({"invalid": [], "valid": [profile]})


@pytest.fixture
def calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the fake minikube records its arguments, one call a line."""
    first_on_path(monkeypatch, tmp_path / "bin")
    return tmp_path / "calls"


def fake_minikube(
    calls: Path, profiles: str | None = None, images: str = "", fails: str = ""
) -> None:
    """A minikube that records each call; ``profiles`` is its profile list (None: no profile),
    ``images`` its image list, and the subcommand ``fails`` exits 1."""
    listing = (
        f"echo '{profiles}'" if profiles else "echo 'No minikube profile was found' >&2; exit 85"
    )
    fake_tool(
        calls.parent / "bin",
        "minikube",
        f'echo "$*" >> {calls}\n'
        f'[ "$1" = "{fails}" ] && {{ echo "$1 went wrong" >&2; exit 1; }}\n'
        'case "$1 $2" in\n'
        f'  "profile list") {listing} ;;\n'
        f"  \"image ls\") printf '{images}' ;;\n"
        "esac",
    )


def recorded(calls: Path) -> list[str]:
    return calls.read_text().splitlines()


def test_a_new_profile_is_started_with_the_size_and_gets_metrics_server(
    calls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_minikube(calls)
    minikube.start(MinikubeSize(3, 5), "minikube")
    assert recorded(calls)[1:] == [
        "start --cpus 3 --memory 5g --profile minikube",
        "addons enable metrics-server --profile minikube",
    ]
    assert "note:" not in capsys.readouterr().out


def test_a_larger_profile_is_started_as_it_is(
    calls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_minikube(calls, profiles=profile_listing(4, 8192))
    minikube.start(MinikubeSize(3, 5), "minikube")
    assert recorded(calls)[1:] == [
        "start --profile minikube",
        "addons enable metrics-server --profile minikube",
    ]
    assert capsys.readouterr().out == "minikube start --profile minikube\n"


def test_a_profile_of_the_same_size_needs_no_note(
    calls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_minikube(calls, profiles=profile_listing(3, 5120))
    minikube.start(MinikubeSize(3, 5))
    assert recorded(calls)[1:] == ["start", "addons enable metrics-server"]
    assert "note:" not in capsys.readouterr().out


@pytest.mark.parametrize("failing", ["start", "addons"])
def test_a_failing_minikube_start_is_an_error(calls: Path, failing: str) -> None:
    fake_minikube(calls, fails=failing)
    with pytest.raises(MinikubeError, match=rf"`minikube {failing} .*` failed \(exit 1\)"):
        minikube.start(MinikubeSize(3, 5))


def test_the_command_line_prints_the_requests_and_what_it_asks_minikube_for(
    calls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_minikube(calls)
    assert main(["minikube-start", "--context", "minikube"]) == 0
    said = capsys.readouterr().out
    assert "minikube-elk: its pods' requests and limits" in said
    size = minikube_size(
        total_requests(workloads(documents(render(OVERLAYS_DIR / "minikube-elk"))))
    )
    flags = " ".join(size.flags())
    assert f"minikube start {flags} --profile minikube" in said


def test_the_command_line_takes_a_size_of_the_reader_s_choosing(calls: Path) -> None:
    fake_minikube(calls)
    assert main(["minikube-start", "--cpus", "6", "--memory-gib", "12"]) == 0
    assert "start --cpus 6 --memory 12g" in recorded(calls)


@pytest.mark.parametrize("option", ["--cpus", "--memory-gib"])
@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_size_that_is_not_a_whole_number_is_a_usage_error(
    option: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["minikube-start", f"{option}={value}"])
    assert exit_.value.code == 2
    assert f"{value!r} is not a whole number above 0" in capsys.readouterr().err


def test_without_minikube_the_command_line_says_where_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    which = system_tools.shutil.which
    monkeypatch.setattr(
        system_tools.shutil,
        "which",
        lambda name, **kw: None if name == "minikube" else which(name, **kw),
    )
    for command in (["minikube-start"], ["check-image"]):
        assert main(command) == 1
        assert "minikube is not installed: see https://minikube.sigs.k8s.io" in (
            capsys.readouterr().err
        )


@pytest.mark.parametrize(
    ("name", "qualified"),
    [
        ("insurance-charges-model:0.1.0", POD_IMAGE),
        ("library/app:1", "docker.io/library/app:1"),
        ("someone/app:1", "docker.io/someone/app:1"),
        (POD_IMAGE, POD_IMAGE),
        ("localhost/app:1", "localhost/app:1"),
        ("registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9"),
        ("localhost:5000/app:1", "localhost:5000/app:1"),
    ],
)
def test_image_names_are_qualified_as_the_container_runtime_reads_them(
    name: str, qualified: str
) -> None:
    assert qualified_image_name(name) == qualified


def test_the_pod_asks_for_the_image_make_builds() -> None:
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    [name] = re.findall(r"^IMAGE \?= (\S+)$", makefile, re.MULTILINE)
    assert "TAG ?= $(eval TAG := $(shell $(PY) -m service_runner.image_tag))$(TAG)" in makefile
    image = qualified_image_name(pod_image(OVERLAYS_DIR / "minikube"))
    assert image == f"docker.io/library/{name}:{image_tag()}"


BUILT_ID = "sha256:" + "b" * 64  # as docker prints it; podman and minikube drop "sha256:"


@pytest.mark.parametrize("listed", [POD_IMAGE, "insurance-charges-model:0.1.0"])
def test_an_image_minikube_holds_passes_the_check(calls: Path, listed: str) -> None:
    fake_minikube(calls, images=image_listing({"registry.k8s.io/pause:3.9": "a", listed: "b" * 64}))
    assert require_image("insurance-charges-model:0.1.0", BUILT_ID, "minikube") == POD_IMAGE
    assert recorded(calls) == ["image ls --format json --profile minikube"]


def test_an_older_image_under_the_same_name_is_refused(calls: Path) -> None:
    fake_minikube(calls, images=image_listing({POD_IMAGE: "c" * 64}))
    with pytest.raises(MinikubeError) as error:
        require_image("insurance-charges-model:0.1.0", BUILT_ID)
    assert str(error.value).startswith(
        f"minikube holds {POD_IMAGE} as the image {'c' * 12}, not the one just built "
        f"({'b' * 12}): its node kept an older image under that tag"
    )
    assert str(error.value).endswith("make undeploy, then make minikube-image again")


def test_an_image_loaded_under_podman_s_name_is_named_in_the_error(calls: Path) -> None:
    fake_minikube(calls, images=image_listing({"localhost/insurance-charges-model:0.1.0": "b"}))
    with pytest.raises(MinikubeError) as error:
        require_image("insurance-charges-model:0.1.0", BUILT_ID)
    assert str(error.value) == (
        f"minikube has no {POD_IMAGE}, the image the pod asks for (it holds "
        "localhost/insurance-charges-model:0.1.0); build it and load it under that name with "
        "make minikube-image"
    )


def fake_docker(calls: Path) -> None:
    """A docker that has every image, with the id ``BUILT_ID``."""
    fake_tool(
        calls.parent / "bin",
        "docker",
        f'[ "$1 $2" = "image inspect" ] || exit 1\n[ "$3" = --format ] && echo {BUILT_ID}\nexit 0',
    )


def test_the_check_image_command_checks_the_built_image_is_in_the_profile(
    calls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_docker(calls)
    command = ["check-image", "--context", "minikube", "--engine", "docker", "--image-tag", "0.1.0"]
    fake_minikube(calls, images=image_listing({"registry.k8s.io/pause:3.9": "a"}))
    assert main(command) == 1
    assert "it holds no image of that name" in capsys.readouterr().err
    fake_minikube(calls, images=image_listing({POD_IMAGE: "c" * 64}))
    assert main(command) == 1
    assert "its node kept an older image under that tag" in capsys.readouterr().err
    fake_minikube(calls, images=image_listing({POD_IMAGE: "b" * 64}))
    assert main(command) == 0
    assert capsys.readouterr().out == (
        f"minikube holds {POD_IMAGE}, the image the pod runs, as built ({'b' * 12})\n"
    )
    assert set(recorded(calls)) == {"image ls --format json --profile minikube"}


def test_the_check_image_command_needs_the_built_image(
    calls: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_tool(calls.parent / "bin", "docker", "exit 1")  # it has no image
    fake_minikube(calls, images=image_listing({POD_IMAGE: "b" * 64}))
    assert main(["check-image", "--engine", "docker", "--image-tag", "0.1.0"]) == 1
    assert capsys.readouterr().err == (
        "error: nothing to compare minikube's image with: docker has no image "
        "insurance-charges-model:0.1.0: build it first (make image)\n"
    )
