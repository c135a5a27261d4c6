"""The Dockerfile: hadolint-clean, and the properties the image relies on."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from common.paths import PROJECT_ROOT
from common.yaml_files import included_file
from model_service.configuration import INCLUDED_FILES

DOCKERFILE = (PROJECT_ROOT / "Dockerfile").read_text()


def hadolint() -> str:
    return shutil.which("hadolint", path=str(Path(sys.executable).parent)) or "hadolint"


def test_hadolint_reports_nothing() -> None:
    done = subprocess.run(
        [hadolint(), str(PROJECT_ROOT / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_ignored_rule_says_why() -> None:
    lines = DOCKERFILE.splitlines()
    for number, line in enumerate(lines):
        if "hadolint ignore" in line:
            assert re.search(r"hadolint ignore=\S+\s+\S", line), (
                f"line {number + 1} ignores a rule without a reason"
            )


def test_the_base_is_an_argument_defaulting_to_python_slim() -> None:
    assert "ARG BASE_IMAGE=python:3.11-slim" in DOCKERFILE
    assert DOCKERFILE.count("FROM ${BASE_IMAGE} AS") == 2


def test_runtime_runs_as_a_numeric_non_root_user_with_exec_form_cmd() -> None:
    runtime = DOCKERFILE.split("AS runtime", 1)[1]
    assert re.search(r"^USER 10001:10001$", runtime, re.MULTILINE)
    assert re.search(r'^CMD \["python", "-m", "model_service"\]$', runtime, re.MULTILINE)
    assert "HEALTHCHECK" in runtime
    for label in ("created", "revision", "version"):
        assert f"org.opencontainers.image.{label}=" in runtime


def test_the_build_context_leaves_out_the_venv_and_data() -> None:
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
    assert ignored[1] == "*", "everything is excluded first, then the few inputs are let back in"
    assert not any(line.startswith("!") and (".venv" in line or "data" in line) for line in ignored)


def test_the_image_copies_the_runtime_folder_whole_and_nothing_else_of_service() -> None:
    copied = re.findall(r"^COPY (service\S*) (\S+)$", DOCKERFILE, re.MULTILINE)
    assert copied == [("service/runtime", "/src/service/runtime")]
    let_in = [
        line
        for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!service")
    ]
    assert let_in == ["!service/runtime/"]


def test_the_image_gets_each_configuration_file_and_the_files_they_name() -> None:
    [copy] = re.findall(r"^COPY (configuration/.+) /app/configuration/$", DOCKERFILE, re.MULTILINE)
    copied = {Path(name) for name in copy.split()}
    let_in = {
        Path(line.removeprefix("!"))
        for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!configuration/")
    }
    assert copied == let_in
    named = {
        included_file(yaml.safe_load((PROJECT_ROOT / path).read_text()), key, path)
        for path in copied
        for key in INCLUDED_FILES
    }
    assert named - {None} == {Path("configuration/logging.yaml")}
    assert named <= copied | {None}


def stage_runs(stage: str) -> list[str]:
    """The RUN instructions of the stage ``build`` or ``runtime``, continuation lines joined."""
    build, runtime = DOCKERFILE.split("AS runtime", 1)
    text = {"build": build.split("AS build", 1)[1], "runtime": runtime}[stage]
    joined = re.sub(r"\\\n\s*", " ", text)
    return [line.removeprefix("RUN ") for line in joined.splitlines() if line.startswith("RUN ")]


def test_the_runtime_stage_installs_nothing_and_its_venv_has_no_pip() -> None:
    for command in stage_runs("runtime"):
        assert not re.search(r"\b(pip|apt-get|strip)\b", command), command
    build = " && ".join(stage_runs("build"))
    uninstall = build.index("-m pip uninstall --yes --quiet pip setuptools")
    assert "pip install" not in build[uninstall:], "pip and setuptools go after the last install"
    assert "-m compileall -q /opt/venv" in build[uninstall:]


def test_strip_runs_in_the_build_stage_only_and_spares_the_vendored_libraries() -> None:
    assert not any("strip" in command for command in stage_runs("runtime"))
    [stripping] = [
        command for command in stage_runs("build") if "strip --strip-unneeded" in command
    ]
    assert "find /opt/venv -type f -name '*.so' -not -path '*.libs/*' -exec strip" in stripping
    # then every extension module is loaded, so a library that strip broke fails the build
    loading = (
        """&& /opt/venv/bin/python -c "import ctypes, pathlib; """
        """[ctypes.CDLL(str(p)) for p in pathlib.Path('/opt/venv').rglob('*.so')]"""
    )
    assert stripping.index(loading) > stripping.index("strip --strip-unneeded")


def test_the_venv_leaves_out_test_suites_and_type_stubs() -> None:
    [slimming] = [command for command in stage_runs("build") if "-name '*.pyi' -delete" in command]
    assert r"find /opt/venv -type d \( -name tests -o -name test \) -prune -exec rm -rf {} +" in (
        slimming
    )


def test_bytecode_is_compiled_in_the_build_and_never_written_at_run_time() -> None:
    assert stage_runs("build")[-1].endswith("/opt/venv/bin/python -m compileall -q /opt/venv")
    runtime = DOCKERFILE.split("AS runtime", 1)[1]
    assert re.search(r"^\s+PYTHONDONTWRITEBYTECODE=1 \\$", runtime, re.MULTILINE)
