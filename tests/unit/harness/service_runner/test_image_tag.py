"""The image's tag follows its content: the commit, a new dirty tag for each change to what the
build reads, and a content hash outside git."""

import subprocess
from pathlib import Path

import pytest

from common.paths import PROJECT_ROOT
from service_runner import image_tag as image_tag_module
from service_runner.image_tag import BuildContext, image_tag, main

DOCKERIGNORE = "*\n!app/\n!Dockerfile\n**/__pycache__\n"


def git(root: Path, *arguments: str) -> str:
    identity = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    done = subprocess.run(
        ["git", *identity, "-c", "commit.gpgsign=false", "-C", str(root), *arguments],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with one commit: a Dockerfile, a .dockerignore, the app and notes outside it."""
    root = tmp_path / "project"
    (root / "app").mkdir(parents=True)
    (root / "Dockerfile").write_text("FROM scratch\nCOPY app /app\n")
    (root / ".dockerignore").write_text(DOCKERIGNORE)
    (root / "app" / "main.py").write_text("print('one')\n")
    (root / "notes.md").write_text("not in the image\n")
    git(root, "init", "--quiet")
    commit(root)
    return root


def commit(root: Path) -> str:
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "--message", "change")
    return git(root, "rev-parse", "--short", "HEAD")


def test_the_tag_changes_whenever_what_the_image_holds_changes(project: Path) -> None:
    first = image_tag(project)
    assert first == git(project, "rev-parse", "--short", "HEAD")
    (project / "app" / "main.py").write_text("print('two')\n")
    second = image_tag(project)
    assert second.startswith(f"{first}-dirty-")
    (project / "app" / "main.py").write_text("print('three')\n")
    third = image_tag(project)
    assert third.startswith(f"{first}-dirty-")
    assert len({first, second, third}) == 3
    assert image_tag(project) == third  # the same content, the same tag
    committed = commit(project)
    assert image_tag(project) == committed  # committed: clean again


def test_untracked_and_deleted_inputs_make_the_tree_dirty(project: Path) -> None:
    clean = image_tag(project)
    (project / "app" / "new.py").write_text("")
    untracked = image_tag(project)
    assert untracked.startswith(f"{clean}-dirty-")
    (project / "app" / "new.py").unlink()
    (project / "app" / "main.py").unlink()
    deleted = image_tag(project)
    assert deleted.startswith(f"{clean}-dirty-")
    assert deleted != untracked


def test_the_dockerfile_and_dockerignore_are_inputs_whatever_the_rules(project: Path) -> None:
    clean = image_tag(project)
    (project / ".dockerignore").write_text(DOCKERIGNORE + "!notes.md\n")
    assert image_tag(project).startswith(f"{clean}-dirty-")


def test_files_the_build_does_not_read_leave_the_tag_alone(project: Path) -> None:
    clean = image_tag(project)
    (project / "notes.md").write_text("edited\n")
    (project / "scratch.txt").write_text("untracked, outside the build context\n")
    (project / "app" / "__pycache__").mkdir()
    (project / "app" / "__pycache__" / "main.pyc").write_bytes(b"\0")
    assert image_tag(project) == clean


def test_files_git_ignores_leave_the_tag_alone(project: Path) -> None:
    (project / ".gitignore").write_text("app/model.bin\n")
    clean = commit(project)
    (project / "app" / "model.bin").write_bytes(b"trained")
    assert image_tag(project) == clean


def test_outside_git_the_tag_is_a_hash_of_every_input(tmp_path: Path) -> None:
    root = tmp_path / "unpacked"
    (root / "app").mkdir(parents=True)
    (root / ".dockerignore").write_text(DOCKERIGNORE)
    (root / "app" / "main.py").write_text("print('one')\n")
    first = image_tag(root)
    assert first.startswith("content-")
    (root / "notes.md").write_text("outside the build context\n")
    assert image_tag(root) == first
    (root / "app" / "main.py").write_text("print('two')\n")
    assert image_tag(root) not in (first, "")


def test_without_git_installed_the_tag_is_still_made(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(image_tag_module, "located", lambda command: None)
    assert image_tag(project).startswith("content-")


@pytest.mark.parametrize(
    ("path", "read"),
    [
        ("Dockerfile", True),
        ("app/main.py", True),
        ("app/deep/module.py", True),
        ("app/__pycache__/main.pyc", False),
        ("app/deep/__pycache__/module.pyc", False),
        ("notes.md", False),
        ("other/app/main.py", False),
    ],
)
def test_the_build_context_follows_dockerignore_s_rules(
    project: Path, path: str, read: bool
) -> None:
    assert BuildContext.of(project).includes(path) is read


def test_the_project_s_build_context_is_what_the_dockerfile_copies() -> None:
    context = BuildContext.of(PROJECT_ROOT)
    assert context.includes("service/runtime/model_service/__init__.py")
    assert context.includes("configuration/kubernetes.yaml")
    assert not context.includes("service/harness/service_runner/image_tag.py")
    assert not context.includes("notebooks/04_deploy_to_minikube.ipynb")


def test_the_command_line_prints_the_tag(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(project)]) == 0
    assert capsys.readouterr().out == f"{image_tag(project)}\n"
