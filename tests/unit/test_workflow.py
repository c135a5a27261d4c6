"""The GitHub workflow: valid against the workflow schema, and without zizmor's findings."""

import shutil
import subprocess
import sys
from pathlib import Path

from common.paths import PROJECT_ROOT

WORKFLOW = PROJECT_ROOT / ".github" / "workflows" / "ci.yml"


def venv_tool(name: str) -> str:
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


def schema_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [venv_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def zizmor(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [venv_tool("zizmor"), "--offline", str(path)], capture_output=True, text=True, check=False
    )


def test_the_workflow_keeps_the_workflow_schema() -> None:
    done = schema_check(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_names_a_misspelt_key(tmp_path: Path) -> None:
    broken = tmp_path / "ci.yml"
    broken.write_text(WORKFLOW.read_text().replace("runs-on:", "runs_on:", 1))
    done = schema_check(broken)
    assert done.returncode != 0
    assert "runs_on" in done.stdout + done.stderr


def test_zizmor_finds_nothing() -> None:
    done = zizmor(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_zizmor_flags_a_checkout_that_keeps_its_credentials(tmp_path: Path) -> None:
    kept = (
        "        with:\n"
        "          persist-credentials: false  # no later step pushes: the token stays out of "
        ".git/config\n"
    )
    source = WORKFLOW.read_text()
    assert source.count(kept) == 2
    leaky = tmp_path / "ci.yml"
    leaky.write_text(source.replace(kept, ""))
    done = zizmor(leaky)
    assert done.returncode != 0
    assert "artipacked" in done.stdout + done.stderr
