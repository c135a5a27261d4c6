"""Build, run and check the service's container image with docker or podman.

    python -m service_runner.container build --image insurance-charges-model:TAG  # see image_tag
    python -m service_runner.container run --image ... --name ... --port 8000
    python -m service_runner.container check --image ... --config configuration/local.yaml
    python -m service_runner.container stop --name ...

The check runs the image read-only, without capabilities, waits for readiness, sends the first
example of the model's input schema, and compares the answer with the same model loaded in
process. It also checks the user, the capabilities, the read-only root and the JSON logs, and
prints the image's size and the seconds from `run` to ready (the "cold start" property).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from common.paths import PROJECT_ROOT
from common.yaml_files import ConfigurationError
from ml_model_logging.decorator import CREATED, REQUESTED
from model_service.configuration import import_object, load_configuration
from model_service.loading import WORKER_READY
from model_service.routes import prediction_route
from service_runner.image_tag import git
from service_runner.logs import json_records
from service_runner.readiness import NotReadyError, free_port, wait_until_ready
from system_tools import TOOLS, located, missing

CONTAINER_PORT = 8000
ENGINES = ("docker", "podman")  # in the order find_engine tries them
# What the image installs: the Dockerfile copies service/runtime whole. service/harness drives it.
RUNTIME_DIR = PROJECT_ROOT / "service" / "runtime"
HARNESS_DIR = PROJECT_ROOT / "service" / "harness"
# Training's libraries, which the image does not install: no module it ships may import them.
TRAINING_ONLY_LIBRARIES = ("pandas", "matplotlib", "sklearn", "scipy", "skops")
READY_TIMEOUT_SECONDS = 120
# The "cold start" property's bound: the startup probe's budget in kubernetes/base/deployment.yaml
# (periodSeconds 2 x failureThreshold 30), past which Kubernetes restarts the container. Generous:
# the start takes a few seconds (`make image-check` prints it); the bound catches a start
# that a pod would never survive, not a slower one. A test keeps it equal to the manifest's.
COLD_START_BUDGET_SECONDS = 60
CONTAINER_TMP = "/tmp"
HOST_CA_IN_BUILD = "/etc/ssl/certs/host-ca-bundle.pem"
CHECK_REQUEST_ID = "image-check-1"
BASE_PACKAGES = "python3,python3-venv,ca-certificates"
TRIMMED_PATHS = (
    "usr/share/doc",
    "usr/share/man",
    "usr/share/locale",
    "var/cache/apt/archives",
    "var/lib/apt/lists",
)


class ContainerError(RuntimeError):
    """A container engine command failed, or no engine is available; the message says which."""


def engine_works(engine: str) -> bool:
    """True when the engine answers ``info`` (a docker client without a daemon does not)."""
    try:
        return (
            subprocess.run(
                [engine, "info"], capture_output=True, timeout=60, check=False
            ).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def engine_problem(engine: str) -> str | None:
    """Why ``engine`` cannot serve here: not installed, or not answering; None when it can."""
    problem = missing(engine)
    if problem is None and not engine_works(engine):
        problem = f"`{engine} info` does not answer (is its daemon running?)"
    return problem


def chosen_engine(engine: str) -> str:
    """``engine`` (ENGINE=...) if it is on PATH; ContainerError saying how to get it if not."""
    if located(engine) is None:
        how = f": {TOOLS[engine].install_hint()}" if engine in TOOLS else ""
        raise ContainerError(f"ENGINE={engine} is not on PATH{how}")
    return engine


def find_engine(preferred: str = "") -> str:
    """``preferred`` when given, else docker when its daemon answers, else podman."""
    if preferred:
        return chosen_engine(preferred)
    problems = []
    for candidate in ENGINES:
        problem = engine_problem(candidate)
        if problem is None:
            return candidate
        problems.append(problem)
    raise ContainerError(
        "no container engine: install docker (with its daemon running) or podman, or set ENGINE. "
        + " ".join(f"{problem[0].upper()}{problem[1:]}." for problem in problems)
    )


def engine_command(engine: str, *arguments: str, timeout: float = 600) -> str:
    """Run an engine command and return its stdout; ContainerError with its stderr on failure."""
    try:
        done = subprocess.run(
            [engine, *arguments], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise ContainerError(
            f"`{engine} {' '.join(arguments)}` took more than {timeout} s"
        ) from error
    if done.returncode != 0:
        raise ContainerError(f"`{engine} {' '.join(arguments)}` failed: {done.stderr.strip()}")
    return done.stdout


def image_exists(engine: str, image: str) -> bool:
    return (
        subprocess.run(
            [engine, "image", "inspect", image], capture_output=True, check=False
        ).returncode
        == 0
    )


def image_id(engine: str, image: str) -> str:
    """The image's id, the digest of its configuration: the same wherever it is loaded."""
    if not image_exists(engine, image):
        raise ContainerError(f"{engine} has no image {image}: build it first (make image)")
    return engine_command(engine, "image", "inspect", "--format", "{{.Id}}", image).strip()


def image_size_bytes(engine: str, image: str) -> int:
    return int(engine_command(engine, "image", "inspect", "--format", "{{.Size}}", image).strip())


def usable_base_image(engine: str, base_image: str, local_base_image: str) -> str:
    """The base image if present or pullable; otherwise the local one, built when missing."""
    if image_exists(engine, base_image):
        return base_image
    try:
        engine_command(engine, "pull", base_image, timeout=900)
        return base_image
    except ContainerError:
        print(f"cannot pull {base_image} (`{engine} pull {base_image}` says why)")
        print(f"using the local base {local_base_image}")
    if not image_exists(engine, local_base_image):
        build_base_image(engine, local_base_image)
    return local_base_image


def build_base_image(engine: str, image: str, suite: str = "bookworm") -> None:
    """Debian ``suite`` with Python 3 by debootstrap, imported as ``image``: no registry needed."""
    problem = missing("debootstrap")
    if problem:
        raise ContainerError(problem)
    if os.geteuid() != 0:
        raise ContainerError("debootstrap needs root: run `make base-image` as root")
    with tempfile.TemporaryDirectory(prefix="base-rootfs-") as rootfs:
        print(f"debootstrap {suite} into {rootfs} (about a minute)")
        command = ["debootstrap", "--variant=minbase", f"--include={BASE_PACKAGES}", suite, rootfs]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        for trimmed in TRIMMED_PATHS:
            shutil.rmtree(Path(rootfs) / trimmed, ignore_errors=True)
        archive = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)
        subprocess.run(
            [engine, "import", "--change", 'CMD ["python3"]', "-", image],
            stdin=archive.stdout,
            check=True,
        )
        archive.wait()
    print(f"built the local base image {image}")


def build_arguments(engine: str, image: str, base_image: str, version: str) -> list[str]:
    """The ``build`` command line: labels' build args; for podman, host network and CA bundle.
    The context is the project's root, wherever the command runs from."""
    arguments = ["build", "--tag", image, "--build-arg", f"BASE_IMAGE={base_image}"]
    for name, value in (
        ("CREATED", datetime.now(UTC).isoformat()),
        ("REVISION", git_revision()),
        ("VERSION", version),
    ):
        arguments += ["--build-arg", f"{name}={value}"]
    ca_bundle = os.environ.get("PIP_CERT", "")
    if engine == "podman":
        arguments += ["--format", "docker", "--network", "host"]
        if ca_bundle and Path(ca_bundle).is_file():
            arguments += [
                "--volume",
                f"{ca_bundle}:{HOST_CA_IN_BUILD}:ro",
                "--build-arg",
                f"PIP_CERT={HOST_CA_IN_BUILD}",
            ]
    return [*arguments, "--file", str(PROJECT_ROOT / "Dockerfile"), str(PROJECT_ROOT)]


def git_revision() -> str:
    """The commit the image is built from; ``unknown`` outside git, or without git."""
    return (git(PROJECT_ROOT, "rev-parse", "HEAD") or "unknown").strip()


def build_image(
    engine: str,
    image: str,
    base_image: str,
    local_base_image: str,
    version: str,
    quiet: bool = False,
) -> int:
    """Build the image from the project's Dockerfile; return its size in bytes.

    ``quiet`` keeps the engine's build output unless the build fails.
    """
    base = usable_base_image(engine, base_image, local_base_image)
    print(f"building {image} on {base} with {engine}")
    command = [engine, *build_arguments(engine, image, base, version)]
    done = subprocess.run(command, capture_output=quiet, text=True, check=False)
    if done.returncode != 0:
        output = (done.stdout or "")[-3000:] + (done.stderr or "")[-3000:]
        raise ContainerError(f"building {image} failed:\n{output}")
    size = image_size_bytes(engine, image)
    print(f"image {image}: {size / 1e6:.0f} MB")
    return size


def run_arguments(image: str, name: str, port: int) -> list[str]:
    """Detached, removed on stop, read-only root with a tmpfs /tmp, no capabilities."""
    return [
        "run", "--detach", "--rm", "--name", name,
        "--publish", f"127.0.0.1:{port}:{CONTAINER_PORT}",
        "--read-only", "--tmpfs", CONTAINER_TMP,
        "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        image,
    ]  # fmt: skip


def start_container(engine: str, image: str, name: str, port: int) -> float:
    """Start the container and wait until it is ready; return the seconds from start to ready."""
    started = time.monotonic()
    engine_command(engine, *run_arguments(image, name, port))
    try:
        wait_until_ready(f"http://127.0.0.1:{port}", READY_TIMEOUT_SECONDS)
    except NotReadyError as error:
        logs = engine_command(engine, "logs", name, timeout=60)
        stop_container(engine, name)
        raise ContainerError(f"{error}\n{logs[-3000:]}") from error
    return time.monotonic() - started


def stop_container(engine: str, name: str) -> None:
    engine_command(engine, "stop", "--time", "30", name, timeout=60)


def save_image(engine: str, image: str, output: Path, saved_as: str = "") -> str:
    """Save ``image`` as a tar archive, under the name ``saved_as`` if given (tagged so first);
    return the name it is saved under.

    podman names a local build ``localhost/NAME:TAG``, a name a cluster's runtime never asks for;
    saved as ``docker.io/library/NAME:TAG``, the image loads under the name a pod asks for.
    """
    if not image_exists(engine, image):
        raise ContainerError(f"{engine} has no image {image}: build it first (make image)")
    if saved_as:
        engine_command(engine, "tag", image, saved_as)
    output.parent.mkdir(parents=True, exist_ok=True)
    engine_command(engine, "save", "--output", str(output), saved_as or image)
    return saved_as or image


def exec_python(engine: str, name: str, code: str) -> subprocess.CompletedProcess:
    """Run Python code in the container; the result, whatever its exit code."""
    return subprocess.run(
        [engine, "exec", name, "python", "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@dataclass
class Observations:
    """What the check saw; ``evaluate`` turns it into verdicts."""

    ready_seconds: float | None = None
    status_code: int | None = None
    answer: Any = None
    expected: Any = None
    uid: str = ""
    capabilities: str = ""
    root_write_error: str = ""
    tmp_write_ok: bool = False
    records: list[dict[str, Any]] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    imports_checked: int = 0
    import_failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ImageProperty:
    """One property the image must have, whether it has it, and what was seen."""

    name: str
    passed: bool
    detail: str


def evaluate(seen: Observations) -> list[ImageProperty]:
    """Each property the image must have, checked against what was seen."""
    logged = [
        record.get("message")
        for record in seen.records
        if record.get("prediction_id") == CHECK_REQUEST_ID
    ]
    return [
        ImageProperty(
            "ready",
            seen.ready_seconds is not None,
            "the readiness probe answered 200" if seen.ready_seconds is not None else "never ready",
        ),
        cold_start(seen.ready_seconds),
        ImageProperty(
            "same prediction as in process",
            seen.status_code == 200 and seen.answer == seen.expected,
            f"container {seen.status_code} {seen.answer}, in process {seen.expected}",
        ),
        ImageProperty("runs as non-root", seen.uid not in ("", "0"), f"uid {seen.uid or '?'}"),
        ImageProperty(
            "no capabilities",
            seen.capabilities.strip() == "0000000000000000",
            f"CapEff {seen.capabilities or '?'}",
        ),
        ImageProperty(
            "read-only root filesystem",
            "Read-only file system" in seen.root_write_error and seen.tmp_write_ok,
            f"writing /app: {seen.root_write_error or 'succeeded'}; "
            f"/tmp writable: {seen.tmp_write_ok}",
        ),
        ImageProperty(
            "only the runtime packages",
            seen.packages == runtime_packages(),
            f"the project's packages in the image: {', '.join(seen.packages) or 'none'}",
        ),
        worker_start(seen.records),
        ImageProperty(
            f"no {', '.join(TRAINING_ONLY_LIBRARIES)} import",
            seen.imports_checked > 0 and not seen.import_failures,
            "; ".join(seen.import_failures)
            or f"all {seen.imports_checked} modules it ships import without them",
        ),
        ImageProperty(
            "JSON prediction logs on stdout",
            logged == [REQUESTED, CREATED],
            f"records for the request: {logged}",
        ),
    ]


def cold_start(ready_seconds: float | None) -> ImageProperty:
    """Ready within the startup probe's budget, counted from `run` (the seconds are printed)."""
    measured = "not ready" if ready_seconds is None else f"{ready_seconds:.1f} s"
    bound = COLD_START_BUDGET_SECONDS
    return ImageProperty(
        "cold start",
        ready_seconds is not None and ready_seconds <= bound,
        f"{measured} from `run` to ready (bound: the startup probe's {bound} s)",
    )


def worker_start(records: list[dict[str, Any]]) -> ImageProperty:
    """Every worker said it was ready, and how long after its process started (printed: the
    image's start, without the engine's share of `run`)."""
    seconds = [
        record.get("seconds_since_start")
        for record in records
        if record.get("message") == WORKER_READY
    ]
    known = [value for value in seconds if isinstance(value, (int, float))]
    shown = ", ".join(f"{value:.2f} s" for value in known) or "no worker said it was ready"
    return ImageProperty(
        "worker start",
        bool(seconds) and len(known) == len(seconds),
        f"{shown} from each worker's process start to ready",
    )


def expected_answer(config_path: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The first model's first schema example, and the in-process model's answer to it."""
    model_configuration = load_configuration(config_path).models[0]
    model = import_object(model_configuration.class_path)(**model_configuration.kwargs)
    example = model.input_schema.model_json_schema()["examples"][0]
    answer = model.predict(model.input_schema.model_validate(example)).model_dump(mode="json")
    return example, {"path": prediction_route(model.qualified_name), "answer": answer}


def observe(engine: str, image: str, config_path: Path) -> Observations:
    """Run the image once and collect the observations; the container is always stopped."""
    example, expected = expected_answer(config_path)
    name, port = f"image-check-{os.getpid()}", free_port()
    seen = Observations(expected=expected["answer"])
    seen.ready_seconds = start_container(engine, image, name, port)
    try:
        response = httpx.post(
            f"http://127.0.0.1:{port}{expected['path']}",
            json=example,
            headers={"X-Request-ID": CHECK_REQUEST_ID},
        )
        seen.status_code, seen.answer = response.status_code, response.json()
        seen.uid = exec_python(engine, name, "import os; print(os.getuid())").stdout.strip()
        capabilities = exec_python(engine, name, "print(open('/proc/1/status').read())").stdout
        seen.capabilities = next(
            (line.split()[1] for line in capabilities.splitlines() if line.startswith("CapEff")), ""
        )
        seen.root_write_error = last_line(
            exec_python(engine, name, "open('/app/probe', 'w')").stderr
        )
        seen.tmp_write_ok = (
            exec_python(engine, name, "open('/tmp/probe', 'w').write('ok')").returncode == 0
        )
        seen.packages = installed_packages(engine, name)
        seen.imports_checked, seen.import_failures = shipped_imports(engine, name)
        time.sleep(0.5)  # the log records are written by a background thread
        seen.records = json_records(engine_command(engine, "logs", name, timeout=60))
    finally:
        stop_container(engine, name)
    return seen


def packages_in(folder: Path) -> list[str]:
    """The packages in ``folder``: its subfolders with an ``__init__.py``."""
    return sorted(path.parent.name for path in folder.glob("*/__init__.py"))


def runtime_packages() -> list[str]:
    """The packages the image ships: those in service/runtime."""
    return packages_in(RUNTIME_DIR)


def project_packages() -> list[str]:
    """Every package of the project: the runtime's and the harness's."""
    return sorted(packages_in(RUNTIME_DIR) + packages_in(HARNESS_DIR))


# Imports every module of the runtime packages inside the container (their ``__main__`` modules
# run nothing on import), then names each that failed and each training library that got loaded.
SHIPPED_IMPORTS = """\
import importlib, json, pkgutil, sys
packages, banned = {packages!r}, {banned!r}
modules, failures = [], []
for package in packages:
    root = importlib.import_module(package)
    found = pkgutil.walk_packages(root.__path__, package + ".")
    modules += [package, *(info.name for info in found)]
for module in modules:
    try:
        importlib.import_module(module)
    except Exception as error:
        failures.append(f"{{module}}: {{type(error).__name__}}: {{error}}")
failures += [f"{{name}} was imported" for name in banned if name in sys.modules]
print(json.dumps([len(modules), failures]))
"""


def shipped_imports(engine: str, name: str) -> tuple[int, list[str]]:
    """How many of the image's modules were imported; which failed, or loaded a banned library."""
    code = SHIPPED_IMPORTS.format(packages=runtime_packages(), banned=TRAINING_ONLY_LIBRARIES)
    done = exec_python(engine, name, code)
    if done.returncode != 0:
        return 0, [f"the import check itself failed: {last_line(done.stderr)}"]
    checked, failures = json.loads(last_line(done.stdout))
    return checked, failures


def installed_packages(engine: str, name: str) -> list[str]:
    """The project's packages that Python in the container can import."""
    code = (
        "import importlib.util; "
        f"print(','.join(p for p in {project_packages()!r} if importlib.util.find_spec(p)))"
    )
    found = exec_python(engine, name, code).stdout.strip()
    return sorted(found.split(",")) if found else []


def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def check_image(engine: str, image: str, config_path: Path) -> bool:
    """Print the image's size, time to ready and every verdict; True when all pass."""
    print(f"image {image}: {image_size_bytes(engine, image) / 1e6:.0f} MB")
    properties = evaluate(observe(engine, image, config_path))
    for checked in properties:
        print(f"{'PASS' if checked.passed else 'FAIL'}  {checked.name}: {checked.detail}")
    return all(checked.passed for checked in properties)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--engine", default="", help="docker or podman (default: whichever works)")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", parents=[common], help="build the image")
    build.add_argument("--image", required=True)
    build.add_argument("--base-image", default="python:3.11-slim")
    build.add_argument("--local-base-image", default="localhost/debian-python:bookworm")
    build.add_argument("--version", default="0.1.0")
    base = commands.add_parser(
        "base-image", parents=[common], help="build a local base with debootstrap"
    )
    base.add_argument("--image", default="localhost/debian-python:bookworm")
    run = commands.add_parser(
        "run", parents=[common], help="run the image detached, wait until ready"
    )
    run.add_argument("--image", required=True)
    run.add_argument("--name", required=True)
    run.add_argument("--port", type=int, default=CONTAINER_PORT)
    save = commands.add_parser("save", parents=[common], help="save the image as a tar archive")
    save.add_argument("--image", required=True)
    save.add_argument("--output", type=Path, required=True)
    save.add_argument(
        "--as", dest="saved_as", default="", metavar="NAME",
        help="the name to save it under (tagged so first), such as the one a pod asks for",
    )  # fmt: skip
    stop = commands.add_parser("stop", parents=[common], help="stop a container")
    stop.add_argument("--name", required=True)
    check = commands.add_parser("check", parents=[common], help="run the image and check it")
    check.add_argument("--image", required=True)
    check.add_argument(
        "--config", type=Path, required=True, help="configuration of the model to compare"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        engine = find_engine(arguments.engine)
        if arguments.command == "build":
            build_image(
                engine,
                arguments.image,
                arguments.base_image,
                arguments.local_base_image,
                arguments.version,
            )
        elif arguments.command == "base-image":
            build_base_image(engine, arguments.image)
        elif arguments.command == "run":
            seconds = start_container(engine, arguments.image, arguments.name, arguments.port)
            print(
                f"{arguments.name} ready on http://127.0.0.1:{arguments.port} after {seconds:.1f} s"
            )
        elif arguments.command == "save":
            saved = save_image(engine, arguments.image, arguments.output, arguments.saved_as)
            print(f"saved {arguments.image} as {saved} to {arguments.output}")
        elif arguments.command == "stop":
            stop_container(engine, arguments.name)
        else:
            return 0 if check_image(engine, arguments.image, arguments.config) else 1
    except (ContainerError, ConfigurationError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
