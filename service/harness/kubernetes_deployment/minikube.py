"""minikube, for a reader who has it: start it with room for the manifests, check its images.

A command given a profile names it with ``--profile``. minikube names its kubectl context after
the profile, so one name picks both (``manifests``' ``--context``).
"""

import json
import platform
import subprocess
from dataclasses import dataclass

from kubernetes_deployment.sizing import MinikubeSize
from system_tools import MissingToolError, require

DEFAULT_PROFILE = "minikube"
MIB_PER_GIB = 1024  # minikube counts a profile's memory in MiB


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


@dataclass(frozen=True)
class Profile:
    """A minikube profile that exists: its size and its driver (docker, kvm2, hyperkit...)."""

    name: str
    cpus: int
    memory_mib: int
    driver: str

    def holds(self, size: MinikubeSize) -> bool:
        """Whether it has at least ``size``'s CPUs and memory."""
        return self.cpus >= size.cpus and self.memory_mib >= size.memory_gib * MIB_PER_GIB

    def describe(self) -> str:
        gib, mib = divmod(self.memory_mib, MIB_PER_GIB)
        return f"{self.cpus} CPUs and " + (f"{self.memory_mib} MiB" if mib else f"{gib} GiB")


def existing_profile(profile: str | None = None) -> Profile | None:
    """The profile if it exists (``minikube profile list``); None when it does not."""
    minikube_path()  # a missing minikube is an error of its own, not a missing profile
    try:
        listing = json.loads(minikube("profile", "list", "--output", "json"))
    except (MinikubeError, json.JSONDecodeError):
        return None  # with no profile at all, minikube answers with an error
    name = profile or DEFAULT_PROFILE
    for entry in listing.get("valid") or []:
        if entry.get("Name") == name:
            config = entry.get("Config") or {}
            return Profile(
                name, int(config.get("CPUs", 0)), int(config.get("Memory", 0)),
                str(config.get("Driver", "")),
            )  # fmt: skip
    return None


def too_small(existing: Profile, size: MinikubeSize, profile: str | None) -> str:
    """Why an existing profile smaller than ``size`` is not started, and the two ways on."""
    delete = " ".join(["minikube", "delete", *profile_arguments(profile)])
    memory_gib = existing.memory_mib // MIB_PER_GIB
    return (
        f"the minikube profile {existing.name} exists with {existing.describe()}, less than the "
        f"{size.describe()} the pods need, and minikube keeps a profile's size: some pods would "
        f"stay Pending. Either `{delete}` (it removes the cluster), then make minikube-start "
        f"again; or take it at its size: make minikube-start MINIKUBE_CPUS={existing.cpus} "
        f"MINIKUBE_MEMORY_GIB={memory_gib}"
    )


def start(size: MinikubeSize, profile: str | None = None) -> None:
    """Start minikube with ``size``, and enable metrics-server, which the autoscaler reads.

    minikube keeps the size of a profile that exists: one smaller than ``size`` is refused
    (MinikubeError saying how to resize it, or to ask for less), one as large or larger started.
    """
    existing = existing_profile(profile)
    if existing and not existing.holds(size):
        raise MinikubeError(too_small(existing, size, profile))
    command = ["start"] if existing else ["start", *size.flags()]
    print(" ".join(["minikube", *command, *profile_arguments(profile)]))
    run_in_foreground(*command, profile=profile)
    run_in_foreground("addons", "enable", "metrics-server", profile=profile)


def host_system() -> str:
    """The host's system as ``platform.system()`` names it, with WSL as ``WSL``: minikube's docker
    driver there, as on macOS and Windows, runs the node in a VM the host cannot route to."""
    system = platform.system()
    if system == "Linux" and "microsoft" in platform.release().lower():
        return "WSL"
    return system


def node_reachable(profile: Profile) -> bool:
    """Whether the host reaches the node's IP: not with the docker driver off native Linux, where
    ``minikube service --url`` holds a tunnel open instead of answering."""
    return not (profile.driver == "docker" and host_system() != "Linux")


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


def image_id(reported: str) -> str:
    """An image id without its ``sha256:`` prefix (docker prints it, podman and minikube not)."""
    return reported.strip().removeprefix("sha256:")


def node_images(profile: str | None = None) -> dict[str, str]:
    """The images minikube's node holds: each one's full name, and its id."""
    listing = json.loads(minikube("image", "ls", "--format", "json", profile=profile) or "[]")
    return {
        qualified_image_name(name): image_id(entry.get("id", ""))
        for entry in listing
        for name in entry.get("repoTags") or []
    }


def require_image(image: str, built_id: str, profile: str | None = None) -> str:
    """``image``, fully named, if minikube holds it with the id ``built_id`` (of the image just
    built); MinikubeError saying what it holds instead."""
    wanted = qualified_image_name(image)
    held = node_images(profile)
    if wanted in held and held[wanted] == image_id(built_id):
        return wanted
    if wanted in held:
        raise MinikubeError(
            f"minikube holds {wanted} as the image {held[wanted][:12]}, not the one just built "
            f"({image_id(built_id)[:12]}): its node kept an older image under that tag, which a "
            "container still uses (a model retrained at the same commit keeps the tag). "
            "make undeploy, then make minikube-image again"
        )
    similar = sorted(name for name in held if repository_of(name) == repository_of(wanted))
    holds = f"it holds {', '.join(similar)}" if similar else "it holds no image of that name"
    raise MinikubeError(
        f"minikube has no {wanted}, the image the pod asks for ({holds}); "
        "build it and load it under that name with make minikube-image"
    )
