"""The Makefile: its targets documented, the venv's Python found by itself, JupyterLab's command."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
MAKEFILE = (PROJECT / "Makefile").read_text()
MAKE = shutil.which("make") or "make"


def make(*arguments: str, path: str, cwd: Path = PROJECT) -> subprocess.CompletedProcess[str]:
    """Run the project's Makefile from ``cwd``, with only ``path`` for PATH in the environment."""
    return subprocess.run(
        [MAKE, "--no-print-directory", "-C", str(cwd), "-f", str(PROJECT / "Makefile"), *arguments],
        env={"PATH": path},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    """An empty folder for fake Pythons."""
    folder = tmp_path / "bin"
    folder.mkdir()
    return folder


@pytest.fixture
def tools(tmp_path: Path) -> Path:
    """The commands the Makefile's ``$(shell ...)`` calls run, and no Python among them."""
    folder = tmp_path / "tools"
    folder.mkdir()
    for name in set(re.findall(r"\$\(shell (\w+)", MAKEFILE)):
        (folder / name).symlink_to(shutil.which(name) or f"/bin/{name}")
    return folder


def fake(bin_dir: Path, name: str, said: str, status: int = 0) -> Path:
    """A command that prints ``said`` (to stderr when it fails) to any arguments but
    ``-m venv DIR``, which it records beside itself."""
    command = bin_dir / name
    command.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = -m ]; then echo "$@" > "$0.called"; exit 0; fi\n'
        f"echo '{said}'{' >&2' if status else ''}\n"
        f"exit {status}\n"
    )
    command.chmod(0o755)
    return command


def pick(bin_dir: Path, tools: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return make("python-version", *arguments, path=f"{bin_dir}:{tools}")


# Every target documented, in sections: the reader's first.

SECTIONS = [
    "Start here",
    "Set-up and single steps",
    "Container image",
    "Kubernetes with minikube",
    "Without a cluster: podman, and the manifests offline",
    "Maintainers: checks, CI and generated files",
    "Maintainers: load tests in depth, performance and reliability",
]
READERS_TARGETS = ["blog", "test", "lab", "serve", "image", "deploy", "load-test", "drift"]


def help_sections(makefile: Path = PROJECT / "Makefile") -> dict[str, list[str]]:
    """What ``make help`` prints: each section's title and the targets under it, in order."""
    done = subprocess.run(
        [MAKE, "--no-print-directory", "-f", str(makefile), "help"],
        cwd=PROJECT,
        env={"PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    sections: dict[str, list[str]] = {}
    targets: list[str] = []  # the last section's
    for line in done.stdout.splitlines():
        if line.startswith("  "):
            targets.append(line.split()[0])
        elif line:
            targets = sections.setdefault(line.removesuffix(":"), [])
    return sections


def test_every_phony_target_has_a_help_line_and_help_lists_it_once() -> None:
    phony = re.search(r"^\.PHONY:((?:.*\\\n)*.*)$", MAKEFILE, re.MULTILINE)
    assert phony
    targets = set(phony.group(1).replace("\\\n", " ").split())
    documented = re.findall(r"^([a-zA-Z_-]+):.*## ", MAKEFILE, re.MULTILINE)
    assert targets == set(documented)
    listed = [target for section in help_sections().values() for target in section]
    assert sorted(listed) == sorted(documented)


def test_help_prints_the_sections_in_order_with_the_readers_targets_first() -> None:
    sections = help_sections()
    assert list(sections) == SECTIONS
    assert sections["Start here"] == READERS_TARGETS
    assert all(sections.values())


def test_help_fails_on_a_section_it_does_not_know(tmp_path: Path) -> None:
    stray = tmp_path / "Makefile"
    stray.write_text(MAKEFILE.replace("\nimage-lint:", "\n##@ Odds and ends\nimage-lint:"))
    with pytest.raises(AssertionError, match='the section "Odds and ends" is not in HELP_SECTIONS'):
        help_sections(stray)


# The venv's Python.


def test_the_newest_python_of_at_least_3_11_is_picked(bin_dir: Path, tools: Path) -> None:
    fake(bin_dir, "python3.11", "Python 3.11.9")
    fake(bin_dir, "python3.12", "Python 3.12.1")
    fake(bin_dir, "python3", "Python 3.10.12")
    done = pick(bin_dir, tools)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "python3.12 (Python 3.12.1)\n"


def test_python3_is_picked_when_it_is_the_newest(bin_dir: Path, tools: Path) -> None:
    fake(bin_dir, "python3.11", "Python 3.11.9")
    fake(bin_dir, "python3", "Python 3.14.0rc1")
    assert pick(bin_dir, tools).stdout == "python3 (Python 3.14.0rc1)\n"


def test_a_python_that_does_not_run_is_passed_over(bin_dir: Path, tools: Path) -> None:
    fake(bin_dir, "python3.13", "pyenv: python3.13: command not found", status=127)
    fake(bin_dir, "python3.11", "Python 3.11.9")
    fake(bin_dir, "python3", "Python 3.11.9")
    assert pick(bin_dir, tools).stdout == "python3.11 (Python 3.11.9)\n"


def test_none_new_enough_stops_naming_what_was_found(bin_dir: Path, tools: Path) -> None:
    fake(bin_dir, "python3.13", "pyenv: python3.13: command not found", status=127)
    fake(bin_dir, "python3", "Python 3.10.12")
    done = pick(bin_dir, tools)
    assert done.returncode != 0
    assert done.stdout == ""
    assert (
        "error: Python 3.11 or newer is needed, and none was found: python3.13 does not run "
        "(pyenv: python3.13: command not found), python3.12 is not installed, python3.11 is not "
        "installed, python3 is Python 3.10.12. Install one, or name it with PYTHON="
    ) in done.stderr


def test_no_python_at_all_stops_too(bin_dir: Path, tools: Path) -> None:
    done = pick(bin_dir, tools)
    assert done.returncode != 0
    assert "none was found: python3.13 is not installed" in done.stderr
    assert "python3 is not installed." in done.stderr


def test_python_given_wins_over_a_newer_one(bin_dir: Path, tools: Path, tmp_path: Path) -> None:
    fake(bin_dir, "python3.13", "Python 3.13.0")
    chosen = fake(tmp_path, "python3.11", "Python 3.11.2")
    assert pick(bin_dir, tools, f"PYTHON={chosen}").stdout == f"{chosen} (Python 3.11.2)\n"
    assert pick(bin_dir, tools, "PYTHON=python3.13").stdout == "python3.13 (Python 3.13.0)\n"


def test_python_given_too_old_is_refused(bin_dir: Path, tools: Path) -> None:
    fake(bin_dir, "python3.13", "Python 3.13.0")
    fake(bin_dir, "python3.10", "Python 3.10.12")
    done = pick(bin_dir, tools, "PYTHON=python3.10")
    assert done.returncode != 0
    assert (
        "error: Python 3.11 or newer is needed, and PYTHON=python3.10 is Python 3.10.12"
    ) in done.stderr


def test_python_given_missing_is_refused(bin_dir: Path, tools: Path) -> None:
    fake(bin_dir, "python3.13", "Python 3.13.0")
    done = pick(bin_dir, tools, "PYTHON=python3.9")
    assert done.returncode != 0
    assert "and PYTHON=python3.9 is not installed" in done.stderr


def test_the_venv_is_created_with_the_python_picked_and_says_so(
    bin_dir: Path, tools: Path, tmp_path: Path
) -> None:
    python = fake(bin_dir, "python3.12", "Python 3.12.1")
    venv = tmp_path / "venv"
    done = make("venv", f"VENV={venv}", path=f"{bin_dir}:{tools}")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"creating {venv} with python3.12 (Python 3.12.1)\n"
    assert Path(f"{python}.called").read_text() == f"-m venv {venv}\n"


def test_no_venv_is_created_with_a_python_too_old(
    bin_dir: Path, tools: Path, tmp_path: Path
) -> None:
    python = fake(bin_dir, "python3", "Python 3.10.12")
    done = make("venv", f"VENV={tmp_path / 'venv'}", path=f"{bin_dir}:{tools}")
    assert done.returncode != 0
    assert "python3 is Python 3.10.12" in done.stderr
    assert not Path(f"{python}.called").exists()


# JupyterLab.


def lab_command(tmp_path: Path, *arguments: str) -> str:
    """What ``make -n lab`` prints for an installed venv, on one line."""
    done = make("-n", "lab", "--assume-old=.venv/.installed", *arguments, path="", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return " ".join(done.stdout.replace("\\\n", " ").split())


def test_lab_opens_notebooks_on_localhost_with_the_venvs_kernel(tmp_path: Path) -> None:
    command = lab_command(tmp_path)
    assert command.startswith("JUPYTER_PREFER_ENV_PATH=1 exec .venv/bin/jupyter lab ")
    assert "--ServerApp.root_dir=notebooks --ServerApp.ip=127.0.0.1 --ServerApp.port=8888" in (
        command
    )
    assert "--no-browser" not in command


def test_lab_takes_a_port_and_can_leave_the_browser_closed(tmp_path: Path) -> None:
    command = lab_command(tmp_path, "LAB_PORT=9999", "LAB_BROWSER=0")
    assert "--ServerApp.port=9999 --no-browser" in command


def test_the_notebooks_get_the_dataset_path_made_absolute(tmp_path: Path) -> None:
    shown = make(
        "--eval",
        "show-env: ; @echo $$INSURANCE_DATA $$CONTAINERS_CONF",
        "show-env",
        "INSURANCE_DATA=data/insurance.csv",
        path="",
        cwd=tmp_path,
    )
    assert shown.stdout.split() == [
        str(tmp_path / "data" / "insurance.csv"),
        str(tmp_path / "configuration" / "containers.conf"),
    ]
