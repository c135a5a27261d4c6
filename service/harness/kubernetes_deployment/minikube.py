"""minikube, for a reader who has it: start it with room for the manifests, check its images.

A command given a profile names it with ``--profile``. minikube names its kubectl context after
the profile, so one name picks both (``manifests``' ``--context``).
"""

import json
import subprocess

from kubernetes_deployment.sizing import MinikubeSize
from system_tools import MissingToolError, require

DEFAULT_PROFILE = "minikube"


class MinikubeError(RuntimeError):
    """minikube is missing or a minikube command failed."""


def minikube_path() -> str:
    """Where minikube is; MinikubeError saying where to get it when it is not installed."""
    try:
        return require("minikube")
    except MissingToolError as error:
        raise MinikubeError(str(error)) from None


def profile_arguments(profile: str | None) -> list[str]:
    return ["--profile", profile] if profile else []


def minikube(*arguments: str, profile: str | None = None, timeout: float = 120) -> str:
    """Run a minikube command and return what it printed; MinikubeError with why it failed."""
    done = subprocess.run(
        [minikube_path(), *arguments, *profile_arguments(profile)],
        capture_output=True, text=True, timeout=timeout, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        said = done.stderr.strip() or done.stdout.strip()
        raise MinikubeError(f"minikube {' '.join(arguments)}: {said}")
    return done.stdout


def run_in_foreground(*arguments: str, profile: str | None = None) -> None:
    """Run a minikube command with its output on the terminal (``start`` takes minutes)."""
    command = [minikube_path(), *arguments, *profile_arguments(profile)]
    done = subprocess.run(command, check=False)
    if done.returncode != 0:
        raise MinikubeError(
            f"`minikube {' '.join(arguments)}` failed (exit {done.returncode}); "
            "minikube said why above"
        )


def existing_size(profile: str | None = None) -> MinikubeSize | None:
    """The profile's size if it exists (``minikube profile list``); None when it does not."""
    try:
        listing = json.loads(minikube("profile", "list", "--output", "json"))
    except (MinikubeError, json.JSONDecodeError):
        return None  # with no profile at all, minikube answers with an error
    for entry in listing.get("valid") or []:
        if entry.get("Name") == (profile or DEFAULT_PROFILE):
            config = entry.get("Config") or {}
            return MinikubeSize(int(config.get("CPUs", 0)), round(config.get("Memory", 0) / 1024))
    return None


def start(size: MinikubeSize, profile: str | None = None) -> None:
    """Start minikube with ``size``, and enable metrics-server, which the autoscaler reads.

    minikube keeps the size of a profile that exists, so then it says how to resize it.
    """
    existing = existing_size(profile)
    command = ["start"] if existing else ["start", *size.flags()]
    if existing and existing != size:
        delete = " ".join(["minikube", "delete", *profile_arguments(profile)])
        print(
            f"note: the minikube profile {profile or DEFAULT_PROFILE} exists with "
            f"{existing.describe()}, and minikube keeps that size. For {size.describe()}: "
            f"`{delete}` (it removes the cluster), then make minikube-start again."
        )
    print(" ".join(["minikube", *command, *profile_arguments(profile)]))
    run_in_foreground(*command, profile=profile)
    run_in_foreground("addons", "enable", "metrics-server", profile=profile)


def qualified_image_name(name: str) -> str:
    """``name`` as containerd and Docker resolve it: ``app:1`` is ``docker.io/library/app:1``."""
    first, _, rest = name.partition("/")
    if not rest:
        return f"docker.io/library/{name}"
    if "." in first or ":" in first or first == "localhost":
        return name
    return f"docker.io/{name}"


def repository_of(name: str) -> str:
    """The last part of an image's name, without registry, path or tag: ``app`` for all of
    ``localhost/app:1``, ``docker.io/library/app:2`` and ``app``."""
    return name.rsplit("/", 1)[-1].split(":", 1)[0].split("@", 1)[0]


def require_image(image: str, profile: str | None = None) -> str:
    """``image``, fully named, if minikube holds it; MinikubeError saying what it holds instead."""
    wanted = qualified_image_name(image)
    listed = minikube("image", "ls", profile=profile).split()
    held = {qualified_image_name(name) for name in listed}
    if wanted in held:
        return wanted
    similar = sorted(name for name in held if repository_of(name) == repository_of(wanted))
    holds = f"it holds {', '.join(similar)}" if similar else "it holds no image of that name"
    raise MinikubeError(
        f"minikube has no {wanted}, the image the pod asks for ({holds}); "
        "build it and load it under that name with make minikube-image"
    )
