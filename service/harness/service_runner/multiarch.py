"""Build the service's image for several platforms into one OCI archive, with docker or podman.

    python -m service_runner.multiarch --image insurance-charges-model:0.1.0-multiarch \
        --platforms linux/amd64,linux/arm64 \
        --output build/insurance-charges-model-0.1.0-multiarch.oci.tar

Before building, it checks that this host can run every foreign platform's binaries (QEMU
registered in binfmt_misc) and that the base image has every platform, and says what to install or
change when not. docker builds with buildx; podman builds a local manifest list, then writes it out.
"""

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from service_runner.container import ContainerError, build_arguments, engine_command, find_engine

BINFMT_MISC = Path("/proc/sys/fs/binfmt_misc")
# The architectures a platform may name (linux/ARCH), each with the machine name that QEMU and
# its binfmt_misc handler use (qemu-aarch64 runs arm64 binaries).
QEMU_MACHINES = {
    "amd64": "x86_64",
    "arm64": "aarch64",
    "arm": "arm",
    "386": "i386",
    "ppc64le": "ppc64le",
    "s390x": "s390x",
    "riscv64": "riscv64",
}
# What `uname -m` says on some machines, as QEMU names them.
UNAME_MACHINES = {"arm64": "aarch64", "armv7l": "arm", "armv6l": "arm", "i686": "i386"}
EMULATOR_HELP = (
    "install QEMU's user-mode emulators, registered with binfmt_misc: on Debian or Ubuntu "
    "`apt-get install qemu-user-static binfmt-support`; with docker, "
    "`docker run --privileged --rm tonistiigi/binfmt --install all`; "
    "Docker Desktop has them built in"
)


@dataclass(frozen=True)
class MultiarchBuild:
    """A build for several platforms: ``image`` names the podman manifest list and the archive's
    reference; ``output`` is the OCI archive to write."""

    image: str
    platforms: list[str]
    output: Path
    base_image: str
    version: str


def parse_platforms(text: str) -> list[str]:
    """``linux/amd64,linux/arm64`` as a list; ContainerError naming the entry that is wrong."""
    platforms = [entry.strip() for entry in text.split(",")]
    for platform in platforms:
        if not valid_platform(platform):
            raise ContainerError(
                f"bad platform {platform!r} in {text!r}: give comma-separated linux/ARCH or "
                f"linux/ARCH/VARIANT with ARCH one of {', '.join(QEMU_MACHINES)}, "
                "e.g. linux/amd64,linux/arm64"
            )
    repeated = sorted({platform for platform in platforms if platforms.count(platform) > 1})
    if repeated:
        raise ContainerError(f"{', '.join(repeated)} given twice in {text!r}: name each once")
    return platforms


def valid_platform(platform: str) -> bool:
    """linux/ARCH or linux/ARCH/VARIANT, with an ARCH that QEMU_MACHINES knows."""
    parts = platform.split("/")
    return (
        len(parts) in (2, 3)
        and "" not in parts
        and parts[0] == "linux"
        and parts[1] in QEMU_MACHINES
    )


def platform_architecture(platform: str) -> str:
    """``linux/arm64`` -> ``arm64``."""
    return platform.split("/")[1]


def host_architecture(machine: str) -> str:
    """A kernel's machine name (``uname -m``) as a platform names it: x86_64 -> amd64."""
    machine = UNAME_MACHINES.get(machine, machine)
    return next((name for name, qemu in QEMU_MACHINES.items() if qemu == machine), machine)


def current_architecture() -> str:
    """This machine's architecture, as a platform names it."""
    return host_architecture(os.uname().machine)


def emulator_problem(architecture: str, binfmt_misc: Path = BINFMT_MISC) -> str:
    """Why this kernel cannot run ``architecture``'s binaries in a build; '' when it can.

    A build runs them through a QEMU handler in binfmt_misc, enabled and registered with the F
    (fix-binary) flag, so that the emulator needs no file inside the build's container.
    """
    handler = f"qemu-{QEMU_MACHINES[architecture]}"
    status = binfmt_misc / "status"
    if not status.is_file():
        return (
            f"binfmt_misc is not mounted at {binfmt_misc} "
            f"(as root: mount -t binfmt_misc binfmt_misc {binfmt_misc})"
        )
    if status.read_text().strip() != "enabled":
        return f"binfmt_misc is disabled ({status} says so)"
    entry = binfmt_misc / handler
    if not entry.is_file():
        return f"no {handler} handler is registered in {binfmt_misc}"
    lines = entry.read_text().splitlines()
    if not lines or lines[0].strip() != "enabled":
        return f"the {handler} handler in {binfmt_misc} is disabled"
    flags = next((line.split(":", 1)[1] for line in lines if line.startswith("flags:")), "")
    if "F" not in flags:
        return f"the {handler} handler is registered without the F flag, so builds cannot use it"
    return ""


def emulator_problems(
    platforms: list[str], host: str, binfmt_misc: Path = BINFMT_MISC
) -> list[str]:
    """One line for each platform not the host's whose binaries this kernel cannot run."""
    problems = []
    for platform in platforms:
        architecture = platform_architecture(platform)
        reason = "" if architecture == host else emulator_problem(architecture, binfmt_misc)
        if reason:
            problems.append(
                f"{platform}: {reason}; the Dockerfile's RUN steps need "
                f"qemu-{QEMU_MACHINES[architecture]} to run {architecture} binaries on this "
                f"{host} host"
            )
    return problems


def base_image_problem(base_image: str, platforms: list[str], host: str) -> str:
    """Why ``base_image`` cannot serve every platform; '' when it can.

    A ``localhost/`` image (such as the one `make base-image` builds) exists only as built here,
    for this host's architecture: no registry has its other platforms.
    """
    foreign = [platform for platform in platforms if platform_architecture(platform) != host]
    if not base_image.startswith("localhost/") or not foreign:
        return ""
    return (
        f"the base image {base_image} is a local {host} image with nothing for "
        f"{', '.join(foreign)}: a multi-platform build needs a multi-platform base from a "
        "registry, such as python:3.11-slim (BASE_IMAGE=python:3.11-slim)"
    )


def multiarch_problems(build: MultiarchBuild, host: str, binfmt_misc: Path | None) -> list[str]:
    """What stops ``build`` on this host, each with what to do; no emulator check without
    ``binfmt_misc`` (an engine in a virtual machine brings its own emulators)."""
    problems = [] if binfmt_misc is None else emulator_problems(build.platforms, host, binfmt_misc)
    if problems:
        problems.append(f"to fix: {EMULATOR_HELP}")
    base = base_image_problem(build.base_image, build.platforms, host)
    return [*problems, base] if base else problems


def buildx_arguments(build: MultiarchBuild) -> list[str]:
    """``docker buildx build`` for every platform, exported as an OCI archive.

    The oci exporter needs a builder other than the plain docker driver (docker-container), or
    Docker's containerd image store; docker says so when it lacks both.
    """
    arguments = build_arguments("docker", build.image, build.base_image, build.version)[:-1]
    return [
        "buildx", *arguments, "--platform", ",".join(build.platforms),
        "--output", f"type=oci,dest={build.output}", ".",
    ]  # fmt: skip


def podman_multiarch_arguments(build: MultiarchBuild) -> list[str]:
    """``podman build`` for every platform into the local manifest list ``build.image``."""
    arguments = build_arguments("podman", build.image, build.base_image, build.version)[:-1]
    arguments[arguments.index("--tag")] = "--manifest"
    return [*arguments, "--platform", ",".join(build.platforms), "."]


def manifest_push_arguments(build: MultiarchBuild) -> list[str]:
    """``podman manifest push``: the list and every image in it into an OCI archive."""
    return ["manifest", "push", "--all", build.image, f"oci-archive:{build.output}:{build.image}"]


def require_buildx() -> None:
    """ContainerError, saying what to install, when docker has no buildx plugin."""
    if subprocess.run(["docker", "buildx", "version"], capture_output=True, check=False).returncode:
        raise ContainerError(
            "docker buildx is not installed: install Docker's buildx plugin "
            "(docker-buildx-plugin; Docker Desktop has it), or build with podman (ENGINE=podman)"
        )


def fresh_manifest_list(name: str) -> None:
    """Remove an earlier manifest list ``name``, which a build would add to; refuse an image."""
    done = subprocess.run(
        ["podman", "manifest", "exists", name], capture_output=True, text=True, check=False
    )
    if done.returncode == 0:
        engine_command("podman", "manifest", "rm", name)
        print(f"removed the earlier manifest list {name}")
    elif "not a manifest list" in done.stderr:
        raise ContainerError(
            f"{name} is a single-platform image, not a manifest list: give the manifest list "
            f"another name, or remove the image (podman rmi {name})"
        )


def run_build(command: list[str], build: MultiarchBuild) -> None:
    """Run a build with its output shown; ContainerError when it fails."""
    print(" ".join(command))
    if subprocess.run(command, check=False).returncode != 0:
        raise ContainerError(
            f"building {build.image} for {', '.join(build.platforms)} failed (see above)"
        )


def multiarch_next_steps(engine: str, build: MultiarchBuild) -> list[str]:
    """What the reader can do with what the build made."""
    archive = f"oci-archive:{build.output}"
    steps = [
        f"wrote {build.output}: an OCI archive of {build.image} for {', '.join(build.platforms)}",
        f"push it: skopeo copy --all {archive} docker://REGISTRY/{build.image}",
    ]
    if engine == "docker":
        return [
            *steps,
            f"load it: docker load --input {build.output} (Docker with the containerd image "
            "store, Docker Desktop's default; the classic store holds one platform per image)",
        ]
    push_list = f"podman manifest push --all {build.image} docker://REGISTRY/{build.image}"
    return [
        *steps,
        f"podman keeps the manifest list too: podman manifest inspect {build.image}",
        "the OCI format has no HEALTHCHECK (Kubernetes probes the service itself); "
        f"to keep it, push the list itself: {push_list}",
    ]


def build_multiarch(
    engine: str, build: MultiarchBuild, binfmt_misc: Path | None = BINFMT_MISC
) -> None:
    """Check that this host can build every platform, build them, write the OCI archive."""
    if engine not in ("docker", "podman"):
        raise ContainerError(f"multi-platform builds use docker (buildx) or podman, not {engine}")
    if engine == "docker":
        require_buildx()
    problems = multiarch_problems(build, current_architecture(), binfmt_misc)
    if problems:
        raise ContainerError(
            f"cannot build {build.image} for {', '.join(build.platforms)}:\n  "
            + "\n  ".join(problems)
        )
    build.output.parent.mkdir(parents=True, exist_ok=True)
    if engine == "docker":
        run_build(["docker", *buildx_arguments(build)], build)
    else:
        fresh_manifest_list(build.image)
        run_build(["podman", *podman_multiarch_arguments(build)], build)
        engine_command("podman", *manifest_push_arguments(build), timeout=1800)
    for step in multiarch_next_steps(engine, build):
        print(step)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="", help="docker or podman (default: whichever works)")
    parser.add_argument(
        "--image", required=True, help="the archive's reference; podman's manifest list"
    )
    parser.add_argument("--platforms", default="linux/amd64,linux/arm64")
    parser.add_argument("--output", type=Path, required=True, help="the OCI archive to write")
    parser.add_argument("--base-image", default="python:3.11-slim")
    parser.add_argument("--version", default="0.1.0")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        engine = find_engine(arguments.engine)
        build = MultiarchBuild(
            arguments.image,
            parse_platforms(arguments.platforms),
            arguments.output,
            arguments.base_image,
            arguments.version,
        )
        build_multiarch(engine, build, BINFMT_MISC if sys.platform == "linux" else None)
    except ContainerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
